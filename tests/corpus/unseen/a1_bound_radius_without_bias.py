# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: mistake_bound measures R on the points without their bias column (gamma with it)
# loses: 1.5
# names: mistake_bound
# diagnosis: none
def mistake_bound(Xb, y, w_star):
    Xb = np.asarray(Xb, dtype=float)
    y = np.asarray(y, dtype=float)
    w_star = np.asarray(w_star, dtype=float)
    norm = np.linalg.norm(w_star)
    if norm == 0:
        raise ValueError("w_star must be non-zero")
    R = np.max(np.linalg.norm(Xb[:, :-1], axis=1))
    gamma = np.min(y * (Xb @ w_star)) / norm
    if gamma <= 0:
        raise ValueError("w_star does not separate the data")
    return float((R / gamma) ** 2)
