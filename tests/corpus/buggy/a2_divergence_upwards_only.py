# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: tests f > 1e12 instead of |f| > 1e12: a run on f unbounded below is not stopped as
#      diverged until f overflows to -inf
# loses: 2.3
# names: gradient_descent
# diagnosis: none
def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    x = np.array(x0, dtype=float)
    trajectory, values = [x], [float(f(x.copy()))]
    reason = None
    if not np.isfinite(values[0]) or values[0] > 1e12:
        reason = "diverged"
    while reason is None:
        g = np.asarray(grad_f(x.copy()), dtype=float)
        if criterion == "gradient" and np.linalg.norm(g) < eps:
            reason = "gradient"
            break
        if len(trajectory) - 1 == max_iters:
            reason = "max_iters"
            break
        x = x - step_size * g
        trajectory.append(x)
        with np.errstate(all="ignore"):
            values.append(float(f(x.copy())))
        if not np.isfinite(values[-1]) or values[-1] > 1e12:
            reason = "diverged"
        elif criterion == "value" and abs(values[-1] - values[-2]) < eps:
            reason = "value"
    return {"trajectory": np.array(trajectory), "values": np.array(values),
            "iterations": len(trajectory) - 1, "converged": reason in ("gradient", "value"),
            "reason": reason}
