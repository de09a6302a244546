# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: collects the gradient in np.zeros_like(x): for an integer x every derivative is
#      truncated to an integer
# loses: 2.1
# names: numerical_gradient
# diagnosis: none
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros(len(x))
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
