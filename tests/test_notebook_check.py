"""`from autograder.notebook import check`: a task's visible checks from a notebook cell.

Run here in a fresh interpreter with the cell's working directory (as Jupyter and nbgrader
set it): the table is `autograder check --task`'s, then the first failure; nothing on stderr,
never an exception, and the folder is found from the working directory, whatever its name.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
STUBS = REPO / "assignments"
STUB_LINE = '    raise NotImplementedError("Task 1.1: implement add_bias")\n'


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    return {**env, "BACKPROP_LAB_STAFF_KERNEL": "1"}  # the checkout's kernel is staff's


def _cell(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a notebook cell's code in a fresh interpreter in ``cwd``."""
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return done


def _check(task: str, cwd: Path) -> str:
    return _cell(f"from autograder.notebook import check\ncheck({task!r})", cwd).stdout


def _rows(text: str) -> list[str]:
    """The table's task rows and their '->' lines (no timings, no paths)."""
    return [line for line in text.splitlines()
            if re.match(r"^  \d\.\d ", line) or line.startswith("         -> ")]


def test_check_in_the_stub_folder_is_the_table_and_one_line_for_the_stub():
    text = _check("1.3", STUBS / "a1_perceptron")
    assert f"Submission: {STUBS / 'a1_perceptron'}" in text
    assert re.search(r"^  1\.3 +0\.00/3\.00 +0/\d+  ", text, re.M), text
    assert "not implemented yet (Task 1.3)" in text and "reproduce" not in text
    assert not re.search(r"^  1\.[1245] ", text, re.M)  # that task only
    assert all(len(line) <= 80 for line in text.splitlines()[1:]), text


def test_the_table_is_autograder_checks_for_that_task():
    cli = subprocess.run([sys.executable, "-m", "autograder", "check", "--task", "1.4"],
                         cwd=STUBS / "a1_perceptron", env=_env(), capture_output=True, text=True,
                         timeout=300, check=True).stdout
    assert _rows(_check("1.4", STUBS / "a1_perceptron")) == _rows(cli) != []


def test_nbgrader_folder_of_another_name_is_found_from_the_working_directory(tmp_path):
    folder = tmp_path / "autograded" / "alice" / "a1"  # nbgrader's names, not a1_perceptron
    folder.mkdir(parents=True)
    shutil.copy(REFERENCE / "a1_perceptron" / "perceptron.py", folder)
    text = _check("1.4", folder)
    rows = re.search(r"^  1\.4 +(\S+)/(\S+) +(\d+)/(\d+)  ", text, re.M)
    assert rows and rows[1] == rows[2] != "0.00" and rows[3] == rows[4], text
    assert "First failure" not in text


def test_a_real_failure_is_shown_in_full(tmp_path):
    folder = tmp_path / "a1_perceptron"
    shutil.copytree(STUBS / "a1_perceptron", folder)
    module = folder / "perceptron.py"
    assert STUB_LINE in module.read_text()
    module.write_text(module.read_text().replace(
        STUB_LINE, "    return np.hstack([np.ones((len(X), 1)), X])\n"))
    text = _check("1.1", folder)
    assert "First failure:" in text and "appends a column of ones, last" in text
    assert "reproduce (import numpy as np; from perceptron import *):" in text
    assert "add_bias(X=np.array([[0.0]]))" in text


def test_check_never_raises_a_fault_is_one_line(tmp_path):
    unknown = _check("9.9", STUBS / "a1_perceptron").strip()
    assert unknown.startswith("check('9.9') could not run: no task '9.9'"), unknown
    assert len(unknown.splitlines()) == 1 and len(unknown) <= 80
    nowhere = _check("1.1", tmp_path).strip()  # no module here, no assignments above
    assert nowhere.startswith("check('1.1') could not run: no assignment folder"), nowhere
    assert len(nowhere.splitlines()) == 1
