"""Validate, then compute: every check, fed hostile plain values, fails with a reason.

A stand-in worker answers every call (and every A3 graph) of every check of every suite,
hidden included, with one hostile value in turn: an int too big for a float, NaN, inf,
zero, a dict with extra keys, a broadcastable wrong shape, an empty list, a large array,
and for graphs a well-formed reply whose every number is that value (a Value whose ops all
return Value(0.0)). Each check must fail with a message, never record a fault of the grader
(``internal_error``: "not graded", ``grade`` exit 3), and finish.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from autograder.checks import suite
from autograder.checks.framework import Student, run_check

LARGE_ENTRIES = 1_000_000
"""Entries of the large array (8 MB): big for every contract, small for the test's time."""
HANG_GUARD_SECONDS = 120.0
"""Not a timing assertion: a check past this is computing on an unbounded student value."""

PLAIN = {
    "huge_int": 10**400,
    "nan": float("nan"),
    "inf": float("inf"),
    "zero": 0,
    "extra_keys": {"weights": np.ones(1), "W1": np.ones((1, 1)), "b1": np.ones((1, 1)),
                   "W9": np.ones((1, 1)), "extra": 1},
    "broadcastable": np.ones((1, 1)),
    "empty_list": [],
    "large_array": np.zeros(LARGE_ENTRIES),
}
NUMBERS = {"huge_int": 10**400, "nan": float("nan"), "inf": float("inf"), "zero": 0.0}


def _graph_reply(spec: dict, number) -> dict:
    """A well-formed graph reply (data, grads, locals and links of every node) of one
    number."""
    names = [*spec["inputs"], *(node["id"] for node in spec["nodes"])]
    operands = {node["id"]: [a for a in node["args"] if isinstance(a, str)]
                for node in spec["nodes"]}
    return {"data": dict.fromkeys(names, number), "grads": dict.fromkeys(names, number),
            "locals": {node: [dict.fromkeys(args, number) for _ in range(3)]
                       for node, args in operands.items()},
            "links": operands}


class HostileWorker:
    """Answers every call with ``value``; every graph with ``graph(spec)``."""

    def __init__(self, value, graph):
        self.value, self.graph_of = value, graph

    def call(self, module, function, *args, timeout=None, **kwargs):
        return self.value

    def graph(self, module, spec, mode, timeout=None):
        return self.graph_of(spec)


VARIANTS = [(name, value, lambda spec, v=value: v) for name, value in PLAIN.items()] + [
    (f"graph_of_{name}", number, lambda spec, n=number: _graph_reply(spec, n))
    for name, number in NUMBERS.items()
]
SUITES = suite(include_hidden=True)
RIGHT_BY_CHANCE = {("relu at 0: value 0 and relu'(0) = 0", "graph_of_zero"),
                   ("2.2 f and grad_f get copies", "zero"),
                   ("2.2 f and grad_f get copies", "graph_of_zero")}
"""(check, variant) where the hostile value is the right answer: relu(0) = 0, relu'(0) = 0;
gradient_check of a right gradient (lecture 000's 3-variable f) is ~1e-10, so 0 is within the
check's tolerance."""


@pytest.mark.parametrize("s", SUITES, ids=[s.assignment.id for s in SUITES])
def test_every_check_fails_hostile_values_with_a_reason(s):
    from autograder.context import default_context
    from autograder.grade import require_grading_inputs

    # the hidden checks' reference, as a grading would: from the context
    context = default_context()
    require_grading_inputs([s], context)
    faults, passed, slow = [], [], []
    for name, value, graph in VARIANTS:
        student = Student(HostileWorker(value, graph), s.assignment.module,
                          assignment=s.assignment,
                          reference_solution=context.reference_solution())
        for check in s.checks:
            started = time.monotonic()
            outcome = run_check(check, student)
            where = f"{check.task} {check.name} [{name}]"
            if outcome.extra.get("internal_error"):
                faults.append(f"{where}: {outcome.message[:300]}")
            elif outcome.passed:
                if ((check.name, name) not in RIGHT_BY_CHANCE
                        and (f"{check.task} {check.name}", name) not in RIGHT_BY_CHANCE):
                    passed.append(where)
            elif not outcome.message.strip():
                faults.append(f"{where}: failed without a reason")
            if time.monotonic() - started > HANG_GUARD_SECONDS:
                slow.append(where)
    assert not faults, "\n".join(faults)
    assert not slow, slow
    assert not passed, passed


def _all_raise_module(ref) -> str:
    """Source of a module with ref's public functions and classes, every one raising."""
    import inspect

    lines = ["import numpy as np\n\n\n"]
    for name, item in vars(ref).items():
        if getattr(item, "__module__", "") != ref.__name__ or name.startswith("_"):
            continue
        if inspect.isfunction(item):
            lines.append(f"def {name}(*args, **kwargs):\n    raise ValueError('no')\n\n\n")
        elif inspect.isclass(item):
            lines.append(f"class {name}:\n    def __init__(self, data, _children=(), _op=''):\n"
                         "        self.data, self.grad, self._op = data, 0.0, _op\n"
                         "        self._prev, self._backward = set(_children), lambda: None\n")
            for method, fn in vars(item).items():
                if callable(fn) and method != "__init__":
                    lines.append(f"    def {method}(self, *a, **k):\n"
                                 "        raise ValueError('no')\n")
            lines.append("\n\n")
    return "".join(lines)


def test_a_module_whose_every_function_raises_earns_nothing(tmp_path):
    """No points for no work: raising a documented ValueError earns only beside right values,
    and a replay that raises the same undocumented error is no agreement (was 2.1 of 73)."""
    from autograder.grade import grade_submission
    from autograder.staff import reference

    for module, folder in reference.module_folders().items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{module}.py").write_text(_all_raise_module(reference.load(module)))
    result = grade_submission(tmp_path)
    earned = {t.task: [c.name for c in t.checks if c.passed]
              for a in result.assignments for t in a.tasks if t.score}
    assert result.max_score == 73 and earned == {}, earned
