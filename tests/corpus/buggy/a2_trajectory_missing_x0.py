# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: records points only after each step, so x0 is missing from trajectory and values
# loses: 2.3
# names: gradient_descent
# diagnosis: trajectory_without_x0
def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    x = np.array(x0, dtype=float)
    trajectory, values = [], []
    previous = f(x)
    reason = "max_iters"
    for _ in range(max_iters):
        g = np.asarray(grad_f(x), dtype=float)
        if criterion == "gradient" and np.linalg.norm(g) < eps:
            reason = "gradient"
            break
        x = x - step_size * g
        trajectory.append(x)
        values.append(f(x))
        if not np.isfinite(values[-1]) or abs(values[-1]) > 1e12:
            reason = "diverged"
            break
        if criterion == "value" and abs(values[-1] - previous) < eps:
            reason = "value"
            break
        previous = values[-1]
    return {"trajectory": np.array(trajectory).reshape(-1, x.size), "values": np.array(values),
            "iterations": len(trajectory), "converged": reason in ("gradient", "value"),
            "reason": reason}
