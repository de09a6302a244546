"""``check("1.3")`` in a notebook cell: that task's visible checks, as ``autograder check``.

A notebook's cell after each task is two lines::

    from autograder.notebook import check
    check("1.3")

It grades the module of the notebook's assignment (found from the working directory, which
Jupyter and nbgrader set to the notebook's folder) in the same sandboxed worker as
``autograder check --task 1.3``, and prints the same table and the task's first failure
(a check stopped by a stub's NotImplementedError is one line), in 80 columns of plain text.
It never raises and never writes to stderr, so under ``nbgrader autograde`` it prints and
changes no score (nbgrader's graded cells are nbgrader_cells.task_score); it returns None,
so a cell shows only what it printed.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from autograder.grade import SubmissionResult, TaskResult

REMINDER = "Visible checks only: grading also runs hidden checks on other inputs."


def _assignment_of(task: str):
    """The visible suite's assignment a task id ("1.3") belongs to (KeyError if none)."""
    from autograder.checks import suite

    for s in suite(include_hidden=False):
        if any(t.id == task for t in s.assignment.tasks):
            return s.assignment
    known = [t.id for s in suite(include_hidden=False) for t in s.assignment.tasks]
    raise KeyError(f"no task {task!r} (the tasks are {known[0]} to {known[-1]})")


def find_folder(assignment, start: Path) -> Path:
    """The folder holding ``assignment``'s module: ``start`` itself when the module is there
    (Jupyter's and nbgrader's working directory: the notebook's folder, whatever its name),
    else the assignment's folder found as ``autograder check`` finds it."""
    from autograder.cli import find_assignments
    from autograder.grade import GradingError

    if (start / f"{assignment.module}.py").is_file():
        return start
    root, _ = find_assignments(start)
    folder = root / assignment.folder
    if not (folder / f"{assignment.module}.py").is_file():
        raise GradingError(f"{folder} has no {assignment.module}.py.")
    return folder


def first_failure(task: TaskResult) -> list[str]:
    """The task's first failed check: one line when a stub stopped it, else in full."""
    from autograder.report import (
        _row,
        not_implemented,
        not_implemented_line,
        task_feedback,
        wrap,
    )

    failed = [c for c in task.checks if not c.passed]
    if task.note or not failed:
        return [wrap(task.note)] if task.note else []
    check = failed[0]
    stub = not_implemented(check)
    kind = "hidden check" if check.hidden else "check"
    if stub:
        return [_row(f"First failure: [{kind}] {check.name}"), f"  {not_implemented_line(stub)}"]
    single = dataclasses.replace(task, checks=[check])
    return ["First failure:", task_feedback(single, width=78)]


def report(result: SubmissionResult, task: str) -> str:
    """The table of ``task`` (as ``autograder check --task``) and its first failure."""
    from autograder.report import console_table

    lines = [console_table(result, details=False)]
    for a in result.assignments:
        if a.note:
            continue
        for t in a.tasks:
            if t.task == task:
                failure = first_failure(t)
                lines += ["", *failure] if failure else []
    return "\n".join([*lines, "", REMINDER])


def check(task: str, folder: str | os.PathLike | None = None) -> None:
    """Run task ``task``'s visible checks on this notebook's module; print what they found.

    ``folder``: where to look (default: the working directory). Never raises, never writes
    to stderr: a fault prints its reason on one line."""
    from autograder.hub_guard import warning_once
    from autograder.nbgrader_cells import _banner, _quiet_stderr, grade_folder

    warning = warning_once()
    if warning:
        print(_banner(warning))
    try:
        task = str(task)
        with _quiet_stderr():
            assignment = _assignment_of(task)
            where = find_folder(assignment, Path(folder or os.getcwd()).absolute())
            result = grade_folder(assignment.id, where, tasks=[task])
        shown = dataclasses.replace(result, submission=str(where))
        print(report(shown, task))
    except Exception as error:  # noqa: BLE001 - a notebook cell must not fail here
        reason = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"check({task!r}) could not run: {reason}")
