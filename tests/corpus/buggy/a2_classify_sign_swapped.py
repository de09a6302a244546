# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: sign error in the eigenvalue test: positive definite is called a maximum and vice versa
# loses: 2.5
# names: classify_critical_point
# diagnosis: classify_signs_swapped
def classify_critical_point(H, tol=1e-8):
    lam = np.linalg.eigvalsh((np.asarray(H, float) + np.asarray(H, float).T) / 2)
    if np.all(lam > tol):
        return "maximum"
    if np.all(lam < -tol):
        return "minimum"
    if np.any(lam > tol) and np.any(lam < -tol):
        return "saddle"
    return "degenerate"
