"""Batch requests (issue 16): several calls in one request, each reported as alone."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.isolation.worker import BatchCall, StudentError, Worker, WorkerFault

MODULE = """
import numpy as np

def add(a, b):
    return a + b

def scale(x):
    x *= 2          # changes its input in place
    return float(x.sum())

def outer(x):
    return inner(x)

def inner(x):
    raise ValueError(f"bad input {x}")

def custom():
    class Foo:
        def __repr__(self):
            return "Foo()"
    return Foo()

def count():
    global N
    N = globals().get("N", 0) + 1
    return N

def sleep(s):
    import time
    time.sleep(s)
    return s

def segfault():
    import ctypes
    ctypes.string_at(0)

def leave():
    import sys
    sys.exit(3)
"""


@pytest.fixture()
def worker(tmp_path: Path):
    (tmp_path / "sub.py").write_text(textwrap.dedent(MODULE))
    with Worker(tmp_path, slot=41) as w:
        yield w


def one_by_one(worker: Worker, calls: list[BatchCall]) -> list[tuple]:
    """Each call alone, as Student.call makes it: ("ok", value, args, kwargs) or
    ("raised", type, message, traceback) or ("fault", kind, message)."""
    seen = []
    for c in calls:
        try:
            value, args, kwargs = worker.call_returning_args(
                c.module, c.function, *c.args, timeout=c.timeout, **c.kwargs)
            seen.append(("ok", value, args, kwargs))
        except StudentError as error:
            seen.append(("raised", error.type_name, error.message, error.traceback))
        except WorkerFault as fault:
            seen.append(("fault", fault.kind, fault.message))
    return seen


def flat(outcomes) -> list[tuple | None]:
    seen = []
    for o in outcomes:
        if o is None:
            seen.append(None)
        elif o.value is not None:
            seen.append(("ok", *o.value))
        elif o.error is not None:
            seen.append(("raised", o.error.type_name, o.error.message, o.error.traceback))
        else:
            seen.append(("fault", o.fault.kind, o.fault.message))
    return seen


def same(a, b) -> bool:
    """Equal as plain data, arrays by dtype, shape and entries."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and np.array_equal(a, b))
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b, strict=True)))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def mixed_calls() -> list[BatchCall]:
    a = np.arange(6.0).reshape(2, 3)
    return [
        BatchCall("sub", "add", (a, a)),
        BatchCall("sub", "add", (1, 2)),
        BatchCall("sub", "scale", (np.ones(3),)),
        BatchCall("sub", "outer", (5,)),
        BatchCall("sub", "missing", ()),
        BatchCall("sub", "custom", ()),
        BatchCall("sub", "add", (), {"a": [1], "b": [2.5]}),
        BatchCall("sub", "leave", ()),
        BatchCall("sub", "count", ()),
        BatchCall("sub", "count", ()),
    ]


def test_a_batch_reports_what_the_same_calls_report_one_by_one(worker, tmp_path):
    calls = mixed_calls()
    batched = flat(worker.call_batch(calls))
    with Worker(tmp_path, slot=42) as fresh:  # the same module state: a fresh worker
        alone = one_by_one(fresh, calls)
    assert len(batched) == len(alone) == len(calls)
    for got, want in zip(batched, alone, strict=True):
        assert same(got, want), (got, want)
    kinds = [entry[0] for entry in batched]
    assert kinds == ["ok", "ok", "ok", "raised", "raised", "ok", "ok", "raised", "ok", "ok"]
    # the mutation is reported: scale's argument comes back doubled
    np.testing.assert_array_equal(batched[2][2][0], 2 * np.ones(3))
    # the student's frames are in the error, as alone
    assert "inner" in batched[3][3] and batched[3][1] == "ValueError"
    # module state carries across the batch's calls in order
    assert batched[8][1] == 1 and batched[9][1] == 2


def test_a_batch_is_one_round_trip(worker):
    worker.import_module("sub")
    before = worker.requests
    outcomes = worker.call_batch([BatchCall("sub", "add", (i, 1)) for i in range(50)])
    assert worker.requests == before + 1
    assert [o.value[0] for o in outcomes] == [i + 1 for i in range(50)]


def test_a_hanging_call_ends_the_batch_and_is_named(worker):
    calls = [BatchCall("sub", "count", ()), BatchCall("sub", "sleep", (30,), timeout=1.0),
             BatchCall("sub", "count", ()), BatchCall("sub", "add", (1, 1))]
    began = time.monotonic()
    outcomes = worker.call_batch(calls)
    assert time.monotonic() - began < 15
    assert outcomes[0].value[0] == 1
    fault = outcomes[1].fault
    assert fault is not None and fault.kind == "timeout"
    assert fault.message == "timed out after 1 s in sub.sleep"  # what a single call says
    assert outcomes[2:] == [None, None]
    # the worker was killed with the hang; the next request restarts it (fresh state)
    assert worker.call("sub", "count") == 1


def test_each_call_keeps_its_own_limit(worker):
    """Three calls of 0.6 s under a 1 s limit each: 1.8 s in all, none timed out."""
    outcomes = worker.call_batch([BatchCall("sub", "sleep", (0.6,), timeout=1.0)] * 3)
    assert [o.value[0] for o in outcomes] == [0.6] * 3


def test_a_crash_ends_the_batch_and_is_named(worker):
    outcomes = worker.call_batch([BatchCall("sub", "add", (1, 2)), BatchCall("sub", "segfault"),
                                  BatchCall("sub", "add", (3, 4))])
    assert outcomes[0].value[0] == 3
    fault = outcomes[1].fault
    assert fault is not None and fault.kind == "crashed" and "sub.segfault" in fault.message
    assert outcomes[2] is None
    with pytest.raises(WorkerFault) as alone:  # the same words as the call alone
        worker.call("sub", "segfault")
    assert alone.value.message == fault.message
    assert worker.call("sub", "add", 5, 6) == 11


def test_an_empty_batch_sends_nothing(worker):
    before = worker.requests
    assert worker.call_batch([]) == []
    assert worker.requests == before
