"""A grader fault is never a score: a missing reference or data file, or an exception in the
kit's own code, makes the submission "not graded" with the reason (exit 3), never a number."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from conftest import REFERENCE

from autograder import grade
from autograder.checks import suite
from autograder.grade import NotGraded, grade_submission


def _run_cli(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True,
                          text=True, env=env, timeout=600)


def test_missing_reference_refuses_before_grading_with_one_line(tmp_path):
    done = _run_cli("grade", str(REFERENCE / "a1_perceptron"),
                    env_extra={"BACKPROP_LAB_REFERENCE": str(tmp_path / "nowhere")})
    assert done.returncode == NotGraded.EXIT_STATUS == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "not graded" in lines[0] and "reference solution is missing" in lines[0]
    assert "Task" not in done.stdout  # no table was printed: nothing was graded


def test_visible_only_grading_needs_no_reference(tmp_path):
    done = _run_cli("grade", "--visible-only", str(REFERENCE / "a1_perceptron"),
                    env_extra={"BACKPROP_LAB_REFERENCE": str(tmp_path / "nowhere")})
    assert done.returncode == 0, done.stderr


def test_corrupt_dataset_refuses(tmp_path):
    (tmp_path / "digits.csv.gz").write_bytes(b"not the digits")
    done = _run_cli("grade", str(REFERENCE / "a1_perceptron"),
                    env_extra={"BACKPROP_LAB_DATASETS": str(tmp_path)})
    assert done.returncode == 3
    assert "not graded" in done.stderr and "corrupt" in done.stderr


def test_an_exception_in_a_kit_check_makes_the_submission_not_graded(monkeypatch):
    def broken(student):
        raise KeyError("a bug in the kit's own check")

    original = suite

    def suite_with_a_broken_check(include_hidden=True, context=None):
        suites = original(include_hidden=include_hidden, context=context)
        a1 = suites[0]
        check = dataclasses.replace(a1.checks[0], run=broken, name="broken_on_purpose")
        return [dataclasses.replace(a1, checks=(check, *a1.checks[1:])), *suites[1:]]

    monkeypatch.setattr(grade, "suite", suite_with_a_broken_check)
    with pytest.raises(NotGraded) as raised:
        grade_submission(REFERENCE / "a1_perceptron", include_hidden=False)
    assert "broken_on_purpose" in raised.value.reason
    assert raised.value.partial is not None  # kept for the staff's diagnosis, never exported


def test_not_graded_is_an_error_row_in_a_batch(tmp_path, monkeypatch):
    import shutil

    from autograder.staff import batch
    from autograder.staff.gradebook import iter_rows

    folder = tmp_path / "class" / "alice" / "a1_perceptron"
    folder.mkdir(parents=True)
    shutil.copy(REFERENCE / "a1_perceptron" / "perceptron.py", folder)
    monkeypatch.setenv("BACKPROP_LAB_REFERENCE", str(tmp_path / "nowhere"))
    batch.run_batch(tmp_path / "class", tmp_path / "gb.db", only=["a1"], progress=False)
    (row,) = iter_rows(tmp_path / "gb.db")
    assert row.status == "error" and "reference solution is missing" in row.reason


def test_not_graded_on_gradescope_says_so_and_why(tmp_path, monkeypatch):
    import shutil

    from autograder.staff.gradescope import grade_in_container

    (tmp_path / "submission").mkdir()
    shutil.copy(REFERENCE / "a1_perceptron" / "perceptron.py", tmp_path / "submission")
    monkeypatch.setenv("BACKPROP_LAB_REFERENCE", str(tmp_path / "nowhere"))
    data = grade_in_container(tmp_path)
    assert data["output"].startswith("not graded: the reference solution is missing")
    assert "tell the course staff" in data["output"]
    assert data["extra_data"]["not_graded"] == data["output"]
