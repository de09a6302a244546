"""Assignment 1: the perceptron learning rule (lecture 000, "Perceptron Learning Algorithm").

The bias is folded into the weights as an extra input that is always 1 ("the bias can
also be viewed as the weight of another input component that is always set to 1"),
appended as the LAST column. Labels are +1 / -1. A point (x, y) is a mistake when
y * (w . x) <= 0, so a point exactly on the boundary (w . x = 0) counts as a mistake
and a perceptron that starts at w = 0 still learns.

Functions never modify their inputs. Arrays are numpy arrays: the data (X, Xb, x) may
have integer entries and the labels may be integers (np.array([1, -1]), y = 1); weights
are float64, and every array a function returns is float64.

Libraries: the standard library and numpy only. The grader runs your code where
nothing else is importable (no scipy, no torch), whatever your own machine has.
"""

from __future__ import annotations

import numpy as np


def _as_matrix(X: np.ndarray, name: str) -> np.ndarray:
    """X as a finite 2-D float64 array, or a ValueError naming ``name``."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n, d); got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinity")
    return X


def _as_labels(y: np.ndarray, n: int) -> np.ndarray:
    """y as a float64 (n,) array of +1/-1, or a ValueError."""
    y = np.asarray(y, dtype=float)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match the data; got {y.shape}")
    if not np.all(np.abs(y) == 1.0):
        raise ValueError("labels y must be +1 or -1 (the perceptron rule uses y in {-1, +1})")
    return y


def add_bias(X: np.ndarray) -> np.ndarray:
    """Append the always-1 bias input as the last column.

    Args:
        X: (n, d) inputs, one row per point.

    Returns:
        (n, d+1) array ``[X | 1]``; X itself is not modified.
    """
    raise NotImplementedError("Task 1.1: implement add_bias")


def predict(w: np.ndarray, Xb: np.ndarray) -> np.ndarray:
    """Threshold unit: O(X) = sign(w^T X), with sign(0) taken as -1.

    Args:
        w: (d+1,) weights, bias last.
        Xb: (n, d+1) inputs with the bias column (see ``add_bias``).

    Returns:
        (n,) float array of +1.0 where w . x > 0 and -1.0 elsewhere (including w . x = 0,
        consistent with w . x = 0 counting as a mistake for a +1 point).
    """
    raise NotImplementedError("Task 1.2: implement predict")


def perceptron_update(w: np.ndarray, x: np.ndarray, y: float) -> np.ndarray:
    """One step of the rule: "If O(X_i) != Y_i: W = W + Y_i X_i".

    Args:
        w: (d+1,) current weights, bias last.
        x: (d+1,) one input with its bias entry.
        y: its label, +1 or -1.

    Returns:
        (d+1,) new weights: ``w + y * x`` if y * (w . x) <= 0 (a mistake), otherwise a
        copy of w. The argument w is never modified.
    """
    raise NotImplementedError("Task 1.3: implement perceptron_update")


def train_perceptron(Xb: np.ndarray, y: np.ndarray, max_epochs: int = 100) -> dict:
    """Perceptron learning: start at W = 0, cycle through the points in the given order,
    update on every mistake, until an epoch has no mistake ("while more classification
    errors") or ``max_epochs`` epochs have run.

    Args:
        Xb: (n, d+1) inputs with the bias column.
        y: (n,) labels, +1 or -1.
        max_epochs: upper bound on the number of passes over the data (>= 1).

    Returns:
        dict with
          ``weights`` (d+1,) final weights,
          ``updates`` int, total number of updates (= mistakes made while training),
          ``mistakes_per_epoch`` list[int], one entry per epoch run; when the run
            converges its last entry is the clean epoch, 0,
          ``converged`` bool, True iff an epoch had no mistake.
    """
    raise NotImplementedError("Task 1.4: implement train_perceptron")


def mistake_bound(Xb: np.ndarray, y: np.ndarray, w_star: np.ndarray) -> float:
    """Convergence bound of the perceptron: at most (R / gamma)^2 updates from W = 0.

    R is "the length of the longest training point", gamma "the best case closest
    distance of a training point from the classifier" w_star: the margin
    min_i y_i (w_star . x_i) / ||w_star||. Both are measured on the bias-augmented
    points Xb, the space the perceptron actually runs in.

    Args:
        Xb: (n, d+1) inputs with the bias column.
        y: (n,) labels, +1 or -1.
        w_star: (d+1,) any separating weight vector (its length does not matter).

    Returns:
        (R / gamma) ** 2 as a float.

    Raises:
        ValueError: if w_star is zero or does not separate the data (gamma <= 0), in
            which case no bound exists.
    """
    raise NotImplementedError("Task 1.5: implement mistake_bound")
