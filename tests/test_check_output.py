"""What `autograder check` prints: untouched stubs in a few lines (one per task or check, each
naming its task), real failures in full, and `--quiet` as the table plus a line per check."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.grade import CheckResult
from autograder.report import not_implemented

REPO = Path(__file__).resolve().parents[1]
STUBS = REPO / "assignments"
A1_TASKS = ["1.1", "1.2", "1.3", "1.4", "1.5"]


def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    done = subprocess.run([sys.executable, "-m", "autograder", "check", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done


def _table_and_rest(stdout: str) -> tuple[list[str], list[str]]:
    """The lines up to the Total line (the table), and the lines after it."""
    lines = stdout.splitlines()
    total = next(i for i, line in enumerate(lines) if line.startswith("Total: "))
    return lines[: total + 1], lines[total + 1:]


def _visible_checks(stdout: str) -> int:
    return sum(int(n) for n in re.findall(r"^  1\.\d +\S+ +\d+/(\d+)  ", stdout, re.M))


def test_untouched_stubs_print_a_line_per_task_not_reproduce_blocks():
    done = _check(cwd=STUBS / "a1_perceptron")
    table, rest = _table_and_rest(done.stdout)
    checks = _visible_checks(done.stdout)
    assert checks >= len(A1_TASKS), done.stdout
    fixed = 5  # a blank line, "What to fix:", a blank line, the two-line visible-only reminder
    assert len(rest) <= checks + fixed, done.stdout
    assert "reproduce" not in done.stdout and "np.array" not in done.stdout
    for task in A1_TASKS:
        assert f"not implemented yet (Task {task})" in "\n".join(rest), done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines()[1:]), done.stdout


def test_quiet_is_the_table_and_one_line_per_failed_check():
    done = _check("--quiet", cwd=STUBS / "a1_perceptron")
    table, rest = _table_and_rest(done.stdout)
    checks = _visible_checks(done.stdout)
    assert rest[:2] == ["", "What to fix:"], done.stdout
    assert len(rest[2:]) == checks, done.stdout  # every check fails on the stubs, one line each
    for task in A1_TASKS:
        assert any(line.startswith(f"- {task} not implemented yet (Task {task}): ")
                   for line in rest[2:]), done.stdout
    assert "Passed:" not in done.stdout and "hidden checks" not in done.stdout


def _a1_with(tmp_path, task: str, function: str, body: str):
    """A copy of the a1 stubs with the stub of ``function`` (task ``task``) replaced by
    ``body``; its folder."""
    folder = tmp_path / "a1_perceptron"
    shutil.copytree(STUBS / "a1_perceptron", folder)
    module = folder / "perceptron.py"
    stub = f'    raise NotImplementedError("Task {task}: implement {function}")\n'
    text = module.read_text()
    assert stub in text
    module.write_text(text.replace(stub, body))
    return folder


def test_a_real_failure_keeps_its_reproduce_block_and_quiet_its_first_line(tmp_path):
    folder = _a1_with(tmp_path, "1.1", "add_bias",
                      "    return np.hstack([np.ones((len(X), 1)), X])\n")
    done = _check("--task", "1.1", cwd=folder)
    assert "reproduce (import numpy as np; from perceptron import *):" in done.stdout
    assert "not implemented yet" not in done.stdout
    quiet = _check("--task", "1.1", "--quiet", cwd=folder)
    _, rest = _table_and_rest(quiet.stdout)
    assert len(rest) == 3 and rest[2].startswith("- 1.1 "), quiet.stdout
    assert "not implemented yet" not in rest[2] and "reproduce" not in quiet.stdout


def test_a_check_stopped_by_an_earlier_tasks_stub_names_that_task_first(tmp_path):
    # train_perceptron (1.4) written, calling perceptron_update, still 1.3's stub. (A3's
    # checks no longer stop at another task's stub: each builds its graphs from its own ops.)
    folder = _a1_with(tmp_path, "1.4", "train_perceptron", (
        "    w = perceptron_update(np.zeros(np.shape(Xb)[1]), Xb[0], y[0])\n"
        "    return {'weights': w, 'updates': 0, 'mistakes_per_epoch': [0], 'converged': True}\n"))
    done = _check(cwd=folder)
    _, rest = _table_and_rest(done.stdout)
    wanted = "- not implemented yet (Task 1.3): train_perceptron: the learning algorithm"
    assert wanted in rest, rest
    assert all(len(line) <= 80 for line in rest), rest


def test_not_implemented_needs_the_raise_and_names_the_stub_task():
    def check(message: str, passed: bool = False) -> CheckResult:
        return CheckResult("c", "f", hidden=False, passed=passed, message=message)

    assert not_implemented(check("f raised NotImplementedError: Task 4.1: implement f")) == "4.1"
    assert not_implemented(check(
        "f should raise ValueError here, but it raised NotImplementedError:\n"
        "  f raised NotImplementedError: Task 1.5: implement f")) == "1.5"
    assert not_implemented(check("f returned 3.0, expected 2.0 (Task 1.5)")) is None
    assert not_implemented(check("f raised ValueError: NotImplementedError: Task 1.5")) is None
    assert not_implemented(check("f raised NotImplementedError: Task 1.1", passed=True)) is None
