# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: numerical_hessian's default h is 1e-3, not the documented 1e-4
# loses: 2.4
# names: numerical_hessian
# diagnosis: none
def numerical_hessian(f, x, h=1e-3):
    x = np.array(x, dtype=float)
    d = x.size
    E = h * np.eye(d)
    H = np.zeros((d, d))
    for i in range(d):
        for j in range(i, d):
            H[i, j] = H[j, i] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j])
                                 + f(x - E[i] - E[j])) / (4 * h * h)
    return H
