"""One grading of one submission, as both a --jobs process and a Dask worker run it: the
default grader over the staff context, the reply every failure becomes, and the zero-score
result of a grading that produced none.

Below batch.py (the process pool) and cluster.py (the Dask tasks): both grade with these.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

from autograder.errors import GradingError, NotGraded
from autograder.grade import (
    SUBMISSION_BUDGET_SECONDS,
    AssignmentResult,
    SubmissionResult,
    TaskResult,
)
from autograder.staff.layout import Submission

GRACE_SECONDS = 120.0
"""Wall time a grading gets beyond the submission budget before it is stopped:
grade_submission enforces the budget itself between checks, so this only fires when a
grading is wedged (e.g. a call that ignores its own timeout)."""

TASK_LIMIT_SECONDS = SUBMISSION_BUDGET_SECONDS + GRACE_SECONDS
"""The wall time one submission's grading may take, a --jobs process or a Dask task alike."""


def overtime_reason(limit_seconds: float) -> str:
    """The reason on the error row of a grading stopped at ``limit_seconds`` (both runners)."""
    return f"grading took over {limit_seconds:.0f} s; stopped."


def error_result(submission: Submission, scope: list[str], reason: str) -> SubmissionResult:
    """A zero-score result for every task of ``scope`` carrying ``reason``: nothing is lost."""
    from autograder.checks import suite

    assignments = []
    for s in suite(include_hidden=False):
        a = s.assignment
        if a.id in scope:
            tasks = [TaskResult(a.id, t.id, t.title, t.points, [], reason) for t in a.tasks]
            assignments.append(AssignmentResult(a.id, a.folder, a.title, tasks, reason))
    return SubmissionResult(str(submission.source), assignments, 0.0, "")


def grade_one(path: str, only: list[str], slot: int, reference: str | None = None) -> dict:
    """The default grader run in a child process: the full SubmissionResult as a dict.

    ``reference`` is the folder the parent resolved once for the whole batch."""
    from autograder.grade import grade_submission
    from autograder.staff.context import staff_context

    return grade_submission(Path(path), staff_context(reference), only=only, slot=slot).to_dict()


def resolve_reference(explicit: Path | str | None) -> str:
    """The batch's reference solution, found once before anything is graded (NotGraded if
    there is none: every hidden check would otherwise be a grader fault)."""
    from autograder.staff import reference

    try:
        return str(reference.locate(explicit))
    except reference.ReferenceMissing as error:
        raise NotGraded(str(error)) from None


def refuse_to_grade(reason: str, path: str, only: list[str], slot: int) -> dict:
    """The grader of a batch that cannot grade (no reference): an error row per submission."""
    raise NotGraded(reason)


def grading_reply(grader: Callable[[str, list[str], int], dict], path: str, only: list[str],
                  slot: int) -> tuple[str, object]:
    """("ok", result dict) or ("error", reason): one grading, every failure a reason (the
    same words in a --jobs process and on a Dask worker)."""
    try:
        return ("ok", grader(path, only, slot))
    except GradingError as error:
        return ("error", str(error))
    except Exception as error:  # noqa: BLE001 -- any failure becomes an error row
        frames = traceback.format_exc(limit=-3).strip()
        return ("error", f"grading raised {type(error).__name__}: {error}\n{frames}")


