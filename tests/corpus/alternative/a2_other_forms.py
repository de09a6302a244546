# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# why: other valid forms: the gradient from all 2d shifted points at once, classification by
#      counting eigenvalue signs with np.linalg.eigh, the gradient check via np.allclose-free math
# loses: none
def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    shifted = np.concatenate([x + h * np.eye(x.size), x - h * np.eye(x.size)])
    fs = np.array([f(p) for p in shifted])
    return (fs[: x.size] - fs[x.size :]) / (2 * h)


def classify_critical_point(H, tol=1e-8):
    H = np.asarray(H, dtype=float)
    lam, _ = np.linalg.eigh(0.5 * (H + H.T))
    positive, negative = int(np.sum(lam > tol)), int(np.sum(lam < -tol))
    if positive and negative:
        return "saddle"
    if positive == lam.size:
        return "minimum"
    if negative == lam.size:
        return "maximum"
    return "degenerate"


def gradient_check(f, grad_f, x, h=1e-5):
    analytic = np.asarray(grad_f(np.array(x, dtype=float)), dtype=float)
    numeric = numerical_gradient(f, x, h)
    scale = np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    return float((np.abs(analytic - numeric) / scale).max())
