"""The payload GitHub Classroom's reporter decodes: base64 JSON in its documented shape.

The shape is the one classroom-resources/autograding-grading-reporter reads (src/main.js:
``<RUNNER>_RESULTS`` decoded from base64 and parsed; notify-classroom.js sums each test's
``score`` over runners with a ``max_score``) and Classroom's command grader writes.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from autograder.checks import suite
from autograder.classroom import summary
from autograder.staff.corpus import read_entry

REPO = Path(__file__).resolve().parents[1]
ENTRY = REPO / "tests" / "corpus" / "buggy" / "a1_predict_zero_is_positive.py"
TEST_KEYS = {"name": str, "status": str, "score": (int, float), "message": str,
             "test_code": str, "filename": str, "line_no": int, "duration": (int, float)}


def _decode(output: Path) -> dict:
    line = output.read_text().strip()
    assert line.startswith("result=") and "\n" not in line
    return json.loads(base64.b64decode(line[len("result="):], validate=True))


def test_payload_has_the_reporters_shape_and_the_tasks_points(tmp_path):
    entry = read_entry(ENTRY)
    folder = tmp_path / "repo" / "a1_perceptron"
    shutil.copytree(REPO / "reference_solution" / "a1_perceptron", folder,
                    ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    module = folder / "perceptron.py"
    module.write_text(module.read_text() + "\n\n" + ENTRY.read_text())
    output, md = tmp_path / "output", tmp_path / "summary.md"
    assert summary.main(["a1", "--path", str(tmp_path / "repo"), "--output", str(output),
                         "--summary", str(md)]) == 0
    data = _decode(output)
    assert set(data) == {"version", "status", "max_score", "tests"}
    assert data["version"] == 1 and data["status"] == "fail"
    a1 = next(s.assignment for s in suite(include_hidden=False) if s.assignment.id == "a1")
    assert data["max_score"] == sum(t.points for t in a1.tasks)
    assert len(data["tests"]) == len(a1.tasks)
    for test, task in zip(data["tests"], a1.tasks, strict=True):
        assert set(test) == set(TEST_KEYS)
        for key, kind in TEST_KEYS.items():
            assert isinstance(test[key], kind), (key, test[key])
        assert f"task {task.id}" in test["name"]
        assert test["status"] in {"pass", "fail"}
        lost = task.id in entry.loses
        assert (test["status"] == "fail") == lost, test
        assert (test["score"] < task.points) == lost and 0 <= test["score"] <= task.points
    # Classroom's points: the sum of the tests' scores, as the summary's total
    total = sum(t["score"] for t in data["tests"])
    assert f"## Backprop Lab: {total:.2f} / {data['max_score']:.2f} points" in md.read_text()


def test_a_grading_failure_reports_an_error_and_claims_no_points(tmp_path):
    output = tmp_path / "output"
    assert summary.main(["--path", str(tmp_path), "--output", str(output)]) == 2
    data = _decode(output)
    assert data["status"] == "error" and data["max_score"] == 0
    assert [t["status"] for t in data["tests"]] == ["error"]
    assert "no assignment folder" in data["tests"][0]["message"]
