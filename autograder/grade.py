"""Grade one submission: every check of every assignment it holds, each in the worker.

The grader's side of the trust boundary. Student code runs only inside ``Worker``; this
module sees plain data, computes every score itself, and turns every fault (an import
error, an exception, a hang, a crash) into a result with a reason, never into a crash.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.checks import AssignmentSuite, suite
from autograder.checks.framework import CheckOutcome, Student, no_points_for_no_work, run_check
from autograder.context import SUBMISSION_BUDGET_SECONDS, GradingContext, default_context
from autograder.errors import GradingError, NotGraded
from autograder.isolation import intake

__all__ = ["GradingError", "NotGraded", "SUBMISSION_BUDGET_SECONDS", "grade_submission"]


@dataclass
class CheckResult:
    """One check's verdict with the message a student reads when it failed."""

    name: str
    function: str
    hidden: bool
    passed: bool
    message: str = ""
    seconds: float = 0.0
    internal_error: bool = False


@dataclass
class TaskResult:
    """A task's checks; it earns max_points × the share of checks passed."""

    assignment: str
    task: str
    title: str
    max_points: float
    checks: list[CheckResult] = field(default_factory=list)
    note: str = ""

    @property
    def passed(self) -> int:
        return sum(check.passed for check in self.checks)

    @property
    def score(self) -> float:
        if not self.checks:
            return 0.0
        return round(self.max_points * self.passed / len(self.checks), 4)

    def first_failure(self) -> str:
        if self.note:
            return self.note
        for check in self.checks:
            if not check.passed:
                return check.message
        return ""


@dataclass
class AssignmentResult:
    """The tasks of one assignment, and why it could not be run at all, if so."""

    id: str
    folder: str
    title: str
    tasks: list[TaskResult]
    note: str = ""
    notices: list[str] = field(default_factory=list)
    """What the safe copy-in did not copy and why (links, huge or foreign files)."""
    artifacts: dict = field(default_factory=dict)
    """Plain data the checks kept for the report (e.g. the student's training curve)."""

    @property
    def score(self) -> float:
        return round(sum(task.score for task in self.tasks), 4)

    @property
    def max_score(self) -> float:
        return sum(task.max_points for task in self.tasks)


@dataclass
class SubmissionResult:
    """Everything the grader found out about one submission; stored as JSON, exported."""

    submission: str
    assignments: list[AssignmentResult]
    seconds: float = 0.0
    isolation: str = ""
    reference: str = ""
    """The reference solution the hidden checks used ("" when none ran)."""

    @property
    def score(self) -> float:
        return round(sum(a.score for a in self.assignments), 4)

    @property
    def max_score(self) -> float:
        return sum(a.max_score for a in self.assignments)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["score"] = self.score
        data["max_score"] = self.max_score
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        assignments = []
        for a in data["assignments"]:
            tasks = [
                TaskResult(**{**t, "checks": [CheckResult(**c) for c in t["checks"]]})
                for t in a["tasks"]
            ]
            assignments.append(AssignmentResult(**{**a, "tasks": tasks}))
        return cls(
            data["submission"],
            assignments,
            data.get("seconds", 0.0),
            data.get("isolation", ""),
            data.get("reference", ""),
        )


def present_assignments(root: Path, suites: list[AssignmentSuite]) -> list[AssignmentSuite]:
    """The assignments whose folder is in ``root`` (a submission may hold any subset).

    A link counts as present, never followed: grading it then says why it was refused."""
    return [
        s
        for s in suites
        if (root / s.assignment.folder).is_dir() or os.path.islink(root / s.assignment.folder)
    ]


def resolve_submission(path: Path) -> Path:
    """Validate a submission path: an existing directory, with a clear error otherwise."""
    path = Path(path)
    if not path.exists():
        raise GradingError(f"{path}: no such file or directory.")
    if not path.is_dir():
        raise GradingError(
            f"{path} is not a directory: a submission is a directory laid out"
            " like assignments/ (a1_perceptron/, a2_gradient_descent/, ...)."
        )
    return path


def grade_submission(
    path: Path,
    context: GradingContext | None = None,
    *,
    include_hidden: bool = True,
    only: list[str] | None = None,
    slot: int = 0,
    progress: Callable[[str], None] | None = None,
    budget_seconds: float | None = None,
    reference: Path | str | None = None,
    tasks: list[str] | None = None,
    jobs: int = 1,
    intake_notes: dict[str, list[str]] | None = None,
) -> SubmissionResult:
    """Grade the submission directory ``path`` over ``context`` (autograder/context.py:
    reference, hidden checks, catalogue, budget). Without one, ``include_hidden``,
    ``reference`` and ``budget_seconds`` build the installation's default context.

    ``only`` names assignments ("a1", ...) to grade whether present or not (a missing one
    scores 0 with the reason); by default every assignment found in ``path`` is graded, and
    a directory holding none is a GradingError. ``path`` may also be one assignment's folder
    (``.../a1_perceptron``): then that assignment is graded. ``reference`` is the reference
    solution for the hidden checks (default: located by the installed context factory);
    it is resolved once, before grading, and reported in the result. ``tasks`` ("1.4", ...)
    keeps only those tasks and their checks (``autograder check --task``). ``jobs`` > 1
    grades up to that many assignments at once, each in its own forked process
    (assignment_pool.py), with the same result as ``jobs=1``; grade-all keeps 1, since it
    already runs one submission per process. ``intake_notes`` (folder -> lines) are what an
    intake done elsewhere left out (grade-all on a cluster stages on the coordinator and
    ships the copy): reported before this intake's own.
    """
    from autograder.isolation.sandbox import describe_isolation

    root = resolve_submission(path)
    if context is None:
        context = default_context(include_hidden, str(reference) if reference else None,
                                  budget_seconds or SUBMISSION_BUDGET_SECONDS)
    elif budget_seconds is not None:
        context = context.with_budget(budget_seconds)
    suites = suite(context=context)
    folder_ids = {s.assignment.folder: s.assignment.id for s in suites}
    if root.name in folder_ids and not only:  # the folder of one assignment: grade just it
        root, only = root.parent, [folder_ids[root.name]]
    if only:
        unknown = sorted(set(only) - {s.assignment.id for s in suites})
        if unknown:
            raise GradingError(
                f"unknown assignment(s) {unknown}: choose from {[s.assignment.id for s in suites]}."
            )
        chosen = [s for s in suites if s.assignment.id in only]
    else:
        chosen = present_assignments(root, suites)
        if not chosen:
            folders = ", ".join(s.assignment.folder + "/" for s in suites)
            raise GradingError(f"{root} holds no assignment: expected one or more of {folders}")
    if tasks:
        chosen = only_tasks(chosen, tasks)
    reference_used = require_grading_inputs(chosen, context)
    started = time.monotonic()
    deadline = started + context.budget_seconds
    with tempfile.TemporaryDirectory(prefix="bplab-intake-") as tmp:
        # Only the copy is graded: no link followed, no file over the limits (intake.py).
        staged = Path(tmp) / "submission"
        report = intake.stage(root, staged, [s.assignment.folder for s in chosen])
        notices = [[*(intake_notes or {}).get(s.assignment.folder, []),
                    *report.notes_for(s.assignment.folder)] for s in chosen]
        if jobs > 1 and len(chosen) > 1:
            from autograder.assignment_pool import grade_concurrently

            results = grade_concurrently(staged, chosen, jobs, notices, grade_assignment,
                                         progress, slot=slot, deadline=deadline,
                                         context=context)
        else:
            results = grade_in_turn(staged, chosen, notices, progress, slot=slot,
                                    deadline=deadline, context=context)
    isolation = describe_isolation()
    result = SubmissionResult(
        str(path),
        results,
        round(time.monotonic() - started, 3),
        isolation["mode"],
        reference_used,
    )
    faults = grader_faults(result)
    if faults:
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        raise NotGraded(f"the grader failed in check {faults[0]}{more}", partial=result)
    return result


def grade_in_turn(staged: Path, chosen: list[AssignmentSuite], notices: list[list[str]],
                  progress: Callable[[str], None] | None, **common) -> list[AssignmentResult]:
    """grade_assignment for each of ``chosen`` in turn, the next one's worker begun while this
    one's checks run (its start-up, ~0.2 s of another process, is then off the clock)."""
    results: list[AssignmentResult] = []
    upcoming = (_begin_worker(staged, chosen[0], common["slot"], common["context"])
                if chosen else None)
    try:
        for k, (s, notes) in enumerate(zip(chosen, notices, strict=True)):
            worker = upcoming
            upcoming = (_begin_worker(staged, chosen[k + 1], common["slot"],
                                      common["context"])
                        if k + 1 < len(chosen) and time.monotonic() < common["deadline"]
                        else None)
            try:
                results.append(grade_assignment(staged, s, progress=progress, notices=notes,
                                                worker=worker, **common))
            finally:  # grade_assignment closes it; not when it raised before using it
                if worker is not None:
                    worker.close()
    finally:
        if upcoming is not None:
            upcoming.close()
    return results


def _begin_worker(staged: Path, s: AssignmentSuite, slot: int, context: GradingContext):
    """A worker begun on the staged copy of ``s`` (Worker.begin), or None when its module is
    missing (grade_assignment says why) or it cannot be begun (grade_assignment's own start
    then meets the same fault and reports it as always)."""
    from autograder.isolation import early_worker
    from autograder.isolation.worker import Worker

    folder = staged / s.assignment.folder
    if not (folder / f"{s.assignment.module}.py").is_file():
        return None
    worker = Worker(folder, slot=slot, guard=any(c.hidden for c in s.checks), context=context)
    try:
        if not early_worker.hand_over(worker):  # `check`'s worker launched by the CLI early
            worker.begin()
    except Exception:  # noqa: BLE001 - any fault here is met and reported by the real start
        worker.close()
        return None
    return worker


def only_tasks(chosen: list[AssignmentSuite], tasks: list[str]) -> list[AssignmentSuite]:
    """The suites cut down to ``tasks`` (their point table and checks); GradingError names the
    tasks there are when one is unknown."""
    known = [t.id for s in chosen for t in s.assignment.tasks]
    unknown = [t for t in tasks if t not in known]
    if unknown:
        raise GradingError(f"unknown task(s) {', '.join(unknown)}: choose from {', '.join(known)}.")
    cut = []
    for s in chosen:
        kept = tuple(t for t in s.assignment.tasks if t.id in tasks)
        if kept:
            assignment = dataclasses.replace(s.assignment, tasks=kept)
            checks = tuple(c for c in s.checks if c.task in tasks)
            cut.append(AssignmentSuite(assignment, checks))
    return cut


def require_grading_inputs(chosen: list[AssignmentSuite], context: GradingContext) -> str:
    """Fail before grading anything when the hidden checks' reference or the data are missing;
    return the reference folder the hidden checks will use ("" when none are run).

    Hidden checks compute expected values from the reference solution; without it every one
    of them would be a grader fault, so nothing is graded and the reason is one line."""
    used = ""
    if any(check.hidden for s in chosen for check in s.checks):
        # Hidden checks come only from a context that brings their reference with them.
        if not context.reference:
            raise NotGraded(context.reference_missing
                            or "hidden checks need the reference solution: none given.")
        used = context.reference
    from autograder.data import DatasetError, verify_datasets

    try:
        verify_datasets()
    except DatasetError as error:
        raise NotGraded(str(error)) from None
    return used


def grader_faults(result: SubmissionResult) -> list[str]:
    """'a4 4.2 gelu_matches_reference: ...' for every check the kit itself failed to run."""
    return [
        f"{task.assignment} {task.task} {check.name}: {check.message}"
        for a in result.assignments
        for task in a.tasks
        for check in task.checks
        if check.internal_error
    ]


def _empty_tasks(s: AssignmentSuite, note: str) -> list[TaskResult]:
    return [
        TaskResult(s.assignment.id, t.id, t.title, t.points, [], note) for t in s.assignment.tasks
    ]


def _task_results(s: AssignmentSuite) -> dict[str, TaskResult]:
    return {t.id: TaskResult(s.assignment.id, t.id, t.title, t.points) for t in s.assignment.tasks}


def grade_assignment(
    root: Path,
    s: AssignmentSuite,
    *,
    slot: int = 0,
    deadline: float,
    progress: Callable[[str], None] | None = None,
    notices: list[str] | None = None,
    context: GradingContext | None = None,
    worker=None,
) -> AssignmentResult:
    """Run every check of one assignment against ``root/<folder>`` in one worker.

    ``root`` is the intake's copy; ``notices`` say what the intake left out and why;
    ``worker`` is one already begun on that folder (grade_in_turn), closed here."""
    from autograder.isolation.worker import StudentError, Worker, WorkerFault

    if worker is not None and not (root / s.assignment.folder
                                   / f"{s.assignment.module}.py").is_file():
        worker.close()
        worker = None
    a = s.assignment
    notices = list(notices or [])
    why = "".join("\n" + line for line in notices)
    folder = root / a.folder
    module_file = folder / f"{a.module}.py"
    if not folder.is_dir():
        note = "\n".join(notices) or f"not submitted: the folder {a.folder}/ is missing."
        return AssignmentResult(a.id, a.folder, a.title, _empty_tasks(s, note), note, notices)
    if not module_file.is_file():
        found = sorted(p.name for p in folder.glob("*.py"))[:10]
        note = (
            f"{a.folder}/{a.module}.py is missing (found: {', '.join(found) or 'no .py files'});"
            " keep the file name of the stub." + why
        )
        return AssignmentResult(a.id, a.folder, a.title, _empty_tasks(s, note), note, notices)

    tasks = _task_results(s)
    # With hidden checks in play, a worker that can reach the reference refuses (probes.py).
    if worker is None:
        worker = Worker(folder, slot=slot, guard=any(c.hidden for c in s.checks),
                        context=context)
    with worker:
        try:
            worker.import_module(a.module)
        except StudentError as error:
            note = import_error_message(a.module, error) + why
            return AssignmentResult(a.id, a.folder, a.title, _empty_tasks(s, note), note, notices)
        except WorkerFault as fault:
            note = f"{a.module}.py could not be imported: {fault}" + why
            return AssignmentResult(a.id, a.folder, a.title, _empty_tasks(s, note), note, notices)
        student = Student(worker, a.module, assignment=a,
                          reference_solution=context.reference_solution() if context else None)
        outcomes: list[CheckOutcome | str] = []
        for check in s.checks:
            if time.monotonic() > deadline:
                outcomes.append("not run: the submission used up its grading time budget"
                                f" ({SUBMISSION_BUDGET_SECONDS:.0f} s in all).")
            else:
                outcomes.append(run_check(check, student))
            if progress:
                passed = not isinstance(outcomes[-1], str) and outcomes[-1].passed
                progress(f"{a.id} {check.task} {check.name}: {'ok' if passed else 'FAIL'}")
        judged = iter(no_points_for_no_work([o for o in outcomes if not isinstance(o, str)]))
        ask = _asker(student)
        for check, outcome in zip(s.checks, outcomes, strict=True):
            if isinstance(outcome, str):
                result = CheckResult(check.name, check.function, check.hidden, False, outcome)
            else:
                outcome = next(judged)
                result = CheckResult(
                    check.name,
                    check.function,
                    check.hidden,
                    outcome.passed,
                    diagnosed(outcome, a.module, context, ask),
                    round(outcome.seconds, 4),
                    bool(outcome.extra.get("internal_error")),
                )
            tasks[check.task].checks.append(result)
    return AssignmentResult(
        a.id, a.folder, a.title, list(tasks.values()), "", notices, dict(student.artifacts)
    )


def diagnosed(outcome, module: str, context: GradingContext | None = None,
              ask: Callable | None = None) -> str:
    """A failure's message with the misconception it matches, when the catalogue is here.

    The catalogue comes with the context (the staff's); without it (a student's copy
    of the kit) the message says what differs and nothing more. ``ask`` runs the
    catalogue's separating inputs with the student's code (``_asker``): a diagnosis needs
    them as evidence."""
    if outcome.passed or outcome.extra.get("internal_error"):
        return outcome.message
    explain = context.explainer() if context is not None else None
    if explain is None:
        return outcome.message
    return explain(outcome.message, outcome.extra.get("log", []), module,
                   outcome.extra.get("functions", ""), ask=ask,
                   reference=context.reference_solution())


def _asker(student: Student) -> Callable:
    """Student.outcome, remembered per input: checks of one function share its answers."""
    answers: dict[int, tuple] = {}

    def ask(probe):
        if id(probe) not in answers:
            answers[id(probe)] = student.outcome(probe)
        return answers[id(probe)]

    return ask


def import_error_message(module: str, error) -> str:
    """'SyntaxError in perceptron.py line 12: ...' or the exception with the student's frames."""
    text = f"{module}.py could not be imported: {error.type_name}: {error.message}"
    traceback = (getattr(error, "traceback", "") or "").rstrip()
    if traceback:
        text += "\n" + "\n".join("    " + line for line in traceback.splitlines())
    return text
