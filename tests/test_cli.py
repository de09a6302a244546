"""The command line's paper cuts: check finds the assignments from anywhere and can select a
task, pytest markers in both spellings, output paths refused before grading, demo grades
fresh stubs."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import cli

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
STUBS = REPO / "assignments"


def _readme_visible_checks(task: str) -> int:
    """The number of visible checks of ``task`` in the README's point table."""
    text = (REPO / "README.md").read_text()
    row = re.search(rf"^\| {re.escape(task)} \|[^|]*\| \d+ \| (\d+) \| \d+ \|$", text, re.M)
    assert row, f"no row for task {task} in the README's point table"
    return int(row.group(1))


def _readme_total() -> int:
    """The sum of the points column of the README's point table."""
    rows = re.findall(r"^\| \d\.\d \|[^|]*\| (\d+) \| \d+ \| \d+ \|$",
                      (REPO / "README.md").read_text(), re.M)
    return sum(map(int, rows))


def _autograder(*args: str, cwd: Path = REPO, timeout: float = 300):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env)


# --------------------------------------------------------------------------- check


def test_check_one_task_shows_its_passed_checks_only():
    done = _autograder("check", "--task", "1.4", "--path", REFERENCE)
    assert done.returncode == 0, done.stderr
    n = _readme_visible_checks("1.4")
    assert re.search(rf"^  1\.4 +{n}/{n}: \S", done.stdout, re.M), done.stdout  # "Passed:" line
    assert "Passed:" in done.stdout
    assert not re.search(r"^  1\.[1235] ", done.stdout, re.M)  # no other task of a1


def test_check_finds_the_assignment_it_is_run_in_and_the_folder_from_any_subfolder():
    inside = _autograder("check", cwd=STUBS / "a1_perceptron")
    assert inside.returncode == 0, inside.stderr
    assert "a1  " in inside.stdout and "a2  " not in inside.stdout
    assert "Task 1.1: implement add_bias" in inside.stdout  # the stubs, failing
    from_docs = _autograder("check", "a2", cwd=REPO / "docs")  # the checkout's assignments/
    assert from_docs.returncode == 0, from_docs.stderr
    assert f"Submission: {STUBS}" in from_docs.stdout and "a2  " in from_docs.stdout


def test_check_outside_any_bundle_says_where_it_looked(tmp_path):
    done = _autograder("check", "a1", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path) in lines[0] and "--path" in lines[0]
    assert done.stdout == ""


def test_check_refuses_an_assignment_that_is_not_there_and_an_unknown_task(tmp_path):
    shutil.copytree(STUBS / "a2_gradient_descent", tmp_path / "a2_gradient_descent")
    missing = _autograder("check", "a1", cwd=tmp_path)
    assert missing.returncode == 2 and "no a1_perceptron/ folder" in missing.stderr
    unknown = _autograder("check", "--task", "1.9", "--path", STUBS)
    assert unknown.returncode == 2 and "unknown task(s) 1.9" in unknown.stderr


# --------------------------------------------------------------------------- output paths


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        ("--results", "/etc/passwd/r.json", "/etc/passwd is not a directory"),
        ("--feedback", "/etc/passwd/fb.md", "/etc/passwd is not a directory"),
        ("--feedback", "fb.txt", "name the file .md or .html"),
    ],
)
def test_output_paths_are_refused_before_grading(monkeypatch, capsys, tmp_path, option, value,
                                                 why):
    import autograder.grade

    def must_not_grade(*args, **kwargs):
        raise AssertionError("graded before checking the output path")

    monkeypatch.setattr(autograder.grade, "grade_submission", must_not_grade)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["grade", str(REFERENCE / "a1_perceptron"), option, value])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1
    assert f"{option} {value}" in err[0] and why in err[0]
    assert list(tmp_path.iterdir()) == []


def test_unwritable_results_is_one_line_from_the_command_line():
    done = _autograder("grade", REFERENCE / "a1_perceptron", "--results", "/etc/passwd/r.json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == (
        "autograder: --results /etc/passwd/r.json: cannot be written"
        " (/etc/passwd is not a directory)."
    )


# --------------------------------------------------------------------------- pytest markers


def _collected(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
         "assignments", *args],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )


def test_task_markers_accept_both_spellings():
    n = _readme_visible_checks("1.4")
    dotted, underscored = _collected("-m", "task1.4"), _collected("-m", "task1_4")
    assert dotted.returncode == underscored.returncode == 0, dotted.stdout + dotted.stderr
    items = [line for line in dotted.stdout.splitlines() if "::" in line]
    assert len(items) == n and all("::1.4 " in line for line in items)
    assert items == [line for line in underscored.stdout.splitlines() if "::" in line]


def test_an_unknown_task_marker_fails_loudly():
    done = _collected("-m", "task1.9 or task9_1")
    assert done.returncode == 4  # pytest's usage error, not "0 selected"
    assert "no assignment or task called task1.9, task9_1" in done.stdout + done.stderr


# --------------------------------------------------------------------------- demo


@pytest.mark.slow
def test_demo_grades_freshly_generated_stubs_not_the_working_copy(tmp_path):
    """A checkout whose assignments/ a student edited (here: the reference pasted in): the
    demo's "generated stubs" still score 0, because it generates them afresh."""
    checkout = tmp_path / "checkout"
    for part in ("autograder", "reference_solution", "assignments", "tests/corpus", "datasets"):
        shutil.copytree(REPO / part, checkout / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REFERENCE / "a1_perceptron" / "perceptron.py",
                 checkout / "assignments" / "a1_perceptron" / "perceptron.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    env["PYTHONPATH"] = os.pathsep.join([str(checkout), *site.getsitepackages()])
    done = subprocess.run([sys.executable, "-S", "-m", "autograder", "demo"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    total = _readme_total()
    assert re.search(rf"^ +0\.00 / {total}\.00 .* generated stubs$", done.stdout, re.M), done.stdout
    assert re.search(rf"^ +{total}\.00 / {total}\.00 .* reference solution$", done.stdout, re.M)
    assert all(len(line) <= 80 for line in done.stdout.split("Summary", 1)[1].splitlines())


# --------------------------------------------------------------------------- gradescope --reference


def test_gradescope_packs_the_reference_named_by_option(tmp_path):
    import zipfile

    mine = tmp_path / "my_reference"
    shutil.copytree(REFERENCE, mine, ignore=shutil.ignore_patterns("__pycache__"))
    module = mine / "a1_perceptron" / "perceptron.py"
    module.write_text(module.read_text() + "\n# this term's reference\n")
    done = _autograder("gradescope", "--out", tmp_path / "ag.zip", "--reference", mine)
    assert done.returncode == 0, done.stderr
    packed = zipfile.ZipFile(tmp_path / "ag.zip").read(
        "reference_solution/a1_perceptron/perceptron.py")
    assert packed.decode().endswith("# this term's reference\n")
    empty = _autograder("gradescope", "--out", tmp_path / "no.zip", "--reference", tmp_path / "x")
    assert empty.returncode == 2 and len(empty.stderr.strip().splitlines()) == 1
    assert "--reference" in empty.stderr and not (tmp_path / "no.zip").exists()
