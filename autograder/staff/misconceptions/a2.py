"""Misconceptions of A2 (gradients, gradient descent, the Hessian), as reference variants."""

from __future__ import annotations

import numpy as np

from autograder.staff.misconceptions.base import Misconception, WithReference

NUMERIC = "lecture 000, 'Numerical vs Analytic Gradients'"
DESCENT = "lecture 000, 'Gradient descent/ascent (multivariate)'"
CRITERIA = "lecture 000, 'Gradient descent convergence criteria'"
HESSIAN = "lecture 000, 'The Hessian'"
MINIMUM = "lecture 000, 'Unconstrained Minimization of function (Multivariate)'"
STEP_SIZE = "lecture 000, 'Influence of step size example (constant step size)'"
DIVERGENCE_LIMIT = 1e12


def _difference(f, x, h, kind: str):
    x = np.array(x, dtype=float)
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        if kind == "forward":
            out[i] = (f(x + e) - f(x)) / h
        elif kind == "backward":
            out[i] = (f(x) - f(x - e)) / h
        else:  # central without the 2
            out[i] = (f(x + e) - f(x - e)) / h
    return out


def _descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient", *,
             sign=-1.0, keep_x0=True, divergence=True, use_value=True, alias=False,
             inclusive=False):
    """The reference loop with one thing changed."""

    def below(value: float) -> bool:
        return value <= eps if inclusive else value < eps

    x = np.array(x0, dtype=float)
    trajectory, values = [x], [float(f(x.copy()))]

    def diverged(value):
        return divergence and (not np.isfinite(value) or abs(value) > DIVERGENCE_LIMIT)

    rule = criterion if use_value else "gradient"
    reason = "diverged" if diverged(values[0]) else None
    while reason is None:
        g = np.asarray(grad_f(x.copy()), dtype=float)
        if rule == "gradient" and below(float(np.linalg.norm(g))):
            reason = "gradient"
            break
        if len(trajectory) - 1 == max_iters:
            reason = "max_iters"
            break
        x = x + sign * step_size * g
        trajectory.append(x)
        values.append(float(f(x.copy())))
        if diverged(values[-1]):
            reason = "diverged"
        elif rule == "value" and below(abs(values[-1] - values[-2])):
            reason = "value"
    if alias:  # every row the same list entry, changed in place: all equal the last point
        trajectory = [trajectory[-1]] * len(trajectory)
    if not keep_x0:
        trajectory, values = trajectory[1:], values[1:]
    k = len(trajectory) - (1 if keep_x0 else 0)
    return {"trajectory": np.array(trajectory).reshape(-1, x.size), "values": np.array(values),
            "iterations": k, "converged": reason in ("gradient", "value"), "reason": reason}


def _variant(**changes):
    def run(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
        return _descent(f, grad_f, x0, step_size, eps, max_iters, criterion, **changes)

    return run


def _hessian(f, x, h=1e-4, denominator=4.0):
    x = np.array(x, dtype=float)
    d = x.size
    E = h * np.eye(d)
    H = np.empty((d, d))
    for i in range(d):
        for j in range(d):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j])
                       + f(x - E[i] - E[j])) / (denominator * h * h)
    return H


def _classify(H, tol=1e-8, swapped=False, diagonal=False):
    H = np.asarray(H, dtype=float)
    lam = np.diag(H) if diagonal else np.linalg.eigvalsh((H + H.T) / 2)
    pos, neg = np.all(lam > tol), np.all(lam < -tol)
    if pos:
        return "maximum" if swapped else "minimum"
    if neg:
        return "minimum" if swapped else "maximum"
    if np.any(lam > tol) and np.any(lam < -tol):
        return "saddle"
    return "degenerate"


def _classify_raw(H, tol=1e-8):
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    if np.all(lam > tol):
        return "minimum"
    if np.all(lam < -tol):
        return "maximum"
    return "saddle" if np.any(lam > tol) and np.any(lam < -tol) else "degenerate"


CATALOGUE = [
    Misconception("forward_difference", "numerical_gradient",
                  "takes the forward difference (f(x + h e_i) - f(x)) / h, the limit the"
                  " lecture defines the derivative with; the assignment asks for the central"
                  " difference, whose error is O(h^2) instead of O(h)", NUMERIC,
                  lambda f, x, h=1e-5: _difference(f, x, h, "forward")),
    Misconception("backward_difference", "numerical_gradient",
                  "takes the backward difference (f(x) - f(x - h e_i)) / h; the assignment"
                  " asks for the central difference, error O(h^2) instead of O(h)", NUMERIC,
                  lambda f, x, h=1e-5: _difference(f, x, h, "backward")),
    Misconception("central_without_two", "numerical_gradient",
                  "divides the central difference by h: f(x + h e_i) and f(x - h e_i) are"
                  " 2h apart", NUMERIC, lambda f, x, h=1e-5: _difference(f, x, h, "no2")),
    Misconception("relative_error_no_floor", "relative_error",
                  "divides by |a| + |b| without the floor max(1e-8, ...), so two zero"
                  " gradients give 0 / 0 = nan", NUMERIC,
                  lambda a, b: float(np.max(np.abs(np.asarray(a) - b)
                                            / (np.abs(a) + np.abs(b))))),
    Misconception("relative_error_mean", "relative_error",
                  "averages the entries' relative errors; the gradient check takes the"
                  " maximum, so one wrong entry is not diluted", NUMERIC,
                  lambda a, b: float(np.mean(np.abs(np.asarray(a) - b) / np.maximum(
                      1e-8, np.abs(a) + np.abs(b))))),
    Misconception("gradient_ascent", "gradient_descent",
                  "steps along the gradient (x + eta grad f): descent moves against it",
                  DESCENT, _variant(sign=1.0)),
    Misconception("trajectory_without_x0", "gradient_descent",
                  "leaves the starting point x0 out of trajectory and values", DESCENT,
                  _variant(keep_x0=False)),
    Misconception("trajectory_aliased", "gradient_descent",
                  "stores the same array in every row of trajectory and changes it in place"
                  " (x -= ...), so every row ends up equal to the last point", DESCENT,
                  _variant(alias=True)),
    Misconception("divergence_not_detected", "gradient_descent",
                  "never stops on divergence: a non-finite f or |f| > 1e12 ends the run with"
                  " reason 'diverged' (a step size above 2 / lambda_max diverges)",
                  STEP_SIZE, _variant(divergence=False)),
    Misconception("value_criterion_ignored", "gradient_descent",
                  "always stops on the gradient norm; criterion='value' stops when"
                  " |f(x_k+1) - f(x_k)| < eps", CRITERIA, _variant(use_value=False)),
    Misconception("stops_at_eps_inclusive", "gradient_descent",
                  "stops when the norm (or the change of f) is <= eps; the rule is strictly"
                  " below eps, < eps", CRITERIA, _variant(inclusive=True)),
    Misconception("gradient_check_ignores_h", "gradient_check",
                  "ignores its h: the numerical gradient must use the step it is given",
                  NUMERIC, WithReference(lambda ref, f, grad_f, x, h=1e-5: ref.load(
                      "gradient_descent").gradient_check(f, grad_f, x))),
    Misconception("hessian_ignores_h", "numerical_hessian",
                  "ignores its h: the differences must use the step it is given", HESSIAN,
                  WithReference(lambda ref, f, x, h=1e-4: ref.load(
                      "gradient_descent").numerical_hessian(f, x))),
    Misconception("classify_not_symmetrised", "classify_critical_point",
                  "takes the eigenvalues of H as given (eigvalsh reads one triangle only); the"
                  " docstring judges the symmetric part (H + H^T) / 2", MINIMUM,
                  lambda H, tol=1e-8: _classify_raw(H, tol)),
    Misconception("hessian_denominator", "numerical_hessian",
                  "divides the four-point difference by h^2; with steps of h along both e_i"
                  " and e_j the denominator is 4 h^2", HESSIAN,
                  lambda f, x, h=1e-4: _hessian(f, x, h, denominator=1.0)),
    Misconception("classify_signs_swapped", "classify_critical_point",
                  "swaps minimum and maximum: all eigenvalues positive (H positive definite)"
                  " is a minimum", MINIMUM,
                  lambda H, tol=1e-8: _classify(H, tol, swapped=True)),
    Misconception("classify_by_diagonal", "classify_critical_point",
                  "reads the signs of H's diagonal; the kind of critical point is decided by"
                  " the signs of H's eigenvalues", MINIMUM,
                  lambda H, tol=1e-8: _classify(H, tol, diagonal=True)),
]
