# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: one-sided numerical_gradient; numerical_hessian is (rightly) the central difference of
#      numerical_gradient, so it is off only through 2.1's bug (error carried forward)
# loses: 2.1
# names: numerical_gradient
# diagnosis: forward_difference
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    fx = f(x.copy())
    return np.array([(f(x + e) - fx) / h for e in h * np.eye(x.size)])


def numerical_hessian(f, x, h=1e-4):
    x = np.array(x, dtype=float)
    E = h * np.eye(x.size)
    columns = [(numerical_gradient(f, x + E[j], h) - numerical_gradient(f, x - E[j], h)) / (2 * h)
               for j in range(x.size)]
    H = np.array(columns).T
    return (H + H.T) / 2
