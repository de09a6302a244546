# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# why: the Hessian's diagonal by the three-point formula (f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h^2,
#      the off-diagonal by the docstring's four points: a central difference of the same order
# loses: none
def numerical_hessian(f, x, h=1e-4):
    x = np.array(x, dtype=float)
    d = x.size
    E = h * np.eye(d)
    fx = float(f(x.copy()))
    H = np.zeros((d, d))
    for i in range(d):
        H[i, i] = (float(f(x + E[i])) - 2 * fx + float(f(x - E[i]))) / (h * h)
        for j in range(i + 1, d):
            H[i, j] = H[j, i] = (float(f(x + E[i] + E[j])) - float(f(x + E[i] - E[j]))
                                 - float(f(x - E[i] + E[j])) + float(f(x - E[i] - E[j]))
                                 ) / (4 * h * h)
    return H
