# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# why: other valid formulas: np.c_, sign with 0 mapped to -1, W = W + X or W - X by class,
#      the bound as max ||x||^2 ||w*||^2 / min (y w*.x)^2
# loses: none
def add_bias(X):
    return np.c_[X, np.ones(len(X))].astype(float)


def predict(w, Xb):
    s = np.sign(Xb @ w)
    s[s == 0] = -1.0
    return s.astype(float)


def perceptron_update(w, x, y):
    if np.sign(w @ x) == y:  # sign(0) = 0 never equals a label: boundary is a mistake
        return np.array(w, dtype=float)
    return w + x if y > 0 else w - x


def mistake_bound(Xb, y, w_star):
    worst = np.min(y * (Xb @ w_star))
    if worst <= 0:  # w* = 0 gives 0 too
        raise ValueError(f"no bound: the smallest margin y w*.x is {worst}")
    R2 = np.max(np.einsum("ij,ij->i", Xb, Xb))
    return float(R2 * (w_star @ w_star) / worst**2)
