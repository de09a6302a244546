"""Assignment 2: gradients, gradient checks, gradient descent and the Hessian (lectures 000, 003).

``f`` is a callable taking a (d,) float array and returning a float; ``grad_f`` takes a
(d,) array and returns its (d,) gradient. Functions never modify their inputs (they
pass copies to ``f`` and ``grad_f``). Arrays are numpy arrays: a point (x, x0) or a
Hessian H may have integer entries (np.array([1, 2]) is the point (1.0, 2.0)), and every
array a function returns is float64.

Libraries: the standard library and numpy only. The grader runs your code where
nothing else is importable (no scipy, no torch), whatever your own machine has.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Gradient descent stops with reason "diverged" once |f| exceeds this (or is not finite):
# far beyond any value a converging run on the course's test functions reaches, and
# well below float64 overflow, so a diverging run is caught before it produces inf/nan.
DIVERGENCE_LIMIT = 1e12
# Floor of the relative error's denominator (CS231n's rel_error): two near-zero gradients
# compare by their absolute difference instead of dividing by ~0.
REL_ERROR_FLOOR = 1e-8

Function = Callable[[np.ndarray], float]
Gradient = Callable[[np.ndarray], np.ndarray]


def _as_point(x: np.ndarray, name: str = "x") -> np.ndarray:
    """x as a finite non-empty 1-D float64 copy, or a ValueError naming ``name``."""
    x = np.array(x, dtype=float)  # np.array copies: callers may hand it to f freely
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array (d,); got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity")
    return x


def _check_step(h: float, name: str = "h") -> float:
    """A finite positive step size, or a ValueError."""
    h = float(h)
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"{name} must be a positive finite number; got {h!r}")
    return h


def numerical_gradient(f: Function, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h).

    Lecture 000 ("Numerical vs Analytic Gradients") defines the derivative as the limit
    of (f(x + h) - f(x)) / h; the centred form used here has error O(h^2) instead of O(h).

    Args:
        f: scalar function of a (d,) array.
        x: (d,) point.
        h: step, > 0.

    Returns:
        (d,) approximate gradient of f at x.
    """
    ### BEGIN SOLUTION task=2.1
    x = _as_point(x)
    h = _check_step(h)
    steps = h * np.eye(x.size)
    return np.array([(float(f(x + e)) - float(f(x - e))) / (2 * h) for e in steps])
    ### END SOLUTION


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error max |a - b| / max(1e-8, |a| + |b|) (CS231n).

    Args:
        a, b: arrays (or scalars) of the same shape.

    Returns:
        The maximum over all entries, a float; 0.0 for empty arrays.
    """
    ### BEGIN SOLUTION task=2.2
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(REL_ERROR_FLOOR, np.abs(a) + np.abs(b))))
    ### END SOLUTION


def gradient_check(f: Function, grad_f: Gradient, x: np.ndarray, h: float = 1e-5) -> float:
    """The gradient check of lecture 000: "Derive analytic gradient, check your
    implementation with numerical gradient".

    Args:
        f: scalar function of a (d,) array.
        grad_f: its claimed gradient, (d,) -> (d,).
        x: (d,) point.
        h: central-difference step.

    Returns:
        relative_error(grad_f(x), numerical_gradient(f, x, h)); about 1e-7 or less for a
        correct smooth gradient, near 1 for a wrong one.
    """
    ### BEGIN SOLUTION task=2.2
    x = _as_point(x)
    analytic = np.asarray(grad_f(x.copy()), dtype=float)
    if analytic.shape != x.shape:
        raise ValueError(f"grad_f returned shape {analytic.shape}, expected {x.shape}")
    return relative_error(analytic, numerical_gradient(f, x, h))
    ### END SOLUTION


def gradient_descent(
    f: Function,
    grad_f: Gradient,
    x0: np.ndarray,
    step_size: float,
    eps: float = 1e-8,
    max_iters: int = 1000,
    criterion: str = "gradient",
) -> dict:
    """Fixed-step gradient descent x^{k+1} = x^k - eta * grad f(x^k)^T (lecture 000).

    Stopping rules ("Gradient descent convergence criteria"):
      criterion="gradient": stop at the first x^k with ||grad f(x^k)|| < eps (checked
        before each step, so x0 itself can already satisfy it);
      criterion="value": stop after the first step with |f(x^{k+1}) - f(x^k)| < eps;
      otherwise stop after ``max_iters`` steps (reason "max_iters"), or as soon as a
      point's value is not finite or |f| > 1e12 (reason "diverged"; that point is the
      last entry of the trajectory).

    Args:
        f: scalar function of a (d,) array.
        grad_f: its gradient, (d,) -> (d,).
        x0: (d,) starting point (included in the trajectory).
        step_size: eta > 0.
        eps: tolerance of the stopping criterion, > 0.
        max_iters: most steps to take, >= 0.
        criterion: "gradient" or "value".

    Returns:
        dict with ``trajectory`` (k+1, d) x0..xk, ``values`` (k+1,) f along it,
        ``iterations`` k (number of steps taken), ``converged`` bool (True iff the
        criterion was met) and ``reason`` "gradient" | "value" | "max_iters" | "diverged".
    """
    ### BEGIN SOLUTION task=2.3
    x = _as_point(x0, "x0")
    step_size = _check_step(step_size, "step_size")
    eps = _check_step(eps, "eps")
    if criterion not in ("gradient", "value"):
        raise ValueError(f"criterion must be 'gradient' or 'value'; got {criterion!r}")
    if isinstance(max_iters, bool) or not isinstance(max_iters, (int, np.integer)):
        raise ValueError(f"max_iters must be an int; got {max_iters!r}")
    if max_iters < 0:
        raise ValueError(f"max_iters must be >= 0; got {max_iters}")

    def diverged(point: np.ndarray, value: float) -> bool:
        return not (np.all(np.isfinite(point)) and np.isfinite(value)) or (
            abs(value) > DIVERGENCE_LIMIT
        )

    trajectory = [x]
    values = [float(f(x.copy()))]
    reason = "diverged" if diverged(x, values[0]) else None
    while reason is None:
        gradient = np.asarray(grad_f(x.copy()), dtype=float)
        if criterion == "gradient" and np.linalg.norm(gradient) < eps:
            reason = "gradient"
            break
        if len(trajectory) - 1 == max_iters:
            reason = "max_iters"
            break
        x = x - step_size * gradient
        trajectory.append(x)
        with np.errstate(over="ignore", invalid="ignore"):
            values.append(float(f(x.copy())))
        if diverged(x, values[-1]):
            reason = "diverged"
        elif criterion == "value" and abs(values[-1] - values[-2]) < eps:
            reason = "value"
    return {
        "trajectory": np.array(trajectory),
        "values": np.array(values),
        "iterations": len(trajectory) - 1,
        "converged": reason in ("gradient", "value"),
        "reason": reason,
    }
    ### END SOLUTION


def numerical_hessian(f: Function, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian, the matrix of second derivatives of lecture 000.

    H_ij ~ [f(x + h e_i + h e_j) - f(x + h e_i - h e_j) - f(x - h e_i + h e_j)
            + f(x - h e_i - h e_j)] / (4 h^2), computed for i <= j and mirrored, so the
    result is exactly symmetric. Exact (up to rounding) for quadratics.

    Args:
        f: scalar function of a (d,) array.
        x: (d,) point.
        h: step, > 0.

    Returns:
        (d, d) symmetric matrix.
    """
    ### BEGIN SOLUTION task=2.4
    x = _as_point(x)
    h = _check_step(h)
    d = x.size
    steps = h * np.eye(d)
    H = np.empty((d, d))
    for i in range(d):
        for j in range(i, d):
            ei, ej = steps[i], steps[j]
            H[i, j] = H[j, i] = (
                float(f(x + ei + ej))
                - float(f(x + ei - ej))
                - float(f(x - ei + ej))
                + float(f(x - ei - ej))
            ) / (4 * h * h)
    return H
    ### END SOLUTION


def classify_critical_point(H: np.ndarray, tol: float = 1e-8) -> str:
    """Classify a critical point from the eigenvalues of its Hessian (lecture 000).

    "Hessian is positive definite (eigenvalues positive) -> local minima; negative
    definite (eigenvalues negative) -> local maxima". Eigenvalues of both signs give a
    saddle; otherwise some eigenvalue is within ``tol`` of 0 and the second-order test
    cannot decide: "degenerate".

    Args:
        H: (d, d) Hessian; only its symmetric part (H + H^T) / 2 matters.
        tol: eigenvalues with |lambda| <= tol count as zero.

    Returns:
        "minimum" | "maximum" | "saddle" | "degenerate".
    """
    ### BEGIN SOLUTION task=2.5
    H = np.asarray(H, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0:
        raise ValueError(f"H must be a non-empty square matrix (d, d); got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError("H contains NaN or infinity")
    eigenvalues = np.linalg.eigvalsh((H + H.T) / 2)
    if np.all(eigenvalues > tol):
        return "minimum"
    if np.all(eigenvalues < -tol):
        return "maximum"
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "saddle"
    return "degenerate"
    ### END SOLUTION
