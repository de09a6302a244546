"""The Gradescope zip: its contents, and run_autograder in a directory laid out like /autograder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.staff import gradescope
from autograder.staff.corpus import materialize, read_entry

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"

TOP_KEYS = {
    "score": (int, float),
    "execution_time": (int, float),
    "output": str,
    "output_format": str,
    "visibility": str,
    "stdout_visibility": str,
    "extra_data": dict,
    "tests": list,
    "leaderboard": list,
}
TEST_KEYS = {
    "score": (int, float),
    "max_score": (int, float),
    "status": str,
    "name": str,
    "number": str,
    "output": str,
    "output_format": str,
    "tags": list,
    "visibility": str,
}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}

BUG = """\
# target: a1_perceptron/perceptron.py
# bug: predicts +1 on the boundary (w . x = 0), which must count as -1
# loses: 1.2
# names: predict
def predict(w, Xb):
    return np.where(np.asarray(Xb, dtype=float) @ np.asarray(w, dtype=float) >= 0, 1.0, -1.0)
"""


def validate(results: dict) -> None:
    """results.json against Gradescope's documented schema: keys, types, enumerations."""
    assert set(results) <= set(TOP_KEYS), set(results) - set(TOP_KEYS)
    for key, kind in TOP_KEYS.items():
        if key in results:
            assert isinstance(results[key], kind), (key, results[key])
    assert "score" in results and "tests" in results
    for key in ("visibility", "stdout_visibility"):
        assert results.get(key, "visible") in VISIBILITY
    assert results.get("output_format", "text") in FORMATS
    for test in results["tests"]:
        assert set(test) <= set(TEST_KEYS), set(test) - set(TEST_KEYS)
        for key, kind in TEST_KEYS.items():
            if key in test:
                assert isinstance(test[key], kind), (key, test[key])
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test.get("visibility", "visible") in VISIBILITY
        assert all(isinstance(tag, str) for tag in test.get("tags", []))


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    gradescope.build_zip(out)
    return out


def test_zip_holds_the_kit_and_the_scripts_but_no_tests_or_caches(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    for required in (
        "setup.sh",
        "run_autograder",
        "pyproject.toml",
        "README.md",
        "autograder/grade.py",
        "autograder/staff/hidden_checks/__init__.py",
        "reference_solution/a1_perceptron/perceptron.py",
        "datasets/digits.csv.gz",
    ):
        assert required in names, required
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not [n for n in names if n.startswith(("tests/", ".git"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def _unpacked(zip_path: Path, tmp_path: Path) -> Path:
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def _run_autograder(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    env.update(BACKPROP_LAB_GRADESCOPE_ROOT=str(root), BACKPROP_LAB_PYTHON=sys.executable)
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    return results


def _a1_max() -> float:
    from autograder.checks import suite

    return next(s.assignment.max_points for s in suite() if s.assignment.id == "a1")


def test_reference_files_uploaded_flat_score_full_marks(autograder_zip, tmp_path):
    root = _unpacked(autograder_zip, tmp_path)
    shutil.copy(REFERENCE / "a1_perceptron" / "perceptron.py", root / "submission")
    results = _run_autograder(root)
    assert results["score"] == pytest.approx(_a1_max())
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(_a1_max())
    assert all(t["status"] == "passed" for t in results["tests"])
    assert "perceptron.py -> a1_perceptron/perceptron.py" in results["output"]


def test_buggy_folder_upload_scores_between_zero_and_max(autograder_zip, tmp_path):
    root = _unpacked(autograder_zip, tmp_path)
    entry_file = tmp_path / "boundary_bug.py"
    entry_file.write_text(BUG)
    submission = materialize(read_entry(entry_file), REFERENCE, tmp_path / "built")
    shutil.copytree(submission / "a1_perceptron", root / "submission" / "a1_perceptron")
    results = _run_autograder(root)
    assert 0 < results["score"] < _a1_max()
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert "1.2" in [t["number"] for t in failed]
    assert "predict" in next(t["output"] for t in failed if t["number"] == "1.2")
    early = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert early and all("[hidden check]" not in t["output"] for t in early)
    later = {t["visibility"] for t in results["tests"]} - {"visible"}
    assert later <= {gradescope.DEFAULT_HIDDEN_VISIBILITY}


def test_an_upload_with_nothing_to_grade_still_writes_valid_results(autograder_zip, tmp_path):
    root = _unpacked(autograder_zip, tmp_path)
    (root / "submission" / "notes.txt").write_text("I did not finish.\n")
    results = _run_autograder(root)
    assert results["score"] == 0
    assert "no assignment file found" in results["output"]
    assert "perceptron.py" in results["output"]


def test_a_broken_kit_still_writes_valid_results(autograder_zip, tmp_path):
    root = _unpacked(autograder_zip, tmp_path)
    (root / "source" / "autograder" / "grade.py").write_text("raise ImportError('broken kit')\n")
    shutil.copy(REFERENCE / "a1_perceptron" / "perceptron.py", root / "submission")
    results = _run_autograder(root)
    assert results["score"] == 0
    assert "could not start" in results["output"]


def _task_with_hidden_failure():
    from autograder.grade import AssignmentResult, CheckResult, SubmissionResult, TaskResult

    checks = [CheckResult("shown ok", "predict", False, True),
              CheckResult("shown bad", "predict", False, False, "VISIBLE-MESSAGE"),
              CheckResult("hidden bad", "predict", True, False, "HIDDEN-INPUT x=[1, 2]"),
              CheckResult("hidden ok", "predict", True, True)]
    task = TaskResult("a1", "1.2", "predict", 4.0, checks)
    return SubmissionResult("s", [AssignmentResult("a1", "a1_perceptron", "t", [task])]), task


@pytest.mark.parametrize("visibility", gradescope.HIDDEN_VISIBILITIES)
def test_hidden_checks_show_only_how_many_failed_until_the_configured_visibility(visibility):
    result, task = _task_with_hidden_failure()
    tests = gradescope.split_tests(result, visibility)
    shown, summary, full = tests
    assert (shown["score"], shown["max_score"], shown["visibility"]) == (1.0, 2.0, "visible")
    assert "VISIBLE-MESSAGE" in shown["output"] and "HIDDEN" not in shown["output"]
    assert (summary["score"], summary["max_score"], summary["visibility"]) == (1.0, 2.0, "visible")
    assert summary["output"] == "1 of 2 hidden checks failed."
    assert (full["score"], full["max_score"], full["visibility"]) == (0.0, 0.0, visibility)
    assert "HIDDEN-INPUT x=[1, 2]" in full["output"]
    assert sum(t["score"] for t in tests) == task.score  # the score counts the hidden checks
    validate({"score": result.score, "tests": tests})


def test_zip_records_the_hidden_visibility_and_refuses_an_unknown_one(tmp_path):
    out = tmp_path / "a.zip"
    gradescope.build_zip(out, hidden_visibility="after_published")
    with zipfile.ZipFile(out) as archive:
        config = json.loads(archive.read(gradescope.CONFIG_NAME))
    assert config["hidden_visibility"] == "after_published"
    with pytest.raises(gradescope.GradingError, match="--hidden-visibility 'soon'"):
        gradescope.build_zip(out, hidden_visibility="soon")


def test_the_container_grades_with_hidden_checks_though_the_kit_is_not_installed(
    tmp_path, monkeypatch
):
    """In Gradescope's container the kit runs from PYTHONPATH, uninstalled: no entry point
    names the staff context, so grading there must hand it over by value, not look it up."""
    import importlib.metadata

    import autograder.grade

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    seen = []
    real = autograder.grade.grade_submission

    def recording(path, context=None, **kwargs):
        seen.append(context)
        return real(path, context, **kwargs)

    monkeypatch.setattr(autograder.grade, "grade_submission", recording)
    root = tmp_path / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    shutil.copy(REFERENCE / "a1_perceptron" / "perceptron.py", root / "submission")
    results = gradescope.grade_in_container(root)
    assert seen and seen[0] is not None and seen[0].include_hidden
    assert results["score"] == pytest.approx(_a1_max())
