"""End to end: the reference earns every point, the stubs none, and the CLI behaves."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REFERENCE, STUBS


def _failures(result):
    return [
        f"{t.assignment} {t.task} {c.name}: {c.message}"
        for a in result.assignments
        for t in a.tasks
        for c in t.checks
        if not c.passed
    ]


def test_reference_scores_full_marks(reference_result):
    assert [a.id for a in reference_result.assignments] == ["a1", "a2", "a3", "a4"]
    assert _failures(reference_result) == []
    assert reference_result.score == reference_result.max_score > 0


def test_every_task_has_visible_and_hidden_checks(reference_result):
    for a in reference_result.assignments:
        for t in a.tasks:
            kinds = {c.hidden for c in t.checks}
            assert kinds == {False, True}, f"{a.id} {t.task} has only {kinds} checks"


def test_stubs_score_zero_without_a_crash(stubs_result):
    assert stubs_result.score == 0
    for a in stubs_result.assignments:
        assert a.note == ""  # the stubs import cleanly
        for t in a.tasks:
            assert t.checks, f"{t.task} ran no check"
            for c in t.checks:
                assert not c.internal_error, c.message
                assert "NotImplementedError" in c.message and "Task " in c.message, c.message


def test_no_check_hits_an_internal_error(reference_result, stubs_result):
    for result in (reference_result, stubs_result):
        for a in result.assignments:
            for t in a.tasks:
                assert not any(c.internal_error for c in t.checks)


def _run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


def test_grade_cli_writes_valid_results_json_for_reference_a1(tmp_path):
    results = tmp_path / "r.json"
    run = _run_cli("grade", str(REFERENCE), "--assignment", "a1", "--results", str(results))
    assert run.returncode == 0, run.stderr
    data = json.loads(results.read_text())
    assert data["score"] == data["max_score"] > 0
    assert {"score", "max_score", "execution_time", "output", "tests"} <= data.keys()
    for test in data["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output", "visibility"} <= (
            test.keys()
        )
        assert test["status"] == "passed"
    assert "Total:" in run.stdout


def test_grade_cli_on_stubs_exits_zero_with_score_zero(tmp_path):
    results = tmp_path / "r.json"
    run = _run_cli("grade", str(STUBS), "--assignment", "a2", "--results", str(results))
    assert run.returncode == 0, run.stderr
    data = json.loads(results.read_text())
    assert data["score"] == 0 < data["max_score"]
    assert all(t["status"] == "failed" for t in data["tests"])


def test_grade_cli_missing_path_is_a_clear_error(tmp_path):
    run = _run_cli("grade", str(tmp_path / "nope"))
    assert run.returncode == 2
    assert "no such file or directory" in run.stderr
    assert "Traceback" not in run.stderr


def test_grade_cli_directory_without_assignments_is_a_clear_error(tmp_path):
    run = _run_cli("grade", str(tmp_path))
    assert run.returncode == 2
    assert "holds no assignment" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_module_file_costs_the_assignment_with_a_reason(tmp_path):
    from autograder.grade import grade_submission

    (tmp_path / "a1_perceptron").mkdir()
    (tmp_path / "a1_perceptron" / "Perceptron_final.py").write_text("x = 1\n")
    result = grade_submission(tmp_path)
    assert result.score == 0
    assert "perceptron.py is missing" in result.assignments[0].note
    assert "Perceptron_final.py" in result.assignments[0].note


def test_syntax_error_names_file_and_line(tmp_path):
    from autograder.grade import grade_submission

    folder = tmp_path / "a1_perceptron"
    folder.mkdir()
    (folder / "perceptron.py").write_text("import numpy as np\n\ndef add_bias(X)\n    return X\n")
    result = grade_submission(tmp_path)
    note = result.assignments[0].note
    assert result.score == 0
    assert "SyntaxError" in note and "line 3" in note, note


def test_demo_grades_reference_stubs_and_one_bug_per_assignment():
    run = _run_cli("demo")
    assert run.returncode == 0, run.stderr
    summary = run.stdout.split("Summary", 1)[1].splitlines()
    rows = [line.split() for line in summary if "/" in line]
    assert rows[0][0] == rows[0][2] and "reference" in " ".join(rows[0])  # full marks
    assert rows[1][0] == "0.00" and "stubs" in " ".join(rows[1])
    buggy = [row for row in rows if "buggy:" in " ".join(row)]
    assert len(buggy) == 4
    assert all(0 < float(row[0]) < float(row[2]) for row in buggy)


def test_an_unwritable_results_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    run = _run_cli("grade", str(REFERENCE), "--assignment", "a1",
                   "--results", str(blocker / "r.json"))
    assert run.returncode == 2
    assert run.stderr.startswith("autograder: ") and "Traceback" not in run.stderr


def test_the_folder_of_one_assignment_grades_that_assignment():
    from autograder.grade import grade_submission

    result = grade_submission(REFERENCE / "a2_gradient_descent")
    assert [a.id for a in result.assignments] == ["a2"]
    assert result.score == result.max_score > 0
