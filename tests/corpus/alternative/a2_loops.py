# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# why: loops with a copied x instead of vectorised steps; the Hessian as the central-difference
#      Jacobian of the central-difference gradient (the same four-point formula, symmetrised);
#      gradient descent as a for loop over max_iters
# loses: none
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        old = x[i]
        x[i] = old + h
        plus = f(x.copy())
        x[i] = old - h
        minus = f(x.copy())
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    a, b = np.ravel(np.asarray(a, float)), np.ravel(np.asarray(b, float))
    worst = 0.0
    for u, v in zip(a, b, strict=True):
        worst = max(worst, abs(u - v) / max(1e-8, abs(u) + abs(v)))
    return float(worst)


def numerical_hessian(f, x, h=1e-4):
    x = np.array(x, dtype=float)
    E = h * np.eye(x.size)
    columns = [(numerical_gradient(f, x + E[j], h) - numerical_gradient(f, x - E[j], h)) / (2 * h)
               for j in range(x.size)]
    H = np.array(columns).T
    return (H + H.T) / 2


def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    x = np.array(x0, dtype=float)
    trajectory, values = [x.copy()], [float(f(x.copy()))]
    if not np.isfinite(values[0]) or abs(values[0]) > 1e12:
        reason = "diverged"
    else:
        reason = "max_iters"
        for _ in range(max_iters + 1):
            g = np.array(grad_f(x.copy()), dtype=float)
            if criterion == "gradient" and np.sqrt(np.sum(g * g)) < eps:
                reason = "gradient"
                break
            if len(trajectory) > max_iters:
                break
            x = x - step_size * g
            trajectory.append(x.copy())
            with np.errstate(all="ignore"):
                values.append(float(f(x.copy())))
            if not np.isfinite(values[-1]) or abs(values[-1]) > 1e12:
                reason = "diverged"
                break
            if criterion == "value" and abs(values[-1] - values[-2]) < eps:
                reason = "value"
                break
    return {"trajectory": np.array(trajectory), "values": np.array(values),
            "iterations": len(trajectory) - 1, "converged": reason in ("gradient", "value"),
            "reason": reason}
