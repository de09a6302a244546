"""Student data written into a git work tree that does not ignore it is warned about."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from autograder.staff import git_guard

OUTPUT_OPTIONS = ("--out", "--results", "--feedback", "--csv", "--export-csv", "--gradebook",
                  "--roster")
"""The options by which an instructor command is told where to write (or, --roster, where the
class list it reads lives: student data too)."""


def _readme_outputs() -> list[tuple[str, bool]]:
    """(path, is a folder) of everything the README's instructor commands write or read as
    student data, parsed from its commands: a new command's outputs are covered when added."""
    text = (REPO_ROOT / "README.md").read_text()
    found = {}
    for block in re.findall(r"<!-- readme-test: instructor -->\n```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            words = line.split("#", 1)[0].split()
            if words[:1] != ["autograder"]:
                continue
            for i, word in enumerate(words[:-1]):
                if word in OUTPUT_OPTIONS:
                    found[words[i + 1]] = "." not in words[i + 1]  # no suffix: a folder
                elif word == "--export-lms" and i + 2 < len(words):
                    found[words[i + 2]] = False
    return sorted(found.items())


OUTPUTS = _readme_outputs() + [("submissions", True), ("a1_boundary.svg", False)]
"""What the README's instructor commands write into the checkout (and the submissions folder
its example makes, and a picture `--feedback feedback.md` writes beside the page)."""


def test_the_readme_outputs_are_found():
    names = {name for name, _ in OUTPUTS}
    assert {"feedback", "grades.csv", "autograder.zip", "student-bundle", "r.json",
            "feedback.md", "class.html", "moodle.csv"} <= names, names

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def course(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "course")], check=True)
    return tmp_path / "course"


@pytest.mark.parametrize(("name", "directory"), OUTPUTS)
def test_the_kits_gitignore_ignores_every_output(course, name, directory):
    assert git_guard.unignored_work_tree(course / name, directory) == course.resolve()
    shutil.copy(REPO_ROOT / ".gitignore", course / ".gitignore")
    assert git_guard.unignored_work_tree(course / name, directory) is None


def test_nothing_said_outside_a_work_tree_or_without_git(tmp_path, course, monkeypatch):
    (tmp_path / "plain").mkdir()
    assert git_guard.unignored_work_tree(tmp_path / "plain" / "grades.csv") is None
    assert git_guard.unignored_work_tree(course / "grades.csv") == course.resolve()
    monkeypatch.setattr(git_guard.shutil, "which", lambda name: None)
    assert git_guard.unignored_work_tree(course / "grades.csv") is None


def test_a_command_warns_in_one_line_and_still_writes(course):
    done = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "--out",
                           "scores.zip", "--assignment", "a1", "--reference",
                           str(REPO_ROOT / "reference_solution")],
                          cwd=course, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: warning: --out scores.zip")
    assert "not ignored" in lines[0] and (course / "scores.zip").is_file()
    (course / ".gitignore").write_text("*.zip\n")
    again = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "--out",
                            "scores.zip", "--assignment", "a1", "--reference",
                            str(REPO_ROOT / "reference_solution")],
                           cwd=course, capture_output=True, text=True, check=False)
    assert again.returncode == 0 and again.stderr == ""
