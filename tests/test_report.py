"""Reports from a hand-made result: the table, results.json, and feedback with a plot."""

from __future__ import annotations

from autograder.grade import AssignmentResult, CheckResult, SubmissionResult, TaskResult
from autograder.report import console_table, gradescope_results, write_feedback


def _result() -> SubmissionResult:
    failing = CheckResult(
        "digits",
        "train_mlp",
        True,
        False,
        "train_mlp: the grader measured test accuracy 0.851, needs 0.95.",
    )
    task = TaskResult(
        "a4", "4.6", "training", 2, [CheckResult("xor", "train_mlp", False, True), failing]
    )
    curve = {
        "title": "loss per epoch",
        "curves": {"yours": [1.0, 0.5, 0.4], "reference": [1.0, 0.3, 0.1]},
    }
    assignment = AssignmentResult(
        "a4", "a4_mlp", "MLP", [task], artifacts={"training_curve": curve}
    )
    return SubmissionResult("alice", [assignment], 1.0, "bwrap")


def test_half_the_checks_earn_half_the_points_and_the_table_says_why():
    result = _result()
    assert result.score == 1.0 and result.max_score == 2
    table = console_table(result)
    assert "4.6" in table and "1/2" in table
    assert "needs 0.95" in table


def test_results_json_has_one_failed_test_per_task_with_the_message():
    data = gradescope_results(_result())
    assert (data["score"], data["max_score"]) == (1.0, 2)
    [test] = data["tests"]
    assert test["status"] == "failed" and test["score"] == 1.0
    assert "1 of 2 checks passed" in test["output"] and "needs 0.95" in test["output"]


def test_feedback_draws_the_training_curve_beside_the_reference(tmp_path):
    html = write_feedback(_result(), tmp_path / "feedback.html")[0].read_text()
    assert html.count("<polyline") == 2 and "reference" in html and "yours" in html
    written = write_feedback(_result(), tmp_path / "feedback.md")
    assert [p.name for p in written] == ["feedback.md", "a4_training_curve.svg"]
    assert "(a4_training_curve.svg)" in written[0].read_text()


def test_a_result_survives_its_json_round_trip():
    result = _result()
    assert SubmissionResult.from_dict(result.to_dict()).to_dict() == result.to_dict()


def test_a_long_check_name_wraps_to_the_width_like_its_message():
    from autograder.report import task_feedback

    name = "fan-out (x.op() * x): adds to an operand's existing grad, scaled by out.grad"
    failed = CheckResult(name, "Value.tanh", False, False, "Value.tanh: a.grad is wrong.")
    task = TaskResult("a3", "3.4", "tanh, sigmoid, relu", 4.0, [failed])
    text = task_feedback(task, width=76)
    assert max(len(line) for line in text.splitlines()) <= 76
    assert " ".join(text.split()).startswith(f"[check] {name} Value.tanh: a.grad")


def test_feedback_title_names_the_submission_not_the_graders_path(tmp_path):
    result = _result()
    result.submission = "/home/grader/course/submissions/alice"
    html = write_feedback(result, tmp_path / "f.html")[0].read_text()
    assert "<title>Feedback: alice</title>" in html
    assert "/home/grader" not in html
