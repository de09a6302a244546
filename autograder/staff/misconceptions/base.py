"""The vocabulary of the misconception catalogue: a Misconception, a variant built on the
reference (WithReference), and what "the same result" means. The catalogue modules (a1.py
.. a4.py) and the matcher (__init__.py) both import it, so they form no import circle."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MATCH_RTOL = 1e-6
"""A student's result 'equals' a variant's within the checks' own RTOL (compare.RTOL):
two implementations of the same wrong formula differ only by rounding (~1e-15)."""
MATCH_ATOL = 1e-9
"""Absolute floor for entries that are 0 in one of them (compare.ATOL)."""

DIAGNOSIS = "  diagnosis:"
"""The line a diagnosed misconception starts with in a message."""


@dataclass(frozen=True)
class Misconception:
    """A known wrong idea: what the student's code does and where the lecture says otherwise.

    ``function``: the name a check calls (``perceptron_update``) or ``Value`` for A3.
    ``variant``: for a function, a callable with its signature computing the wrong result;
    for ``Value``, {method name: replacement} installed on a copy of the reference Value.
    ``says``: completes "your <function> ..." in words, never in code (for Value: the
    whole sentence, which names the method).
    ``source``: the lecture and section, e.g. "lecture 000, 'Activations and their
    derivatives'".
    """

    id: str
    function: str
    says: str
    source: str
    variant: Any = field(repr=False)

    def message(self) -> str:
        """'  diagnosis: your ... (lecture N, 'Section').' (one line: reports wrap it)."""
        who = "" if self.function == "Value" else f"your {self.function} "
        return f"{DIAGNOSIS} {who}{self.says} ({self.source})."


def same(got: Any, want: Any) -> bool:
    """Structural equality within MATCH_RTOL/MATCH_ATOL; NaN equals NaN; lists ~ arrays."""
    if isinstance(got, np.ndarray) or isinstance(want, np.ndarray):
        try:
            g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        except (TypeError, ValueError):
            return False
        return g.shape == w.shape and bool(
            np.allclose(g, w, rtol=MATCH_RTOL, atol=MATCH_ATOL, equal_nan=True))
    if isinstance(got, Mapping) and isinstance(want, Mapping):
        return set(got) == set(want) and all(same(got[k], want[k]) for k in want)
    if isinstance(got, (list, tuple)) and isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(got, bool) or isinstance(want, bool) or isinstance(got, str):
        return type(got) is type(want) and got == want
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return same(np.asarray(float(got)), np.asarray(float(want)))
    return got == want


@dataclass(frozen=True)
class WithReference:
    """A variant built on the reference: ``fn(reference, *args, **kwargs)``, called with the
    reference of the grading that asks for the diagnosis (never one of its own)."""

    fn: Callable
