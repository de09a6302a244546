"""The corpus: every planted bug loses points in exactly its tasks, every alternative keeps
them all.

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


def _lost(result) -> dict[str, float]:
    """task id -> points lost, for every task that lost any."""
    return {
        t.task: round(t.max_points - t.score, 3)
        for a in result.assignments
        for t in a.tasks
        if t.score < t.max_points
    }


@pytest.mark.parametrize("entry", BUGGY, ids=[e.name for e in BUGGY])
def test_bug_loses_points_in_exactly_its_tasks_and_names_the_function(entry, tmp_path):
    """One bug, one penalty: the tasks its header names lose points, and no other task.

    ``# also_loses:`` lists a known, documented exception (a task that still loses points
    through the bug of another); it must really lose them, so a fixed exception is noticed
    and its line removed."""
    assert entry.loses, f"{entry.path} must say which tasks it loses"
    assert not set(entry.loses) & set(entry.also_loses), f"{entry.path}: a task in both lists"
    result = _grade(entry, tmp_path)
    tasks = {t.task: t for a in result.assignments for t in a.tasks}
    assert set(entry.loses) | set(entry.also_loses) <= set(tasks), "unknown task in the header"
    lost = _lost(result)
    missed = sorted(set(entry.loses) - set(lost))
    assert not missed, f"{entry.name} did not lose points on {missed}"
    extra = {task: lost[task] for task in sorted(set(lost) - set(entry.loses))}
    unexpected = {task: points for task, points in extra.items() if task not in entry.also_loses}
    assert not unexpected, (
        f"{entry.name} also loses points outside its own task(s) {list(entry.loses)}: "
        + "; ".join(f"{task} (-{points}): {tasks[task].first_failure()[:300]}"
                    for task, points in unexpected.items())
    )
    stale = sorted(set(entry.also_loses) - set(lost))
    assert not stale, f"{entry.name}: 'also_loses: {stale}' no longer happens; remove the line"
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


GARBAGE = ["np.zeros(3)", "(np.zeros(3), np.zeros(3))", "None", "[{}, 'x', float('nan')]"]


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize("folder", ["a1_perceptron", "a2_gradient_descent", "a4_mlp"])
def test_a_module_whose_every_function_returns_garbage_earns_nothing(folder, garbage, tmp_path):
    """No free points: a check passes only when the call also met its output contract, so
    "leaves its inputs alone" alone earns nothing; and garbage is the student's fault, never
    the grader's (grade_submission raises NotGraded on any check the kit failed to run).
    a3's module is a class, not functions."""
    import inspect

    from autograder.staff import reference

    module = {v: k for k, v in reference.module_folders().items()}[folder]
    ref = reference.load(module)
    names = [n for n, f in vars(ref).items()
             if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == ref.__name__]
    (tmp_path / folder).mkdir()
    (tmp_path / folder / f"{module}.py").write_text("import numpy as np\n\n\n" + "".join(
        f"def {name}(*args, **kwargs):\n    return {garbage}\n\n\n" for name in names))
    result = grade_submission(tmp_path / folder)
    earned = {t.task: t.score for a in result.assignments for t in a.tasks if t.score}
    assert earned == {}, earned
