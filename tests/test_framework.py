"""The check framework and the comparison helpers, on a fake in-process worker.

The fake worker stands in for the sandbox so these tests exercise only the framework's
logic: messages, the smallest failing input, faults, determinism. Their ad hoc property
checks have no stored plan, so they draw their examples live (``BPLAB_PLANS=live``), the
way ``autograder make-plans`` draws a plan.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from autograder.checks import plan
from autograder.checks.framework import Registry, Student, for_all, run_check
from autograder.compare import (
    CheckFailure,
    assert_close,
    assert_gradient_close,
    expect_array,
    expect_float,
    rel_error,
)
from autograder.isolation.worker import StudentError, WorkerFault
from autograder.sandboxed.protocol import Unencodable


class FakeWorker:
    """Calls plain Python functions; raises what the real worker would."""

    def __init__(self, functions):
        self.functions = functions
        self.calls = 0

    def call(self, module, function, *args, timeout=None, **kwargs):
        self.calls += 1
        return self.functions[function](*args, **kwargs)

    def call_returning_args(self, module, function, *args, timeout=None, **kwargs):
        args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]  # as if sent
        return self.call(module, function, *args, **kwargs), args, kwargs


@pytest.fixture(autouse=True)
def _live_examples(monkeypatch):
    monkeypatch.setenv(plan.LIVE_ENV, "live")


def _run(check_fn, functions):
    registry = Registry()
    registry.check(task="9.1", function="f", name="demo")(check_fn)
    worker = FakeWorker(functions)
    return run_check(registry[0], Student(worker, "m")), worker


def test_rel_error_matches_cs231n_definition():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)  # |1-3| / (1+3)
    assert rel_error(0.0, 0.0) == 0.0  # guarded by the 1e-8 floor


def test_expect_array_says_what_came_back():
    with pytest.raises(CheckFailure, match="returned a list, expected a float64 array of shape"):
        expect_array([1.0], (1,), what="f(x)")
    with pytest.raises(CheckFailure, match="int64 array"):
        expect_array(np.arange(3), (3,), what="f(x)")
    with pytest.raises(CheckFailure, match=r"returned shape \(3,\), expected shape \(3, 1\)"):
        expect_array(np.zeros(3), (3, 1), what="f(x)")
    with pytest.raises(CheckFailure, match="non-finite value nan at index \\[1\\]"):
        expect_array(np.array([0.0, np.nan]), (2,), what="f(x)")
    with pytest.raises(CheckFailure, match="returned a Foo object"):
        expect_float(Unencodable("Foo", "<Foo>"), what="f(x)")
    assert expect_float(np.array([2.0]), what="f(x)") == 2.0


def test_assert_close_names_first_differing_index_only():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] = 99.0
    with pytest.raises(CheckFailure) as info:
        assert_close(got, expected, what="f(x)", inputs="x = 1")
    text = str(info.value)
    assert "at index [1, 2]: expected 5, got 99 (1 of 6 entries differ)" in text
    assert "input: x = 1" in text
    assert_close(expected + 1e-12, expected, what="f(x)")  # rounding is not a bug


def test_assert_gradient_close_names_parameter_index_and_relative_error():
    expected = np.ones((2, 2))
    got = expected.copy()
    got[0, 1] = -1.0
    with pytest.raises(CheckFailure) as info:
        assert_gradient_close(got, expected, what="mlp_loss_and_grads", parameter="W1")
    text = str(info.value)
    assert "W1[0, 1]: expected 1, got -1 (relative error 1.00e+00" in text


def test_for_all_reports_the_smallest_failing_input():
    strategy = st.integers(min_value=0, max_value=1000)

    @for_all(strategy)
    def body(student, n):
        got = student.call("f", n)
        if got != n:
            raise CheckFailure(f"f({n}) returned {got}, expected {n}")

    drawn = plan.draw_examples(strategy, 40)
    smallest = min(n for n in drawn if n >= 17)  # what f gets wrong, of what the plan holds
    outcome, _ = _run(body, {"f": lambda n: n if n < 17 else n + 1})
    assert not outcome.passed
    assert f"f({smallest}) returned {smallest + 1}, expected {smallest}" in outcome.message
    assert f"  reproduce (import numpy as np; from m import *):\n      f({smallest})" \
        in outcome.message
    assert "input:" not in outcome.message  # never the raw hypothesis example


def test_a_property_check_without_a_stored_plan_is_not_graded(monkeypatch):
    monkeypatch.delenv(plan.LIVE_ENV)

    @for_all(st.integers(min_value=0, max_value=5))
    def body(student, n):
        student.call("f", n)

    outcome, worker = _run(body, {"f": lambda n: n})
    assert not outcome.passed and outcome.extra["internal_error"]
    assert "no stored examples for check '9.1 f: demo'" in outcome.message
    assert "autograder make-plans" in outcome.message
    assert worker.calls == 0  # nothing was generated behind the author's back


def test_unseeded_randomness_is_reported_as_such_not_as_a_wrong_value():
    calls = []

    def jittery(n):  # off by one on every third call: what unseeded randomness looks like
        calls.append(n)
        return n + (len(calls) % 3 == 0)

    @for_all(st.integers(min_value=0, max_value=1000))
    def body(student, n):
        got = student.call("f", n)
        if got != n:
            raise CheckFailure(f"f({n}) returned {got}, expected {n}")

    outcome, _ = _run(body, {"f": jittery})
    assert not outcome.passed
    assert "f returned different results for the same input" in outcome.message


def test_a_failure_that_does_not_repeat_is_reported_as_flaky():
    calls = []

    def once_wrong(n):  # wrong on its first call only: the failing example's replay passes
        calls.append(n)
        return n + 1 if len(calls) == 1 else n

    @for_all(st.integers(min_value=0, max_value=1000))
    def body(student, n):
        got = student.call("f", n)
        if got != n:
            raise CheckFailure(f"f({n}) returned {got}, expected {n}")

    outcome, _ = _run(body, {"f": once_wrong})
    assert not outcome.passed
    assert "f returned different results for the same input" in outcome.message
    assert calls[0] == calls[1]  # the failing example was replayed, and passed


def test_student_exception_becomes_a_message_with_the_input():
    def broken(n):
        raise StudentError("ZeroDivisionError", "division by zero", "  File perceptron.py, line 3")

    @for_all(st.integers(min_value=0, max_value=5))
    def body(student, n):
        student.call("f", n)

    outcome, _ = _run(body, {"f": broken})
    assert "f raised ZeroDivisionError: division by zero" in outcome.message
    assert "perceptron.py, line 3" in outcome.message
    assert outcome.message.endswith("reproduce (import numpy as np; from m import *):\n      f(0)")


def test_fatal_fault_stops_the_check_without_more_calls():
    def hang(n):
        raise WorkerFault("timeout", "timed out after 10 s in m.f")

    @for_all(st.integers(min_value=0, max_value=1000), max_examples=50)
    def body(student, n):
        student.call("f", n)

    outcome, worker = _run(body, {"f": hang})
    assert outcome.fatal and "timed out after 10 s" in outcome.message
    assert worker.calls == 1  # replays reuse the recorded fault instead of hanging again


def test_a_bug_in_a_check_is_reported_as_the_graders_fault():
    def check(student):
        raise KeyError("oops")

    outcome, _ = _run(check, {})
    assert not outcome.passed and outcome.extra["internal_error"]
    assert "fault of the grader" in outcome.message


def test_for_all_is_deterministic():
    seen = []

    @for_all(st.floats(-1e3, 1e3, allow_nan=False), max_examples=20)
    def body(student, x):
        seen.append(x)

    _run(body, {})
    first = list(seen)
    seen.clear()
    _run(body, {})
    assert seen == first


def test_call_unmutated_reports_an_input_changed_in_place():
    def update(w, x):
        w += x
        return w

    def check(student):
        student.call_unmutated("update", np.zeros(3), np.array([0.0, 2.0, 0.0]))

    outcome, _ = _run(check, {"update": update})
    assert "update changed its input argument 1 in place" in outcome.message
    assert "at index [1]: was 0, now 2" in outcome.message

    outcome, _ = _run(check, {"update": lambda w, x: w + x})
    assert outcome.passed


class _ReturningWorker(FakeWorker):
    """Sends deep copies, as the sandbox does: what the function does to them comes back."""

    def call_returning_args(self, module, function, *args, timeout=None, **kwargs):
        import copy

        args, kwargs = copy.deepcopy(list(args)), copy.deepcopy(kwargs)
        value = self.call(module, function, *args, **kwargs)
        return value, [list(a) if isinstance(a, tuple) else a for a in args], kwargs


def _run_in_task(check_fn, functions, task="9.1", function="f"):
    from autograder.checks.framework import Assignment, Task

    assignment = Assignment("a9", "a9_demo", "m", "demo", (
        Task("9.1", "f and g", 1, ("f", "g")), Task("9.2", "h", 1, ("h",)),
    ))
    registry = Registry()
    registry.check(task=task, function=function, name="demo")(check_fn)
    return run_check(registry[0], Student(_ReturningWorker(functions), "m", assignment=assignment))


@pytest.mark.parametrize("function, args, kwargs, says", [
    (lambda layers: layers.append(3), ([1, 2],), {}, "its length changed from 2 to 3"),
    (lambda p: p.pop("W"), ({"W": np.ones(2)},), {}, "key 'W' was removed"),
    (lambda p: p.update(v=1), ({"W": np.ones(2)},), {}, "key 'v' was added"),
    (lambda p: p["W"].__setitem__(1, 5.0), ({"W": np.ones(2)},), {}, "['W'] at index [1]"),
    (lambda x, h: h.__setitem__(0, 9.0), (np.ones(1),), {"h": np.ones(1)}, "input h in place"),
    (lambda xs: xs[1].fill(0.0), ((np.ones(1), np.ones(2)),), {}, "item 1: at index [0]"),
])
def test_every_call_fails_its_check_when_it_changes_an_argument(function, args, kwargs, says):
    outcome = _run_in_task(lambda student: student.call("f", *args, **kwargs), {"f": function})
    assert not outcome.passed and "f changed its input" in outcome.message, outcome.message
    assert says in outcome.message


def test_nan_entries_and_untouched_arguments_are_not_mutations():
    def f(x, sizes, params):
        return float(np.nansum(x)) + len(sizes) + len(params)

    outcome = _run_in_task(
        lambda student: student.call("f", np.array([np.nan, 1.0]), [1, 2], {"W": np.eye(2)}),
        {"f": f},
    )
    assert outcome.passed, outcome.message


def test_a_mutation_counts_only_in_the_task_of_the_function_that_made_it():
    def mutate(x):
        x[0] = 1.0
        return x

    def uses_h_as_a_building_block(student):
        student.call("h", np.zeros(2))

    # h belongs to task 9.2: a check of task 9.1 that only uses h is not failed for it...
    assert _run_in_task(uses_h_as_a_building_block, {"h": mutate}).passed
    # ...a check of h's own task is, and so is one of the same task calling g, not f.
    assert not _run_in_task(uses_h_as_a_building_block, {"h": mutate}, "9.2", "h").passed
    assert not _run_in_task(lambda s: s.call("g", np.zeros(2)), {"g": mutate}).passed
