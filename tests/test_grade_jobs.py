"""``grade --jobs N``: assignments graded concurrently give the result ``--jobs 1`` gives.

Compared field by field apart from timing (seconds, execution_time), on a submission that
fails checks (messages, diagnoses) in one assignment, passes in others and lacks one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder import cli, grade
from autograder.errors import NotGraded, SandboxExposed
from autograder.staff.corpus import materialize, read_entry

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
BUG = REPO / "tests" / "corpus" / "buggy" / "a1_update_on_correct_points.py"
TIMING = {"seconds", "execution_time"}


def untimed(value):
    """``value`` (results.json data) with every timing field removed, recursively."""
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """A buggy a1, the reference's a2, no a3 folder (graded anyway via --assignment)."""
    built = materialize(read_entry(BUG), REFERENCE, tmp_path_factory.mktemp("bugs"))
    shutil.copytree(REFERENCE / "a2_gradient_descent", built / "a2_gradient_descent",
                    ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    return built


def run_cli(args: list[str], capsys) -> str:
    assert cli.main(args) == 0
    return capsys.readouterr().out


def test_jobs_two_writes_what_jobs_one_writes(mixed, tmp_path, capsys):
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        console = run_cli(["grade", str(mixed), "--jobs", jobs, "--assignment", "a1",
                           "--assignment", "a2", "--assignment", "a3",
                           "--results", str(out / "results.json"),
                           "--feedback", str(out / "feedback.md")], capsys)
        outputs[jobs] = (
            [line.replace(str(out), "OUT") for line in console.splitlines()
             if not line.startswith("Total:")],  # the Total line holds the seconds
            untimed(json.loads((out / "results.json").read_text())),
            (out / "feedback.md").read_text(),
        )
    one, two = outputs["1"], outputs["2"]
    assert two[0] == one[0]
    assert two[1] == one[1]
    assert two[2] == one[2]
    tests = one[1]["tests"]
    assert any(t["score"] < t["max_score"] for t in tests if t["name"].startswith("1."))
    assert all(t["score"] == t["max_score"] for t in tests if t["name"].startswith("2."))
    assert any("missing" in t.get("output", "") for t in tests if t["name"].startswith("3."))


def test_jobs_two_result_equals_jobs_one_in_process(mixed):
    one = grade.grade_submission(mixed, only=["a1", "a2"], jobs=1)
    two = grade.grade_submission(mixed, only=["a1", "a2"], jobs=2)
    assert untimed(two.to_dict()) == untimed(one.to_dict())
    assert [a.id for a in two.assignments] == ["a1", "a2"]


def test_progress_lines_come_in_assignment_order(mixed):
    lines = {1: [], 2: []}
    for jobs in (1, 2):
        grade.grade_submission(mixed, only=["a1", "a2"], jobs=jobs, include_hidden=False,
                               progress=lines[jobs].append)
    assert lines[2] == lines[1]
    assert lines[1][0].startswith("a1 ") and lines[1][-1].startswith("a2 ")


@pytest.mark.parametrize("error", [NotGraded("the kit broke in a2"),
                                   SandboxExposed(["read the reference"], "rlimits")])
def test_a_child_that_raises_raises_the_same_in_the_parent(mixed, monkeypatch, error):
    plain = grade.grade_assignment

    def failing(root, s, **kwargs):
        if s.assignment.id == "a2":
            raise error
        return plain(root, s, **kwargs)

    monkeypatch.setattr(grade, "grade_assignment", failing)  # the fork inherits it
    raised = {}
    for jobs in (1, 2):
        with pytest.raises(NotGraded) as caught:
            grade.grade_submission(mixed, only=["a1", "a2"], jobs=jobs, include_hidden=False)
        raised[jobs] = caught.value
    assert type(raised[2]) is type(raised[1]) is type(error)
    assert str(raised[2]) == str(raised[1]) == str(error)


def test_negative_jobs_is_one_clear_line(mixed, capsys):
    assert cli.main(["grade", str(mixed), "--jobs", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--jobs -1" in err


def test_in_turn_the_next_worker_is_begun_before_this_assignment_is_graded(mixed, monkeypatch):
    from autograder.isolation import worker as worker_module

    events = []
    plain_begin, plain_grade = worker_module.Worker.begin, grade.grade_assignment

    def begin(self):
        events.append(f"begin {self.submission_dir.name}")
        plain_begin(self)

    def graded(root, s, **kwargs):
        result = plain_grade(root, s, **kwargs)
        events.append(f"graded {s.assignment.folder}")
        return result

    monkeypatch.setattr(worker_module.Worker, "begin", begin)
    monkeypatch.setattr(grade, "grade_assignment", graded)
    result = grade.grade_submission(mixed, only=["a1", "a2", "a3"], include_hidden=False)
    assert events == ["begin a1_perceptron", "begin a2_gradient_descent",
                      "graded a1_perceptron", "graded a2_gradient_descent",
                      "graded a3_backprop"]  # a3 is missing: no worker begun for it
    assert [a.id for a in result.assignments] == ["a1", "a2", "a3"]
