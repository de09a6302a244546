# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: never raises the documented ValueError: returns (R/gamma)^2 even when w* does not
#      separate the data (gamma <= 0), a "bound" that means nothing (or inf for gamma = 0)
# loses: 1.5
# names: mistake_bound
# diagnosis: none
def mistake_bound(Xb, y, w_star):
    R = np.max(np.linalg.norm(Xb, axis=1))
    with np.errstate(all="ignore"):
        gamma = np.min(y * (Xb @ w_star)) / np.linalg.norm(w_star)
        return float((R / gamma) ** 2)
