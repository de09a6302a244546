# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: classify_critical_point's default tol is 1e-6, not the documented 1e-8
# loses: 2.5
# names: classify_critical_point
# diagnosis: none
def classify_critical_point(H, tol=1e-6):
    lam = np.linalg.eigvalsh((np.asarray(H, dtype=float) + np.asarray(H, dtype=float).T) / 2)
    if np.all(lam > tol):
        return "minimum"
    if np.all(lam < -tol):
        return "maximum"
    if np.any(lam > tol) and np.any(lam < -tol):
        return "saddle"
    return "degenerate"
