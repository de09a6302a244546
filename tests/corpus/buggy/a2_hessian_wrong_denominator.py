# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: divides the four-point difference by h^2 instead of 4 h^2 (steps of h on both axes)
# loses: 2.4
# names: numerical_hessian
# diagnosis: hessian_denominator
def numerical_hessian(f, x, h=1e-4):
    x = np.array(x, dtype=float)
    E = h * np.eye(x.size)
    H = np.empty((x.size, x.size))
    for i in range(x.size):
        for j in range(x.size):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j])
                       + f(x - E[i] - E[j])) / (h * h)
    return H
