"""Student data written into a git work tree that does not ignore it is warned about."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from autograder.staff import git_guard

OUTPUTS = [("submissions", True), ("feedback", True), ("grades.csv", False),
           ("autograder.zip", False), ("student-bundle", True)]
"""What the README's instructor commands write into the checkout."""

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
