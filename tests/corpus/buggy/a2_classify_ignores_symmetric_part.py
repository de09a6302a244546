# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: eigvalsh(H) of H itself: only its lower triangle is read, not the symmetric part
#      (H + H^T) / 2 the docs say matters; wrong for a non-symmetric H
# loses: 2.5
# names: classify_critical_point
# diagnosis: classify_not_symmetrised
def classify_critical_point(H, tol=1e-8):
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    if np.all(lam > tol):
        return "minimum"
    if np.all(lam < -tol):
        return "maximum"
    if np.any(lam > tol) and np.any(lam < -tol):
        return "saddle"
    return "degenerate"
