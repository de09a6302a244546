"""Each benchmark script runs end to end at its smallest size, so they don't rot.

Only that they run and print their table: no timing is asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script: str, *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True, text=True, timeout=timeout, cwd=BENCHMARKS.parent,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    assert "| " in done.stdout, done.stdout  # printed a table
    return done.stdout


def test_gradient_check_smallest():
    out = run("gradient_check.py", "--sizes", "1000", "--repeats", "1")
    assert "12/12 | 12/12" in out  # kit | full: every planted bug caught


def test_reference_training_two_epochs():
    out = run("reference_training.py", "--repeats", "1", "--epochs", "2", "--no-torch")
    assert "reference train_mlp" in out


@pytest.mark.slow
def test_grade_one_a3_with_nbgrader():
    pytest.importorskip("nbgrader")
    out = run("grade_one.py", "--assignment", "a3", "--repeats", "1")
    assert "nbgrader autograde" in out


@pytest.mark.slow
def test_grade_class_two_students():
    out = run("grade_class.py", "--students", "2", "--assignment", "a3", "--jobs", "1", "2")
    assert "submissions/min" in out


@pytest.mark.slow
def test_startup_one_repeat():
    out = run("startup.py", "--repeats", "1")  # builds and installs a bundle venv (~1 min)
    assert "bundle check a1 / import numpy" in out
