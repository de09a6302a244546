# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: one-sided difference (f(x + h e_i) - f(x)) / h instead of the central one
# loses: 2.1
# names: numerical_gradient
# diagnosis: forward_difference
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    fx = f(x)
    return np.array([(f(x + e) - fx) / h for e in h * np.eye(x.size)])
