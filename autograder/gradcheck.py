"""A gradient check whose number of loss evaluations does not grow with the parameter count.

Used by A4's whole-network check and by benchmarks/gradient_check.py. The loss is the
grader's own (trusted) function; ``grads`` is what the student returned, already validated.
A full per-coordinate check costs 2·P loss evaluations; this one costs 2·(DIRECTIONS +
SAMPLED_COORDINATES × number of arrays), whatever P is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

DIRECTIONS = 3
"""Random directions: a wrong gradient g' ≠ g passes a normal direction d only if
<g' − g, d> = 0, which has probability 0 for continuous d; three guard against rounding luck."""
SAMPLED_COORDINATES = 3
"""Coordinates per parameter array, checked one by one so a failure can name the index."""


def directional_gradient_check(
    loss_at: Callable[[Mapping[str, np.ndarray]], float],
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    rng: np.random.Generator,
    h: float,
    compare: Callable[..., None],
) -> None:
    """Compare ``grads`` with central differences of ``loss_at`` around ``params``.

    ``compare(analytic, numeric, parameter=...)`` raises on a mismatch (e.g. a CheckFailure
    naming the parameter and index). ``params`` is never modified: the sampled coordinates
    are bumped in one private copy and restored.
    """
    for _ in range(DIRECTIONS):
        direction = {k: rng.standard_normal(size=v.shape) for k, v in params.items()}
        up = loss_at({k: v + h * direction[k] for k, v in params.items()})
        down = loss_at({k: v - h * direction[k] for k, v in params.items()})
        analytic = sum(float(np.sum(grads[k] * direction[k])) for k in params)
        compare(
            analytic,
            (up - down) / (2 * h),
            parameter="all parameters along a random direction d (sum of grads * d)",
        )
    work = {k: np.array(v, dtype=float) for k, v in params.items()}
    for key, value in params.items():
        for _ in range(SAMPLED_COORDINATES):
            index = tuple(int(rng.integers(0, s)) for s in value.shape)
            original = work[key][index]
            work[key][index] = original + h
            up = loss_at(work)
            work[key][index] = original - h
            down = loss_at(work)
            work[key][index] = original
            compare(grads[key][index], (up - down) / (2 * h), parameter=f"{key}{list(index)}")
