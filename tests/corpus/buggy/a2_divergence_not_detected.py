# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: never checks for divergence: runs to max_iters through overflow (inf / nan values)
# loses: 2.3
# names: gradient_descent
# diagnosis: divergence_not_detected
def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    x = np.array(x0, dtype=float)
    trajectory, values = [x], [f(x)]
    reason = "max_iters"
    with np.errstate(all="ignore"):
        for _ in range(max_iters):
            g = np.asarray(grad_f(x), dtype=float)
            if criterion == "gradient" and np.linalg.norm(g) < eps:
                reason = "gradient"
                break
            x = x - step_size * g
            trajectory.append(x)
            values.append(f(x))
            if criterion == "value" and abs(values[-1] - values[-2]) < eps:
                reason = "value"
                break
    return {"trajectory": np.array(trajectory), "values": np.array(values),
            "iterations": len(trajectory) - 1, "converged": reason in ("gradient", "value"),
            "reason": reason}
