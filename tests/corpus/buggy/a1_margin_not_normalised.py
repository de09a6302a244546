# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: gamma = min y w*.x without dividing by ||w*||, so the bound depends on the scale of w*
# loses: 1.5
# names: mistake_bound
# diagnosis: bound_gamma_not_normalised
def mistake_bound(Xb, y, w_star):
    R = np.max(np.linalg.norm(Xb, axis=1))
    gamma = np.min(y * (Xb @ w_star))
    return float((R / gamma) ** 2)
