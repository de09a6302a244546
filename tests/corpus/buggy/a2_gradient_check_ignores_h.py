# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: gradient_check ignores its h keyword (always the default step)
# loses: 2.2
# names: gradient_check
# diagnosis: gradient_check_ignores_h
def gradient_check(f, grad_f, x, h=1e-5):
    x = np.array(x, dtype=float)
    return relative_error(np.asarray(grad_f(x.copy()), dtype=float), numerical_gradient(f, x))
