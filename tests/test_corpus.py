"""The corpus: every planted bug loses points on its task, every alternative keeps them all.

Each entry of tests/corpus/{buggy,alternative}/ is a snippet appended to a reference module
(autograder/staff/corpus.py); its header says which tasks must lose points and which function the
feedback must name.
"""

from __future__ import annotations

import pytest
from conftest import CORPUS, REFERENCE

from autograder.grade import grade_submission
from autograder.staff.corpus import entries, materialize

BUGGY = entries(CORPUS / "buggy")
ALTERNATIVE = entries(CORPUS / "alternative")
ASSIGNMENT_OF_FOLDER = {
    "a1_perceptron": "a1",
    "a2_gradient_descent": "a2",
    "a3_backprop": "a3",
    "a4_mlp": "a4",
}


def _grade(entry, tmp_path):
    submission = materialize(entry, REFERENCE, tmp_path)
    return grade_submission(submission, only=[ASSIGNMENT_OF_FOLDER[entry.folder]])


def test_corpus_is_big_enough():
    for folder in ASSIGNMENT_OF_FOLDER:
        assert sum(e.folder == folder for e in BUGGY) >= 5, folder
        assert sum(e.folder == folder for e in ALTERNATIVE) >= 2, folder


@pytest.mark.parametrize("entry", BUGGY, ids=[e.name for e in BUGGY])
def test_bug_loses_points_on_its_task_and_names_the_function(entry, tmp_path):
    assert entry.loses, f"{entry.path} must say which tasks it loses"
    result = _grade(entry, tmp_path)
    tasks = {t.task: t for a in result.assignments for t in a.tasks}
    for task_id in entry.loses:
        task = tasks[task_id]
        assert task.score < task.max_points, f"{entry.name} did not lose points on {task_id}"
    feedback = "\n".join(t.first_failure() for t in tasks.values() if t.task in entry.loses)
    for name in entry.names:
        assert name in feedback, f"feedback does not name {name}:\n{feedback}"
    for t in tasks.values():
        assert not any(c.internal_error for c in t.checks), t.first_failure()


@pytest.mark.parametrize("entry", ALTERNATIVE, ids=[e.name for e in ALTERNATIVE])
def test_alternative_solution_keeps_full_marks(entry, tmp_path):
    result = _grade(entry, tmp_path)
    failures = [
        f"{t.task}: {t.first_failure()}"
        for a in result.assignments
        for t in a.tasks
        if t.score < t.max_points
    ]
    assert failures == [], "\n".join(failures)


def test_regrading_ten_times_gives_identical_results(tmp_path):
    entry = next(e for e in BUGGY if e.folder == "a1_perceptron")
    submission = materialize(entry, REFERENCE, tmp_path)

    def strip_times(data):
        for a in data["assignments"]:
            for t in a["tasks"]:
                for c in t["checks"]:
                    c.pop("seconds")
        data.pop("seconds")
        return data

    runs = [strip_times(grade_submission(submission).to_dict()) for _ in range(10)]
    assert all(run == runs[0] for run in runs)
    assert 0 < runs[0]["score"] < runs[0]["max_score"]
