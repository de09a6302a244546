"""Every documented contract has a check: derived from the reference's signatures and
docstrings, so that a function cannot be added (or a keyword, or a ``Raises:``) without one.

The checks of each assignment run against the reference solution with a recording Student:
every call is bound to the reference's signature, and a keyword parameter counts as
exercised when some check passes it a value other than its default; a documented
``Raises: SomeError`` counts when some check expects it (``Student.call_raises``).
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from conftest import REFERENCE

from autograder.checks import suite
from autograder.checks.framework import Student, run_check
from autograder.isolation.worker import Worker
from autograder.staff import reference

RAISES_ENTRY = re.compile(r"^\s{4,}([A-Z]\w*(?:Error|Exception))\s*:", re.M)

KNOWN_GAPS: dict[tuple[str, str, str], str] = {
    # (module, function, "keyword:NAME" | "raises:NAME"): why it has no check yet. A
    # temporary list: the test fails once a gap is closed, so the line goes.
}


def documented_contracts(module_name: str) -> dict[tuple[str, str], object]:
    """(function, "keyword:h" | "raises:ValueError") -> the keyword's default (or None)."""
    module = reference.load(module_name)
    contracts: dict[tuple[str, str], object] = {}
    for name, fn in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
            continue
        for parameter in inspect.signature(fn).parameters.values():
            if parameter.default is not inspect.Parameter.empty:
                contracts[(name, f"keyword:{parameter.name}")] = parameter.default
        doc = inspect.getdoc(fn) or ""
        if "Raises:" in doc:
            for exception in RAISES_ENTRY.findall("    " + doc.split("Raises:", 1)[1]):
                contracts[(name, f"raises:{exception}")] = None
    return contracts


class RecordingStudent(Student):
    """A Student that notes which keyword values and expected exceptions the checks use."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: set[tuple[str, str]] = set()
        self.reference = reference.load(self.module)

    def call(self, function, *args, **kwargs):
        fn = getattr(self.reference, function, None)
        if inspect.isfunction(fn):
            try:
                bound = inspect.signature(fn).bind(*args, **kwargs)
            except TypeError:
                bound = None
            for name, value in (bound.arguments.items() if bound else ()):
                default = inspect.signature(fn).parameters[name].default
                if default is not inspect.Parameter.empty and _differs(value, default):
                    self.seen.add((function, f"keyword:{name}"))
        return super().call(function, *args, **kwargs)

    def call_raises(self, exception, function, *args, **kwargs):
        self.seen.add((function, f"raises:{exception}"))
        return super().call_raises(exception, function, *args, **kwargs)


def _differs(value, default) -> bool:
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        return True
    try:
        return bool(value != default) or type(value) is not type(default)
    except Exception:  # noqa: BLE001 - an exotic value: it is not the default
        return True


def contract_gaps(assignment: str, without: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    """The documented contracts of ``assignment`` that no check (but those named in
    ``without``) exercises, found by running the checks on the reference."""
    (s,) = [s for s in suite(include_hidden=True) if s.assignment.id == assignment]
    checks = [check for check in s.checks if check.name not in without]
    contracts = documented_contracts(s.assignment.module)
    assert contracts, "found no documented contract: the walk is broken"
    with Worker(REFERENCE / s.assignment.folder) as worker:
        student = RecordingStudent(worker, s.assignment.module, assignment=s.assignment,
                                   reference_solution=reference.for_folder(REFERENCE))
        failed = [check.name for check in checks if not run_check(check, student).passed]
    assert not failed, f"the reference fails {failed}"
    return {key for key in contracts if key not in student.seen}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["a1", "a2", "a4"])
def test_every_keyword_and_documented_raises_has_a_check(assignment):
    (s,) = [s for s in suite(include_hidden=False) if s.assignment.id == assignment]
    module = s.assignment.module
    gaps = contract_gaps(assignment)
    known = {(f, c) for (m, f, c) in KNOWN_GAPS if m == module}
    unexpected = sorted(gaps - known)
    assert not unexpected, (
        "documented contracts no check exercises (a keyword with a non-default value, or a"
        f" documented Raises): {unexpected}"
    )
    closed = sorted(known - gaps)
    assert not closed, f"KNOWN_GAPS lists {closed}, which now have a check: remove them"


def test_the_walk_sees_a_missing_keyword_or_raises_check():
    """Without the checks that exercise them, gradient_check's h and mistake_bound's
    ValueError are reported as gaps (the walk can fail). gradient_check's h is exercised by
    its visible keyword check and its hidden differential (which draws it from the domain)."""
    without = ("uses its h (keyword)", "same as the reference")
    assert ("gradient_check", "keyword:h") in contract_gaps("a2", without)
    gaps = contract_gaps("a1", ("raises ValueError when no bound exists",))
    assert ("mistake_bound", "raises:ValueError") in gaps


def test_the_walk_finds_documented_raises_and_keywords():
    """The walk's own premise, on the reference: mistake_bound documents a ValueError and
    gradient_descent has its three keywords (a regex that silently finds nothing would
    make the test above vacuous)."""
    a1 = documented_contracts("perceptron")
    assert ("mistake_bound", "raises:ValueError") in a1
    assert ("train_perceptron", "keyword:max_epochs") in a1
    a2 = documented_contracts("gradient_descent")
    for keyword in ("eps", "max_iters", "criterion"):
        assert ("gradient_descent", f"keyword:{keyword}") in a2
