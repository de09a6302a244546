# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: numerical_gradient takes the central difference but divides by h, not 2h (twice the slope)
# loses: 2.1
# names: numerical_gradient
# diagnosis: central_without_two
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / h
    return grad
