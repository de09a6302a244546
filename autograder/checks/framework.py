"""The vocabulary of checks: assignments, tasks with points, checks, and how a check runs.

FRAMEWORK_READY

How to write checks for an assignment (a full example is at the end of this docstring):

* ``autograder/checks/aN.py`` defines ``ASSIGNMENT = Assignment(...)`` (folder, module,
  tasks with points: the point table students see) and ``CHECKS = Registry()`` holding the
  VISIBLE checks: checks that need no reference solution (lecture numbers, central
  differences computed here, invariants). They ship to students.
* The grading context names the modules holding the HIDDEN checks (``CHECKS =
  Registry(hidden=True)``: differential against ``student.reference_solution.load("module")``,
  the context's reference, on hypothesis inputs). They are never released.
* A check is a function ``def name(student: Student) -> None`` registered with
  ``@CHECKS.check(task="1.3", function="perceptron_update", name="short sentence")``.
  It calls the submission only through ``student.call(function, *args, **kwargs)`` (or
  ``student.graph(spec, mode)`` for A3): every call runs in the sandboxed worker and returns
  plain data, which the check validates with ``autograder.compare.expect_*`` and compares
  with ``assert_close`` / ``assert_gradient_close``. It computes every expected value itself.
  It signals a failure by raising ``CheckFailure(message)``; a student's exception or a
  worker fault (timeout, crash) inside a call is turned into a message by the runner.
* Property-based checks use ``for_all(strategy, max_examples=...)``: the body gets
  ``(student, example)`` for each example of the check's PLAN, drawn from the strategy once
  by ``autograder make-plans`` and stored beside the checks (autograder/checks/plan.py; run
  it again after changing a strategy or a check's name), replayed smallest first; the message
  reported is the one of the first failing example, with the input prefixed. Keep example
  counts modest (20-100): each is a round trip to the worker, unless the check declares the
  calls each example makes (``for_all(..., calls=lambda ex: [(function, args, kwargs)])``,
  from the example alone): then the examples' calls go to the worker in one request.
* Tasks earn ``points * passed / total`` over their checks (hidden ones count in grading).

Corpus of submissions for the kit's tests (``tests/corpus/``):
``tests/corpus/buggy/<name>.py`` and ``tests/corpus/alternative/<name>.py`` are snippets
appended to the REFERENCE module named in their header; a definition in the snippet
replaces the reference's (for a method: ``Value.__mul__ = _buggy_mul``). Header lines::

    # target: a1_perceptron/perceptron.py
    # bug: updates on correctly classified points too        (alternative: "# why: ...")
    # loses: 1.3 1.4        (tasks that must lose points; alternatives: "# loses: none")
    # names: perceptron_update   (a function name the feedback must mention)

Grade a directory by hand with ``autograder grade DIR`` (``python -m autograder grade DIR``);
``autograder grade DIR --visible-only`` runs what a student runs.

Example::

    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
    from autograder.checks.framework import Assignment, Registry, Task, for_all
    from autograder.compare import CheckFailure, expect_array, assert_close, fmt_inputs

    ASSIGNMENT = Assignment(id="a1", folder="a1_perceptron", module="perceptron",
                            title="The perceptron learning rule",
                            tasks=(Task("1.1", "add_bias", 2, ("add_bias",)), ...))
    CHECKS = Registry()

    @CHECKS.check(task="1.1", function="add_bias", name="appends a column of ones")
    @for_all(hnp.arrays(float, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                        elements=st.floats(-10, 10)))
    def add_bias_appends_ones(student, X):
        got = expect_array(student.call("add_bias", X), (X.shape[0], X.shape[1] + 1),
                           what="add_bias(X)")
        expected = np.hstack([X, np.ones((X.shape[0], 1))])   # derived here, not copied
        assert_close(got, expected, what="add_bias(X)", inputs=fmt_inputs(X=X))

A hidden check's expected value would come from
``student.reference_solution.load("perceptron")``.
"""

from __future__ import annotations

import ast
import collections
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks import plan
from autograder.compare import CheckFailure, fmt
from autograder.feedback.log import CallRecord, culprit
from autograder.feedback.messages import explain_flaky, varies, with_call
from autograder.sandboxed import protocol

DEFAULT_CALL_TIMEOUT = 10.0
"""Wall seconds one call into student code may take; the reference's slowest call takes
well under 0.1 s, so 10 s only ever stops an endless loop or a pathological solution."""

STRUCK_CALL_TIMEOUT = 2.0
"""Wall seconds for a call once the function has timed out before in this assignment (or
once STRIKES_FOR_ALL functions have): still 20x the reference's slowest default-limit call,
and a submission that loops everywhere costs ~2 s per later check, not 10 s. Checks that
declared a longer limit (training) get DEFAULT_CALL_TIMEOUT instead."""

STRIKES_FOR_ALL = 3
"""Distinct functions that must time out before every function gets the struck timeout:
one hanging function must not shorten the limit of an honest slow one (train_mlp)."""

DEFAULT_EXAMPLES = 40
"""Hypothesis examples per property check: enough to hit edge shapes and signs, and cheap
(each is one ~0.1 ms round trip to the worker plus the student's own work)."""

PREFETCH_CHUNK = 64
"""Examples whose declared calls (``for_all(calls=...)``) go to the worker in one request:
a plan's examples in one or two round trips, and a check failing on its first example runs
at most this many calls it did not need."""

FLAKY_PROBES = 30
"""Calls of a check's first examples kept to find one that disagrees with itself when a
check turns out flaky (unseeded randomness): the first examples are drawn alike every run,
so the message names the same call every run."""

__all__ = [
    "Assignment",
    "CarriedForward",
    "Check",
    "NotJudged",
    "CheckFailure",
    "Registry",
    "Student",
    "StudentFault",
    "Task",
    "for_all",
]


@dataclass(frozen=True)
class Task:
    """A numbered unit of an assignment, e.g. 1.3 ``perceptron_update``, worth ``points``."""

    id: str
    title: str
    points: float
    functions: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    """One assignment: the folder and module a submission holds, and its point table."""

    id: str
    folder: str
    module: str
    title: str
    tasks: tuple[Task, ...]

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(f"{self.id} has no task {task_id}")

    @property
    def max_points(self) -> float:
        return sum(task.points for task in self.tasks)


@dataclass(frozen=True)
class Check:
    """One idea, one message: a function that raises CheckFailure when the idea fails."""

    task: str
    name: str
    function: str
    run: Callable[[Student], None]
    hidden: bool = False
    timeout: float = DEFAULT_CALL_TIMEOUT


class Registry(list):
    """An ordered list of checks with a decorator that adds to it."""

    def __init__(self, hidden: bool = False):
        super().__init__()
        self.hidden = hidden

    def check(
        self, *, task: str, function: str, name: str, timeout: float = DEFAULT_CALL_TIMEOUT
    ) -> Callable[[Callable[[Student], None]], Callable[[Student], None]]:
        def register(run: Callable[[Student], None]) -> Callable[[Student], None]:
            self.append(Check(task, name, function, run, self.hidden, timeout))
            return run

        return register


class CarriedForward(Exception):  # noqa: N818 - a verdict, not an error
    """The result is wrong but exactly what the documented algorithm gives with the
    student's OWN (wrong) building block of another task: error carried forward, so the
    check passes (that task already lost its points). ``str(self)`` says which block."""


class NotJudged(CarriedForward):
    """This example cannot judge the check's function at all, because a building block of
    another task (which pays for it) cut or broke it: the example is skipped. No points for
    nothing judged: a check fails when it skipped every example (``str(self)`` says why)."""


class StudentFault(Exception):
    """A call into student code did not return: it raised, or the worker failed.

    ``message`` is already written for the student (function, exception, their frames).
    ``fatal`` is True when the worker died (timeout, crash): the check stops at once.
    """

    def __init__(self, message: str, fatal: bool, type_name: str = ""):
        super().__init__(message)
        self.message = message
        self.fatal = fatal
        self.type_name = type_name  # the exception the student's code raised, if it raised


class Student:
    """The submission as a check sees it: named functions of one module, run in the worker.

    Wraps the trusted-side ``Worker`` so that a check never touches it directly, turns the
    worker's exceptions into StudentFault with a student-facing message, and remembers a
    fatal fault so that hypothesis' replays of a failing example cost nothing. A function
    that timed out once gets STRUCK_CALL_TIMEOUT for the rest of the assignment (so does
    every function after STRIKES_FOR_ALL have), which bounds what a hanging submission costs.
    """

    def __init__(
        self,
        worker: Any,
        module: str,
        timeout: float = DEFAULT_CALL_TIMEOUT,
        assignment: Assignment | None = None,
        reference_solution: Any = None,
    ):
        self.worker = worker
        # The grading's reference loader (.load(module)), from its context: what the hidden
        # checks compute expected values from (None: visible checks only).
        self.reference_solution = reference_solution
        self.module = module
        self.timeout = timeout
        self.fault: StudentFault | None = None
        self.calls = 0
        self.timed_out: set[str] = set()  # functions that hit a timeout: see STRUCK_CALL_TIMEOUT
        self.artifacts: dict[str, Any] = {}  # plain data for the report, e.g. training curves
        self.log: list[CallRecord] = []  # this check's calls (feedback: reproduce, diagnose)
        self.assignment = assignment  # its tasks say which functions a check owns
        self.check: Check | None = None  # the running check (set by run_check)
        self.expected_raises = 0  # this check's calls that raised as documented (call_raises)
        # Outcomes of declared calls run ahead in one batch (see prefetch), by call_key.
        self.prefetched: dict[bytes, collections.deque] = {}
        self.batches = 0  # batch requests sent (each one round trip)

    def record(self, name: str, value: Any) -> None:
        """Keep plain data (numbers, lists) for the feedback report, e.g. a training curve."""
        self.artifacts[name] = value

    def timeout_for(self, function: str) -> float:
        """The call limit for ``function``: shortened after a timeout (fail fast on hangs).

        A check that declared a longer limit than the default (training) keeps the default
        one instead: its honest calls take seconds, not milliseconds."""
        if function not in self.timed_out and len(self.timed_out) < STRIKES_FOR_ALL:
            return self.timeout
        if self.timeout <= DEFAULT_CALL_TIMEOUT:
            return min(self.timeout, STRUCK_CALL_TIMEOUT)
        return DEFAULT_CALL_TIMEOUT

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``module.function(*args, **kwargs)`` in the worker and return plain data.

        Every call is also a check of the documented "functions never mutate their inputs":
        the worker sends the arguments back as the call left them, they are compared here
        (trusted side) with what was sent, and a change fails the running check, naming the
        argument and the first changed entry. Only a function of the running check's own
        task is failed for it (one bug, one penalty): a check that uses another task's
        function as a building block leaves that function's mutation to its own task."""
        limit = self.timeout_for(function)
        record = CallRecord(function, args, dict(kwargs))
        returning_args = getattr(self.worker, "call_returning_args", None)
        queue = self.prefetched.get(call_key(function, args, kwargs)) if self.prefetched else None
        if queue:  # run ahead in a batch: the same call by value, answered as if now
            returning_args = _replaying(queue.popleft())
        if returning_args is None:  # a stand-in worker of the kit's tests
            return self._run(
                function,
                lambda: self.worker.call(self.module, function, *args, timeout=limit, **kwargs),
                record,
            )
        value, args_after, kwargs_after = self._run(
            function,
            lambda: returning_args(self.module, function, *args, timeout=limit, **kwargs),
            record,
        )
        record.result = value
        if self._owns(function):
            folder = self.assignment.folder if self.assignment else ""
            names = _parameter_names(folder, self.module, function) if folder else ()
            _raise_if_mutated(function, names, args, kwargs, args_after, kwargs_after)
        return value

    def prefetch(self, calls: list[tuple]) -> None:
        """Run ``calls`` ((function, args) or (function, args, kwargs), in order) in the
        worker in ONE request, keeping each outcome for the ``call`` that makes the same call
        (same function, arguments equal as the worker receives them): that call then
        returns, raises or faults exactly as it would have alone, and is recorded the same.
        A call made otherwise (not declared, or differing) goes to the worker as always.
        Calls with a catalogue function (FnRef: call counts are per call) stay out. Each
        call keeps its own limit; one that hangs or crashes the worker keeps that fault for
        its own ``call`` and the calls after it did not run (they go alone, if made)."""
        batch_call = getattr(self.worker, "call_batch", None)
        if batch_call is None or self.fault is not None:  # a stand-in worker of the tests
            return
        from autograder.isolation.worker import BatchCall

        batch, keys = [], []
        for declared in calls:
            function, args, kwargs = (*declared, {})[:3]
            key = call_key(function, args, kwargs)
            if key is None:
                continue
            batch.append(BatchCall(self.module, function, tuple(args), dict(kwargs),
                                   self.timeout_for(function)))
            keys.append(key)
        if not batch:
            return
        self.batches += 1
        for key, outcome in zip(keys, batch_call(batch), strict=True):
            if outcome is None:
                break
            self.prefetched.setdefault(key, collections.deque()).append(outcome)

    def call_raises(self, exception: str, function: str, *args: Any, **kwargs: Any) -> None:
        """Fail unless ``function(*args, **kwargs)`` raises ``exception`` (a documented
        ``Raises:``), named exactly; the inputs must stay unchanged all the same."""
        try:
            value = self.call(function, *args, **kwargs)
        except StudentFault as fault:
            if fault.fatal or fault.type_name == exception:
                if fault.fatal:
                    raise
                self.expected_raises += 1
                return
            raise CheckFailure(
                f"{function} should raise {exception} here (its docstring says so), but it"
                f" raised {fault.type_name}:\n{fault.message}"
            ) from None
        raise CheckFailure(
            f"{function} should raise {exception} here (its docstring says so), but it"
            f" returned {fmt(value)}."
        )

    def call_unmutated(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """``call`` (kept for the checks written before every call checked mutation)."""
        return self.call(function, *args, **kwargs)

    def _owns(self, function: str) -> bool:
        """Whether ``function`` belongs to the task of the running check (True when no check
        runs or no point table is known: then every call is its own check's)."""
        check = self.check
        if check is None or function == check.function or self.assignment is None:
            return True
        try:
            return function in self.assignment.task(check.task).functions
        except KeyError:
            return False

    def graph(self, spec: Any, mode: str, function: str = "Value") -> Any:
        """Build and run an A3 expression graph with the student's Value class."""
        limit = self.timeout_for(function)
        return self._run(
            function,
            lambda: self.worker.graph(self.module, spec, mode, timeout=limit),
            CallRecord(function, (spec, mode), kind="graph"),
        )

    def outcome(self, probe: CallRecord) -> tuple[str, Any]:
        """Run one call shaped like a recorded one (a function call, or an A3 graph) outside
        any check: ("ok", value), ("raised", exception type) or ("fault", why). The
        catalogue calls the student's code on its separating inputs with it."""
        self.fault, self.check, self.log, self.timeout = None, None, [], DEFAULT_CALL_TIMEOUT
        self.prefetched = {}
        try:
            if probe.kind == "graph":
                return "ok", self.graph(*probe.args)
            return "ok", self.call(probe.function, *probe.args, **probe.kwargs)
        except StudentFault as fault:
            if fault.fatal or not fault.type_name:
                return "fault", fault.message
            return "raised", fault.type_name
        except CheckFailure as failure:  # it changed its input in place
            return "fault", str(failure)

    def _run(self, function: str, thunk: Callable[[], Any], record: CallRecord) -> Any:
        from autograder.isolation.worker import StudentError, WorkerFault

        if self.fault is not None:
            raise self.fault
        self.calls += 1
        self.log.append(record)
        try:
            record.result, record.returned = thunk(), True
            return record.result
        except StudentError as error:
            record.error = student_error_message(function, error)
            raise StudentFault(record.error, fatal=False, type_name=error.type_name) from None
        except WorkerFault as fault:
            message = f"{function}: {fault}"
            record.error = message
            if fault.kind == "timeout":
                if self.timeout_for(function) < self.timeout:
                    message += " (a shorter limit: it timed out before; see the first timeout)"
                self.timed_out.add(function)
            self.fault = StudentFault(message, fatal=True)
            raise self.fault from None


def call_key(function: str, args: Any, kwargs: Any) -> bytes | None:
    """The call as the worker receives it (its request frame's bytes): two calls with
    the same key are the same call to the student's code. None for a call that must not
    be batched (a catalogue function in its arguments) or cannot be sent."""
    try:
        frame = protocol.encode([function, list(args), dict(kwargs)])
    except (protocol.ProtocolError, TypeError, ValueError):
        return None
    # a FnRef's marker: a dict key "$fn" of the kit's data is sent escaped ("$$fn") and a
    # string holding the text is sent with its quotes escaped, so neither reads like it
    return None if b'{"$fn":' in frame else frame


def _replaying(outcome: Any) -> Callable:
    """A stand-in for Worker.call_returning_args answering with a batch call's outcome."""
    def answer(*_: Any, **__: Any) -> Any:
        if outcome.fault is not None:
            raise outcome.fault
        if outcome.error is not None:
            raise outcome.error
        return outcome.value

    return answer


def _raise_if_mutated(
    function: str, names: tuple[str, ...], args: tuple, kwargs: dict, args_after: list,
    kwargs_after: dict,
) -> None:
    """CheckFailure naming the first argument the call changed in place, if any."""
    named = [
        (f"argument {i + 1}" + (f" ({names[i]})" if i < len(names) else ""), before, after)
        for i, (before, after) in enumerate(zip(args, args_after, strict=False))
    ]
    named += [(name, kwargs[name], kwargs_after.get(name, _MISSING)) for name in kwargs]
    for name, before, after in named:
        change = _mutation(before, after)
        if change:
            raise CheckFailure(
                f"{function} changed its input {name} in place ({change}); functions never"
                " modify their inputs: compute a new array instead (e.g. w = w + ..., not"
                " w += ...; copy a list or dict before changing it)."
            )


_MISSING = object()


STUBS_ROOT = Path(__file__).resolve().parents[2] / "assignments"
"""The generated stubs (same signatures as the reference): read, never imported, to name
an argument in a message."""


@functools.cache
def _parameter_names(folder: str, module: str, function: str) -> tuple[str, ...]:
    """Parameter names of ``function`` in the stub module, parsed (never run) with ast.

    Only for naming an argument in a message; where the stubs are not at hand, arguments
    are named by position alone."""
    try:
        tree = ast.parse((STUBS_ROOT / folder / f"{module}.py").read_text())
    except (OSError, SyntaxError, ValueError):
        return ()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return tuple(a.arg for a in node.args.posonlyargs + node.args.args)
    return ()


def _mutation(before: Any, after: Any) -> str:
    """'' if an input is unchanged, else where it changed (first index or key, old, new).

    Arrays compare entry by entry (NaN equal to NaN), lists and tuples (tuples come back
    as lists) item by item, dicts key by key, numbers and strings by value. Anything else
    the kit sent (a test function of the catalogue) cannot be changed by the call."""
    if after is _MISSING:
        return "it is gone"
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return "its shape or type changed"
        same = before == after
        if before.dtype.kind == "f" and after.dtype.kind == "f":
            same |= np.isnan(before) & np.isnan(after)
        changed = ~same
        if changed.any():
            index = tuple(int(i) for i in np.argwhere(changed)[0])
            return f"at index {list(index)}: was {before[index]:.6g}, now {after[index]:.6g}"
        return ""
    if isinstance(before, dict):
        if not isinstance(after, dict):
            return "it is no longer a dict"
        for key in before:
            if key not in after:
                return f"key {key!r} was removed"
            change = _mutation(before[key], after[key])
            if change:
                return f"[{key!r}] {change}"
        added = [key for key in after if key not in before]
        return f"key {added[0]!r} was added" if added else ""
    if isinstance(before, (list, tuple)):
        if not isinstance(after, list):
            return "it is no longer a list"
        if len(after) != len(before):
            return f"its length changed from {len(before)} to {len(after)}"
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            change = _mutation(b, a)
            if change:
                return f"item {i}: {change}"
        return ""
    if isinstance(before, (bool, int, float, str)) and not isinstance(before, np.generic):
        same = type(after) is type(before) and (
            after == before or (isinstance(before, float) and before != before and after != after)
        )
        return "" if same else f"was {before!r}, now {after!r}"
    return ""


def student_error_message(function: str, error: Any) -> str:
    """'function raised TypeError: ...' followed by the student's own frames."""
    text = f"{function} raised {error.type_name}: {error.message}"
    traceback = (getattr(error, "traceback", "") or "").rstrip()
    if traceback:
        text += "\n" + "\n".join("    " + line for line in traceback.splitlines())
    return text


def _counting(body: Callable, judged: list[int], skipped: list[str], render: Callable):
    """body, counting the examples it judged and keeping why the last skipped one was not
    (NotJudged, swallowed here: the example passes, and for_all fails if none was judged)."""
    def counted(student: Student, example: Any) -> None:
        try:
            body(student, example)
        except NotJudged as why:
            skipped[:] = [f"{why}\n  input: {render(example)}"]
            return
        except CarriedForward:  # judged: right given the student's own building block
            judged[0] += 1
            raise
        judged[0] += 1

    return counted


def for_all(strategy: Any, max_examples: int = DEFAULT_EXAMPLES, describe=None, calls=None):
    """Turn ``body(student, example)`` into a check run over the examples of its plan.

    The examples are the ones ``autograder make-plans`` drew from ``strategy`` with
    hypothesis and stored (autograder/checks/plan.py), replayed in their stored order,
    smallest first; the failure reported is that of the first failing example (the same on
    every machine and hypothesis version), prefixed by that input.
    ``describe(example) -> str`` renders the input; by default ``fmt`` of the example.

    ``calls(example) -> [(function, args), (function, args, kwargs), ...]`` declares, as a
    pure function of the example, the calls the body makes on it whatever the student's
    answers (independent of the other examples): the examples' declared calls are then
    sent to the worker together, PREFETCH_CHUNK examples per request, and the body's
    ``student.call`` of each is answered from that batch (recorded, checked for mutation,
    failing and timing out exactly as alone). A call the body makes that was not declared
    goes to the worker as usual, so a declaration that misses one costs only speed.
    """
    render = describe or fmt

    def decorate(body: Callable[[Student, Any], None]) -> Callable[[Student], None]:
        spec = plan.PlanSpec(strategy, max_examples, getattr(body, "__module__", ""))

        def one(student: Student, example: Any, counted: Callable) -> None:
            """Run the body (``counted``: _counting's wrapper of it) on one example:
            CheckFailure or StudentFault if it fails."""
            student.log.clear()  # the last example's calls: the one reported
            try:
                counted(student, example)
            except CarriedForward:
                return  # right given the student's own building block: this example passes
            except StudentFault as fault:
                if fault.fatal or describe is None:  # the call to paste says the input
                    raise
                raise CheckFailure(f"{fault.message}\n  input: {render(example)}") from None
            except CheckFailure as failure:
                text = str(failure)
                if "input:" not in text and describe is not None:
                    first, _, rest = text.partition("\n")
                    text = f"{first}\n  input: {render(example)}" + (f"\n{rest}" if rest else "")
                raise CheckFailure(text) from None

        def run(student: Student) -> None:
            check = student.check
            key = plan.check_key(check.task, check.function, check.name) if check else ""
            seen: list[CallRecord] = []  # the first examples' calls: the same every run
            failure: CheckFailure | StudentFault | None = None
            skipped: list[str] = []  # why examples were not judged (NotJudged)
            judged = [0]
            counted = _counting(body, judged, skipped, render)
            nodes = plan.plain_examples(spec, key)
            try:
                for index, node in enumerate(nodes):
                    if calls is not None and index % PREFETCH_CHUNK == 0:
                        student.prefetch([declared for ahead in nodes[index:index + PREFETCH_CHUNK]
                                          for declared in calls(plan.from_plain(ahead))])
                    try:
                        one(student, plan.from_plain(node), counted)
                    except (CheckFailure, StudentFault) as caught:
                        failure = caught
                        break
                    finally:
                        if len(seen) < FLAKY_PROBES:
                            seen.extend(student.log[: FLAKY_PROBES - len(seen)])
            finally:
                student.prefetched = {}  # what follows (the re-run, the probes) calls afresh
            if failure is None:
                if skipped and not judged[0]:
                    raise CheckFailure(f"not judged on any input (no points for nothing judged):"
                                       f" {skipped[0]}")
                return
            if isinstance(failure, StudentFault) and failure.fatal:
                raise failure
            # The failing example once more (a fresh copy): passing now is unseeded randomness.
            failing_log = list(student.log)
            try:
                one(student, plan.from_plain(node), counted)
            except StudentFault as fault:
                if fault.fatal:
                    raise
            except CheckFailure:
                pass
            else:
                raise CheckFailure(explain_flaky(student, seen + failing_log)) from None
            student.log[:] = failing_log
            # A failure that unseeded randomness caused is reported as that, from the
            # first examples' calls: which example fails first would differ run to run.
            functions = check.function if check else ""
            record = culprit(student.log, functions)
            if record is not None and varies(student, record):
                raise CheckFailure(explain_flaky(student, seen + student.log)) from None
            raise failure

        run.__name__ = getattr(body, "__name__", "property")
        run.plan = spec  # what make-plans draws from
        return run

    return decorate


@dataclass
class CheckOutcome:
    """What running one check produced: passed, or the message explaining the failure."""

    check: Check
    passed: bool
    message: str = ""
    seconds: float = 0.0
    fatal: bool = False
    extra: dict = field(default_factory=dict)


def unusable_value_message(function: str, error: BaseException) -> str:
    """The failure of a check whose own computation on a returned value raised."""
    text = str(error)
    text = text if len(text) <= 200 else text[:200] + "..."
    return (
        f"{function} returned a value the grader cannot compute with"
        f" ({type(error).__name__}: {text}): it is outside what the docstring allows"
        " (type, shape, size, a finite number in range)."
    )


def run_check(check: Check, student: Student) -> CheckOutcome:
    """Run one check; every way it can fail becomes a student-facing message, never a crash.

    Validate, then compute: an exception of the check's own code is the kit's fault
    (``internal_error``, "not graded") only while no call into the submission has returned
    in this check; once the check holds a value the worker sent back, an exception while
    computing on it (OverflowError of ``float(10**400)``, a ZeroDivisionError of a
    derivative built from their zeros, a broadcasting ValueError of a wrong shape) is the
    check's failure with that reason. The reference passing every check (tests/
    test_grading.py) is what keeps a real bug of a check from hiding behind this rule."""
    student.fault = None
    student.timeout = check.timeout
    student.log = []
    student.check = check
    student.expected_raises = 0
    student.prefetched = {}
    started = time.perf_counter()
    try:
        check.run(student)
        passed, message, fatal = True, "", False
    except NotJudged as why:  # a single-input check that judged nothing
        passed, message, fatal = False, f"not judged (no points for nothing judged): {why}", False
    except CarriedForward:
        passed, message, fatal = True, "", False
    except CheckFailure as failure:
        passed, message, fatal = False, str(failure), False
    except StudentFault as fault:
        passed, message, fatal = False, fault.message, fault.fatal
    except Exception as error:  # noqa: BLE001 - the kit's fault, or computing on their value
        returned = [record for record in student.log if record.returned]
        if not returned:  # nothing of the student's was in hand: a bug of the kit's
            message = (
                f"the grader could not run this check ({type(error).__name__}: {error});"
                " this is a fault of the grader, please report it to your instructor."
            )
            return CheckOutcome(check, False, message, time.perf_counter() - started, False,
                                {"internal_error": True})
        passed, fatal = False, False
        message = unusable_value_message(returned[-1].function, error)
    seconds = time.perf_counter() - started
    if not passed:
        message = with_call(message, student.log, student.module, check.function)
    raise_only = passed and student.expected_raises > 0 and not any(
        record.returned for record in student.log)
    return CheckOutcome(check, passed, message, seconds, fatal,
                        {"log": list(student.log), "functions": check.function,
                         "raise_only": raise_only})


def no_points_for_no_work(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    """The outcomes with every passed raise-only check (all its calls raised as documented,
    none returned) failed unless a value check of the same function passed at least once:
    a function that only ever raises must not earn the points of its documented Raises."""
    valued = {o.check.function for o in outcomes if o.passed and not o.extra.get("raise_only")}
    kept = []
    for outcome in outcomes:
        if outcome.passed and outcome.extra.get("raise_only") and \
                outcome.check.function not in valued:
            outcome = CheckOutcome(
                outcome.check, False,
                f"{outcome.check.function} raises as its docstring says here, but this earns"
                " points only once it also returns right values: none of its value checks"
                " passed.", outcome.seconds, False, outcome.extra)
        kept.append(outcome)
    return kept
