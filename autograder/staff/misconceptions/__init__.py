"""The catalogue of known misconceptions: small variants of the reference (staff only).

A hint is given only from a diagnosis, and a diagnosis only from evidence (evidence.py):
the student's function agrees with one variant on every call the failing check recorded
and on separating inputs (separating.py) where that variant differs from the reference and
from every other variant of the function; then the message names the misconception and
the lecture section it contradicts. Otherwise no hint: the message says only what differs.

Each module ``a1.py`` .. ``a4.py`` defines ``CATALOGUE``: a list of ``Misconception``s.
A variant of a function has the function's signature; a variant of A3's ``Value`` is a
dict of replaced methods, installed on a private copy of the reference engine. Never
shipped: the bundle leaves out ``autograder/staff/`` whole.
"""

from __future__ import annotations

from typing import Any

from autograder.feedback.log import CallRecord
from autograder.staff.misconceptions import evidence
from autograder.staff.misconceptions.base import (  # the vocabulary, re-exported
    DIAGNOSIS,
    MATCH_ATOL,
    MATCH_RTOL,
    Misconception,
    WithReference,
    same,
)
from autograder.staff.misconceptions.catalogue import _catalogue, _plain_args  # noqa: F401
from autograder.staff.misconceptions.evidence import Ask

__all__ = ["DIAGNOSIS", "MATCH_ATOL", "MATCH_RTOL", "Misconception", "WithReference",
           "diagnose", "explain", "same"]


def diagnose(log: list[CallRecord], module: str, functions: str = "",
             ask: Ask | None = None, reference: Any = None) -> Misconception | None:
    """The misconception the evidence names for a failing check (evidence.diagnose);
    ``reference`` is the grading's reference loader (None: the located one, for tools)."""
    return evidence.diagnose(log, module, functions, ask, reference)


def explain(message: str, log: list[CallRecord], module: str, functions: str = "",
            ask: Ask | None = None, reference: Any = None) -> str:
    """``message`` with its diagnosis line, or unchanged when the evidence names none.

    ``ask`` runs a separating input with the student's code (grade.py passes one that
    calls the worker); without it no diagnosis is given. ``reference``: the grading's
    reference loader, from its context."""
    try:
        found = diagnose(log, module, functions, ask, reference)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus, never a reason to fail grading
        return message
    if found is None or DIAGNOSIS in message:
        return message
    return message.rstrip() + "\n" + found.message()
