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

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.feedback.log import CallRecord
from autograder.staff.misconceptions import evidence
from autograder.staff.misconceptions.evidence import Ask

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


def _catalogue(module: str) -> list[Misconception]:
    from autograder.staff.misconceptions import a1, a2, a3, a4

    return {"perceptron": a1.CATALOGUE, "gradient_descent": a2.CATALOGUE,
            "engine": a3.CATALOGUE, "mlp": a4.CATALOGUE}.get(module, [])


def _plain_args(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Arguments as the reference takes them: A2's FnRef markers become the callables."""
    from autograder.sandboxed.fixtures import make_function, make_hessian
    from autograder.sandboxed.protocol import FnRef

    def plain(value: Any) -> Any:
        if isinstance(value, FnRef):
            if value.part == "hess":
                return make_hessian(value.name, value.params)
            f, grad = make_function(value.name, value.params)
            return f if value.part == "f" else grad
        if isinstance(value, np.ndarray):
            return value.copy()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return tuple(plain(a) for a in args), {k: plain(v) for k, v in kwargs.items()}


def diagnose(log: list[CallRecord], module: str, functions: str = "",
             ask: Ask | None = None) -> Misconception | None:
    """The misconception the evidence names for a failing check (evidence.diagnose)."""
    return evidence.diagnose(log, module, functions, ask)


def explain(message: str, log: list[CallRecord], module: str, functions: str = "",
            ask: Ask | None = None) -> str:
    """``message`` with its diagnosis line, or unchanged when the evidence names none.

    ``ask`` runs a separating input with the student's code (grade.py passes one that
    calls the worker); without it no diagnosis is given."""
    try:
        found = diagnose(log, module, functions, ask)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus, never a reason to fail grading
        return message
    if found is None or DIAGNOSIS in message:
        return message
    return message.rstrip() + "\n" + found.message()
