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
    raise NotImplementedError("Task 2.1: implement numerical_gradient")


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error max |a - b| / max(1e-8, |a| + |b|) (CS231n).

    Args:
        a, b: arrays (or scalars) of the same shape.

    Returns:
        The maximum over all entries, a float; 0.0 for empty arrays.
    """
    raise NotImplementedError("Task 2.2: implement relative_error")


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
    raise NotImplementedError("Task 2.2: implement gradient_check")


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
    raise NotImplementedError("Task 2.3: implement gradient_descent")


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
    raise NotImplementedError("Task 2.4: implement numerical_hessian")


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
    raise NotImplementedError("Task 2.5: implement classify_critical_point")
