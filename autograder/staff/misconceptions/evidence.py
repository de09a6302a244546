"""The evidence rule of a diagnosis: a misconception is named only when the student's
function agrees with that variant on every recorded call AND on the separating inputs.

Why: one input on which a student's output equals a variant's is not evidence; different
bugs agree with a variant on most single inputs (``w + x`` for ``w + y x`` equals "subtracts
y x" whenever y = -1). So the variant must agree with the student on every call of the
check the reference accepts (the failing ones and the passing ones), and then on the few
fixed inputs of separating.py, chosen on the trusted side so that every two of {reference,
variants} of that function differ on one of them; the student's function is called on those
through the worker (``ask``). Anything less: no diagnosis, the message says what differs.

Agreement is the checks' own value comparison (compare.RTOL / compare.ATOL), after the
student's value passed the variant's shape of result: same container types, dict keys,
lengths, array shapes and dtype kind; a non-finite entry agrees only where the variant's
value is the same non-finite entry (the variant predicts that NaN); an exception agrees
only with the same exception type; a timeout or crash never agrees.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograder.compare import ATOL, RTOL
from autograder.feedback.log import CallRecord, culprit
from autograder.sandboxed.protocol import Unencodable

Outcome = tuple[str, Any]
"""("ok", value), ("raised", exception type name) or ("fault", why): a call's outcome."""
Ask = Callable[[CallRecord], Outcome]
"""Runs one separating input with the student's code (in the worker) and says how it went."""


def variants(module: str, function: str) -> list:
    """The catalogued misconceptions of one function (A3: of ``Value``)."""
    from autograder.staff.misconceptions.catalogue import _catalogue

    return [m for m in _catalogue(module) if m.function == function]


def implementations(module: str, function: str, reference: Any = None) -> list:
    """The reference first, then each variant: callables, or Value classes for A3.
    ``reference``: the grading's reference loader (None: the located one, for tools); a
    variant built on the reference (WithReference) gets that one."""
    from autograder.staff.misconceptions.base import WithReference

    if reference is None:
        from autograder.staff.reference import located

        reference = located()
    found = variants(module, function)
    if module == "engine":
        from autograder.staff.misconceptions.a3 import value_class

        return [reference.load("engine").Value] + [value_class(m, reference) for m in found]
    return [getattr(reference.load(module), function)] + [
        functools.partial(m.variant.fn, reference) if isinstance(m.variant, WithReference)
        else m.variant for m in found]


def run(impl: Any, probe: CallRecord) -> Outcome:
    """The outcome of a trusted implementation (reference or variant) on a recorded call."""
    from autograder.sandboxed import fixtures
    from autograder.staff.misconceptions.catalogue import _plain_args

    try:
        with np.errstate(all="ignore"):
            if probe.kind == "graph":
                value = fixtures.run_graph(impl, probe.spec, probe.mode)
            else:
                args, kwargs = _plain_args(probe.args, probe.kwargs)
                value = impl(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - a variant may raise where the reference does not
        return "raised", type(error).__name__
    return "ok", list(value) if isinstance(value, tuple) else value


def recorded(record: CallRecord) -> Outcome:
    """The student's outcome of a recorded call: its value, the type it raised, or a fault."""
    if record.returned:
        return "ok", record.result
    error_type = record.error.split(" raised ", 1)[-1].split(":", 1)[0].strip()
    if " raised " in record.error and error_type and " " not in error_type:
        return "raised", error_type
    return "fault", record.error


def agree(got: Outcome, want: Outcome) -> bool:
    """Whether the student's outcome ``got`` is the variant's ``want`` (see the module doc)."""
    if got[0] != want[0] or got[0] == "fault":
        return False
    if got[0] == "raised":
        return got[1] == want[1]
    return _same_value(got[1], want[1])


def _same_value(got: Any, want: Any) -> bool:
    if isinstance(got, Unencodable):
        return False
    if isinstance(want, np.ndarray):
        return isinstance(got, np.ndarray) and _same_array(got, want)
    if isinstance(want, Mapping):
        return (isinstance(got, Mapping) and set(got) == set(want)
                and all(_same_value(got[k], want[k]) for k in want))
    if isinstance(want, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(_same_value(g, w) for g, w in zip(got, want, strict=True)))
    if isinstance(want, (bool, np.bool_)):
        return isinstance(got, bool) and got == bool(want)
    if isinstance(want, str) or want is None:
        return type(got) is type(want) and got == want
    if isinstance(want, (int, np.integer)):
        return isinstance(got, int) and not isinstance(got, bool) and got == int(want)
    if isinstance(want, (float, np.floating)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        return _same_array(np.asarray(float(got)), np.asarray(float(want)))
    return False


def _same_array(got: np.ndarray, want: np.ndarray) -> bool:
    if got.shape != want.shape:
        return False
    kinds = {"b": "b", "i": "i", "u": "i", "f": "f"}
    if kinds.get(got.dtype.kind) is None or kinds.get(got.dtype.kind) != kinds.get(
            want.dtype.kind):
        return False
    if want.dtype.kind != "f":
        return bool(np.array_equal(got, want))
    finite = np.isfinite(want)
    if not np.array_equal(np.isfinite(got), finite):
        return False
    if not np.array_equal(got[~finite], want[~finite], equal_nan=True):
        return False
    return bool(np.allclose(got[finite], want[finite], rtol=RTOL, atol=ATOL))


def diagnose(log: list[CallRecord], module: str, functions: str = "",
             ask: Ask | None = None, reference: Any = None):
    """The one misconception the evidence names for a failing check, or None.

    The failing call is ``culprit(log, functions)``; its function's variants are the
    candidates. A candidate survives when it agrees with the student on every call of the
    log to that function that the reference accepts, then on every separating input
    (``ask``); exactly one survivor is the diagnosis. Without ``ask`` there is no separating
    evidence, hence no diagnosis."""
    from autograder.staff.misconceptions import separating

    record = culprit(log, functions)
    if record is None or ask is None:
        return None
    key = separating.family(record, module)
    impls = implementations(*key, reference)
    candidates = list(zip(variants(*key), impls[1:], strict=True))
    if not candidates:
        return None
    expected = run(impls[0], record)
    if expected[0] != "ok" or agree(recorded(record), expected):
        return None  # no wrong value of this function here: nothing to explain
    calls = [r for r in log if r.kind == record.kind
             and (r.kind == "graph" or r.function == record.function)]
    for call in calls:
        if call is not record and run(impls[0], call)[0] != "ok":
            continue  # an input the reference refuses says nothing about the formula
        got = recorded(call)
        candidates = [(m, impl) for m, impl in candidates if agree(got, run(impl, call))]
        if not candidates:
            return None
    for probe in separating.separating(*key):
        got = ask(probe)
        candidates = [(m, impl) for m, impl in candidates if agree(got, run(impl, probe))]
        if not candidates:
            return None
    return candidates[0][0] if len(candidates) == 1 else None


def unseparated(module: str, function: str) -> list[tuple[str, str]]:
    """Pairs of {reference, variants} (by id) that no candidate of the pool tells apart."""
    from autograder.staff.misconceptions import separating

    impls = implementations(module, function)
    names = ["reference"] + [m.id for m in variants(module, function)]
    probes = separating.separating(module, function)
    rows = [[run(impl, probe) for impl in impls] for probe in probes]
    return [(names[i], names[j]) for i in range(len(impls)) for j in range(i + 1, len(impls))
            if all(agree(row[i], row[j]) for row in rows)]

