"""for_all(calls=...) (issue 16): a check's declared calls go to the worker in one batch,
and the check's outcome (verdict, message, calls recorded, faults) is what it is without."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import strategies as st

from autograder.checks import plan
from autograder.checks.framework import CheckFailure, Registry, Student, for_all, run_check
from autograder.isolation.worker import Worker

MODULE = """
import random

def right(n):
    return n

def wrong(n):
    return n + 1 if n > 3 else n

def raises(n):
    if n == 2:
        raise ValueError(f"no {n}")
    return n

def mutates(xs):
    xs.append(0)
    return len(xs)

def jitter(n):
    return n + random.random()

def hang(n):
    while n == 7:
        pass
    return n
"""

NUMBERS = st.integers(0, 12)


@pytest.fixture(autouse=True)
def _live_examples(monkeypatch):
    monkeypatch.setenv(plan.LIVE_ENV, "live")


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("prefetch")
    (folder / "m.py").write_text(textwrap.dedent(MODULE))
    with Worker(folder, slot=43) as w:
        yield w


def check_of(function: str, declared: bool, extra: bool = False, timeout: float = 10.0):
    """A property check of ``function`` on NUMBERS, its calls declared or not."""
    calls = (lambda n: [(function, (n,))]) if declared else None

    @for_all(NUMBERS, max_examples=30, calls=calls)
    def body(student, n):
        got = student.call(function, n)
        if extra:  # a call the declaration does not name: sent alone
            student.call("right", n + 100)
        if got != n:
            raise CheckFailure(f"{function}({n}) returned {got}, expected {n}")

    registry = Registry()
    registry.check(task="9.1", function=function, name="demo", timeout=timeout)(body)
    return registry[0]


def list_check(declared: bool):
    @for_all(st.integers(0, 3), max_examples=10,
             calls=(lambda k: [("mutates", ([1] * k,))]) if declared else None)
    def body(student, k):
        student.call("mutates", [1] * k)

    registry = Registry()
    registry.check(task="9.1", function="mutates", name="demo")(body)
    return registry[0]


def graded(worker: Worker, check) -> tuple[tuple, int]:
    """(what the check's outcome says, round trips it took)."""
    worker.close()  # a fresh worker: module state (random's) the same for both runs
    worker.import_module("m")
    before = worker.requests
    outcome = run_check(check, Student(worker, "m"))
    log = [(r.function, repr(r.args), repr(r.kwargs), repr(r.result), r.error, r.returned)
           for r in outcome.extra["log"]]
    return (outcome.passed, outcome.message, outcome.fatal, log), worker.requests - before


@pytest.mark.parametrize("function", ["right", "wrong", "raises"])
def test_a_declared_check_grades_as_the_undeclared_one_in_fewer_round_trips(worker, function):
    alone, trips_alone = graded(worker, check_of(function, declared=False))
    batched, trips_batched = graded(worker, check_of(function, declared=True))
    assert batched == alone
    assert trips_batched < trips_alone
    if function == "right":
        assert alone[0] and trips_batched == 1 and trips_alone > 10
    else:
        assert not alone[0]


def test_unseeded_randomness_is_still_reported_as_such(worker):
    """(Each worker draws its own random seed: the values differ run to run, the verdict not.)"""
    alone, _ = graded(worker, check_of("jitter", declared=False))
    batched, trips = graded(worker, check_of("jitter", declared=True))
    for passed, message, _, _ in (alone, batched):
        assert not passed and "jitter returned different results for the same input" in message


def test_a_mutation_is_reported_from_a_batched_call(worker):
    alone, _ = graded(worker, list_check(declared=False))
    batched, _ = graded(worker, list_check(declared=True))
    assert batched == alone and "changed its input" in alone[1]


def test_a_call_not_declared_goes_alone(worker):
    alone, trips_alone = graded(worker, check_of("right", declared=False, extra=True))
    batched, trips = graded(worker, check_of("right", declared=True, extra=True))
    assert batched == alone and alone[0]
    assert trips == 1 + trips_alone // 2  # the batch, then each undeclared call


def test_a_hang_is_the_fault_of_the_example_whose_call_hung(worker):
    alone, _ = graded(worker, check_of("hang", declared=False, timeout=1.0))
    batched, _ = graded(worker, check_of("hang", declared=True, timeout=1.0))
    assert batched == alone
    passed, message, fatal, log = alone
    assert not passed and fatal and "timed out after 1 s in m.hang" in message
    assert log[-1][:2] == ("hang", "(7,)")  # the reported call is the hanging one


def test_a_declaration_that_differs_from_the_call_changes_nothing(worker):
    @for_all(NUMBERS, max_examples=30, calls=lambda n: [("right", (float(n),))])
    def body(student, n):  # declared with a float, called with an int: not the same call
        got = student.call("right", n)
        if type(got) is not int:
            raise CheckFailure(f"right({n}) returned {got!r}")

    registry = Registry()
    registry.check(task="9.1", function="right", name="demo")(body)
    outcome, _ = graded(worker, registry[0])
    assert outcome[0], outcome[1]
