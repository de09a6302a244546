"""What an nbgrader graded cell runs: the kit's visible checks of one task, as a number.

A graded cell of a Backprop Lab nbgrader notebook is two lines::

    from autograder.nbgrader_cells import task_score
    float(task_score("a1", "1.3"))

``task_score`` grades the ``.py`` files beside the notebook out of process (the kit's
worker), prints every failed check of that task, and returns the points earned, so that
nbgrader's partial credit applies. It never writes to stderr (a graded cell with any stderr
output scores 0 in nbgrader) and never raises: a fault of any kind prints its reason and
scores 0.

This number is a convenience for students. The kernel runs the student's own cells too, so
it can be patched; the grades that count are pushed into the gradebook by
``autograder nbgrader push-grades`` from the kit's own grading of the submitted files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

from autograder.grade import SubmissionResult, TaskResult

COPIED_SUFFIXES = (".py",)
"""Files of the notebook's folder that take part in grading: the student's modules. Data
files and notebooks are not needed by the checks and may be large."""

_CACHE: dict[tuple, SubmissionResult] = {}
"""One grading per (assignment, files' content): a notebook's five graded cells share it."""


def _student_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in COPIED_SUFFIXES)


def _fingerprint(files: list[Path]) -> tuple:
    return tuple((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in files)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence warnings, sys.stderr and file descriptor 2 (child processes inherit it)."""
    sink = io.StringIO()
    saved_fd = None
    try:
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - a broken stderr is silenced all the same
        pass
    try:
        saved_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        saved_fd = None
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            yield
    finally:
        if saved_fd is not None:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)


def grade_folder(assignment: str, folder: Path, include_hidden: bool = False,
                 tasks: list[str] | None = None) -> SubmissionResult:
    """Grade the modules in ``folder`` as assignment ``assignment`` ("a1"), cached by content;
    ``tasks``: only those tasks' checks (``autograder.notebook.check``)."""
    from autograder.checks import suite
    from autograder.grade import grade_submission

    files = _student_files(folder)
    key = (assignment, include_hidden, tuple(tasks or ()), _fingerprint(files))
    if key not in _CACHE:
        by_id = {s.assignment.id: s.assignment for s in suite(include_hidden=False)}
        if assignment not in by_id:
            raise KeyError(f"unknown assignment {assignment!r}; known: {sorted(by_id)}")
        with tempfile.TemporaryDirectory(prefix="backprop-lab-cell-") as tmp:
            target = Path(tmp) / by_id[assignment].folder
            target.mkdir()
            for path in files:
                shutil.copyfile(path, target / path.name)
            _CACHE[key] = grade_submission(
                Path(tmp), include_hidden=include_hidden, only=[assignment], tasks=tasks
            )
    return _CACHE[key]


def _task(result: SubmissionResult, task: str) -> TaskResult:
    for a in result.assignments:
        for t in a.tasks:
            if t.task == task:
                return t
    raise KeyError(f"the grading has no task {task}")


def describe(task: TaskResult) -> str:
    """The lines a graded cell prints: points, then every failed check in full."""
    from autograder.report import task_feedback

    checks = f"{task.passed}/{len(task.checks)} visible checks passed" if task.checks else ""
    head = f"Task {task.task} ({task.title}): {task.score:.2f} / {task.max_points:.2f} points"
    lines = [head + (f", {checks}" if checks else "")]
    feedback = task_feedback(task)
    if feedback:
        lines += ["", feedback]
    lines += ["", "Hidden checks on other inputs also count in your final grade."]
    return "\n".join(lines)


def _banner(text: str, width: int = 78) -> str:
    """text wrapped to the width between two rules of '!': hard to miss in a cell's output."""
    import textwrap

    rule = "!" * width
    return "\n".join([rule, *textwrap.wrap(text, width), rule])


def task_score(assignment: str, task: str, folder: str | os.PathLike = ".") -> float:
    """Points earned on ``task`` by the visible checks of the modules in ``folder``; prints why.

    Never raises and never writes to stderr: a fault prints its reason and returns 0.0.
    The first call in a kernel that can import the staff package prints, on stdout (shown
    in the notebook and the feedback, never costing points), a warning saying so.
    """
    from autograder.hub_guard import warning_once

    warning = warning_once()
    if warning:
        print(_banner(warning))
    try:
        with _quiet_stderr():
            result = grade_folder(assignment, Path(folder).resolve())
            found = _task(result, task)
        print(describe(found))
        return float(found.score)
    except Exception as error:  # noqa: BLE001 - a graded cell must end in a number
        print(f"Task {task}: could not be graded here ({type(error).__name__}: {error}); 0 points.")
        return 0.0
