# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: numerical_hessian's inner loop starts at i + 1: the diagonal stays 0
# loses: 2.4
# names: numerical_hessian
# diagnosis: none
def numerical_hessian(f, x, h=1e-4):
    x = np.array(x, dtype=float)
    d = x.size
    H = np.zeros((d, d))
    for i in range(d):
        for j in range(i + 1, d):
            ei = np.zeros(d)
            ej = np.zeros(d)
            ei[i] = h
            ej[j] = h
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                                 + f(x - ei - ej)) / (4 * h * h)
    return H
