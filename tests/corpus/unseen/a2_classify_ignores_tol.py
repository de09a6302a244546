# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: classify_critical_point compares eigenvalues with 0, ignoring tol (a tiny one decides)
# loses: 2.5
# names: classify_critical_point
# diagnosis: none
def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=float)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    if np.any(lam > 0) and np.any(lam < 0):
        return "saddle"
    return "degenerate"
