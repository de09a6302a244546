# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: hands its own x to f and grad_f instead of copies, so a callable that writes to its
#      argument corrupts the trajectory (the docs promise copies)
# loses: 2.3
# names: gradient_descent
# diagnosis: none
def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    x = np.array(x0, dtype=float)
    trajectory, values = [x], [float(f(x))]
    reason = "diverged" if not np.isfinite(values[0]) or abs(values[0]) > 1e12 else None
    while reason is None:
        g = np.asarray(grad_f(x), dtype=float)
        if criterion == "gradient" and np.linalg.norm(g) < eps:
            reason = "gradient"
        elif len(trajectory) - 1 == max_iters:
            reason = "max_iters"
        else:
            x = x - step_size * g
            trajectory.append(x)
            with np.errstate(all="ignore"):
                values.append(float(f(x)))
            if not np.isfinite(values[-1]) or abs(values[-1]) > 1e12:
                reason = "diverged"
            elif criterion == "value" and abs(values[-1] - values[-2]) < eps:
                reason = "value"
    return {"trajectory": np.array(trajectory), "values": np.array(values),
            "iterations": len(trajectory) - 1, "converged": reason in ("gradient", "value"),
            "reason": reason}
