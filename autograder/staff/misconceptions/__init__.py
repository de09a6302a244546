"""The catalogue of known misconceptions: small variants of the reference (staff only).

A hint is given only from a diagnosis. When a check fails, ``diagnose`` re-runs, on the
trusted side, every variant catalogued for the failing call's function on the same input;
if the student's result equals one variant's (and that variant differs from the reference
there, so the match means something), the message names the misconception and the lecture
section it contradicts. No match: no hint, the message says only what differs.

Each module ``a1.py`` .. ``a4.py`` defines ``CATALOGUE``: a list of ``Misconception``s.
A variant of a function has the function's signature; a variant of A3's ``Value`` is a
dict of replaced methods, installed on a private copy of the reference engine. Never
shipped: the bundle leaves out ``autograder/staff/`` whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.feedback.log import CallRecord, culprit
from autograder.staff.misconceptions.base import (  # the vocabulary, re-exported
    DIAGNOSIS,
    MATCH_ATOL,
    MATCH_RTOL,
    Misconception,
    WithReference,
    same,
)

__all__ = ["DIAGNOSIS", "MATCH_ATOL", "MATCH_RTOL", "Misconception", "WithReference",
           "diagnose", "explain", "same"]


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


def _run(variant: Callable | WithReference, record: CallRecord, reference: Any) -> Any:
    args, kwargs = _plain_args(record.args, record.kwargs)
    if isinstance(variant, WithReference):
        args = (reference, *args)
        variant = variant.fn
    with np.errstate(all="ignore"):
        result = variant(*args, **kwargs)
    if isinstance(result, tuple):
        result = list(result)
    return result


def _match_call(record: CallRecord, module: str, reference: Any) -> Misconception | None:
    candidates = [m for m in _catalogue(module) if m.function == record.function]
    if not candidates:
        return None
    try:
        expected = _run(getattr(reference.load(module), record.function), record, reference)
    except Exception:  # noqa: BLE001 - an input the reference refuses: nothing to diagnose
        return None
    for m in candidates:
        try:
            wrong = _run(m.variant, record, reference)
        except Exception:  # noqa: BLE001 - the variant fails on this input: not this one
            continue
        if same(record.result, wrong) and not same(wrong, expected):
            return m
    return None


def _match_graph(record: CallRecord, reference: Any) -> Misconception | None:
    from autograder.sandboxed import fixtures
    from autograder.staff.misconceptions.a3 import value_class

    try:
        expected = fixtures.run_graph(reference.load("engine").Value, record.spec, record.mode)
    except Exception:  # noqa: BLE001
        return None
    for m in _catalogue("engine"):
        try:
            wrong = fixtures.run_graph(value_class(m, reference), record.spec, record.mode)
        except Exception:  # noqa: BLE001 - e.g. the overflow variant raising
            continue
        if same(record.result, wrong) and not same(wrong, expected):
            return m
    return None


def diagnose(log: list[CallRecord], module: str, functions: str = "",
             reference: Any = None) -> Misconception | None:
    """The misconception the failing call of a check matches, if exactly known (the call
    is the last one to the check's own ``functions``, as in the message: log.culprit).
    ``reference`` is the grading's reference loader (None: the located one, for tools)."""
    record = culprit(log, functions)
    if record is None:
        return None
    if reference is None:
        from autograder.staff.reference import located

        reference = located()
    if not record.returned:  # it raised: match the error by re-running would run student code
        return _match_raising(record, module, reference)
    if record.kind == "graph":
        return _match_graph(record, reference)
    return _match_call(record, module, reference)


def _match_raising(record: CallRecord, module: str, reference: Any) -> Misconception | None:
    """A call that raised matches a variant that raises the same exception type there,
    on an input the reference handles."""
    from autograder.sandboxed import fixtures
    from autograder.staff.misconceptions.a3 import value_class

    error_type = record.error.split(" raised ", 1)[-1].split(":", 1)[0].strip()
    if not error_type or " " in error_type:
        return None
    try:  # an input on which the reference raises too (a bad value passed along) says nothing
        if record.kind == "graph":
            fixtures.run_graph(reference.load("engine").Value, record.spec, record.mode)
        else:
            _run(getattr(reference.load(module), record.function), record, reference)
    except Exception:  # noqa: BLE001
        return None
    for m in _catalogue(module):
        if record.kind != "graph" and m.function != record.function:
            continue
        try:
            if record.kind == "graph":
                fixtures.run_graph(value_class(m, reference), record.spec, record.mode)
            else:
                _run(m.variant, record, reference)
        except Exception as error:  # noqa: BLE001
            if type(error).__name__ == error_type:
                return m
    return None


def explain(message: str, log: list[CallRecord], module: str, functions: str = "",
            reference: Any = None) -> str:
    """``message`` with its diagnosis line, or unchanged when nothing in the catalogue fits.
    ``reference``: the grading's reference loader, from its context (see diagnose)."""
    try:
        found = diagnose(log, module, functions, reference)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus, never a reason to fail grading
        return message
    if found is None or DIAGNOSIS in message:
        return message
    return message.rstrip() + "\n" + found.message()
