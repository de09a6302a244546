"""The staff package reachable from a students' kernel (a shared JupyterHub) is said aloud.

autograder/hub_guard.py finds out without importing the staff package; nbgrader's graded
cells print its warning once per kernel on stdout, never stderr (stderr scores 0), and the
points stay what they were.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys

from conftest import REFERENCE

from autograder import hub_guard, nbgrader_cells
from autograder.staff import release


def test_the_instructors_install_is_reported_with_its_path():
    warning = hub_guard.staff_reachable()
    assert warning is not None
    staff = os.path.dirname(release.__file__)
    assert staff in warning and "hidden_checks and misconceptions" in warning


def test_the_check_imports_nothing_of_the_staff_package():
    code = ("import sys, autograder.hub_guard as h; w = h.staff_reachable();"
            " print(bool(w), sorted(m for m in sys.modules if m.startswith('autograder.staff')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split(" ", 1) == ["True", "[]\n"]


def test_the_student_bundle_has_nothing_to_report(tmp_path):
    bundle = tmp_path / "bundle"
    release.build_bundle(bundle)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    env["PYTHONPATH"] = os.pathsep.join([str(bundle), *site.getsitepackages()])
    code = ("import autograder, autograder.hub_guard as h;"
            " print(autograder.__file__); print(h.staff_reachable())")
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                          check=True, env=env, cwd=tmp_path)
    where, said = done.stdout.splitlines()
    assert where.startswith(str(bundle)) and said == "None"


def test_graded_cell_warns_on_stdout_once_and_keeps_its_points(monkeypatch, capfd):
    folder = REFERENCE / "a1_perceptron"
    monkeypatch.delenv(hub_guard.STAFF_KERNEL_ENV, raising=False)
    monkeypatch.setattr(hub_guard, "_warned", False)
    first = nbgrader_cells.task_score("a1", "1.1", folder)
    out, err = capfd.readouterr()
    assert err == ""
    assert out.startswith("!" * 78) and "WARNING: this Python can import" in out
    banner = out.split("!" * 78)[1].strip().splitlines()
    assert banner[0].startswith("WARNING") and all(len(line) <= 78 for line in banner)
    second = nbgrader_cells.task_score("a1", "1.1", folder)
    out, err = capfd.readouterr()
    assert "WARNING" not in out and err == ""
    assert first == second > 0


def test_a_staff_kernel_can_turn_the_warning_off(monkeypatch):
    monkeypatch.setenv(hub_guard.STAFF_KERNEL_ENV, "1")
    monkeypatch.setattr(hub_guard, "_warned", False)
    assert hub_guard.warning_once() is None
