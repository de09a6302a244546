# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: moves along the gradient (ascent, x + eta grad f) instead of against it
# loses: 2.3
# names: gradient_descent
# diagnosis: gradient_ascent
def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    x = np.array(x0, dtype=float)
    trajectory, values = [x], [f(x)]
    reason = None
    while reason is None:
        g = np.asarray(grad_f(x), dtype=float)
        if criterion == "gradient" and np.linalg.norm(g) < eps:
            reason = "gradient"
        elif len(trajectory) - 1 == max_iters:
            reason = "max_iters"
        else:
            x = x + step_size * g
            trajectory.append(x)
            values.append(f(x))
            if not np.isfinite(values[-1]) or abs(values[-1]) > 1e12:
                reason = "diverged"
            elif criterion == "value" and abs(values[-1] - values[-2]) < eps:
                reason = "value"
    return {"trajectory": np.array(trajectory), "values": np.array(values),
            "iterations": len(trajectory) - 1, "converged": reason in ("gradient", "value"),
            "reason": reason}
