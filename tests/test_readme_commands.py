"""The README's commands, run as a newcomer types them: in the order and the folders the README
gives, the instructor's in a clean clone, the student's in the bundle the instructor released.

A code block the README marks ``<!-- readme-test: instructor -->`` or ``<!-- readme-test:
student -->`` is run line by line in one shell per role (so ``cd`` and ``. .venv/bin/activate``
carry over, as in a terminal), each line's exit status recorded. Two lines are not run here:
the test command (``tox``: it is what CI runs, and a test below keeps .ci/run equal to it)
and ``jupyter notebook`` (it serves until stopped; the test checks Jupyter was installed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import tracked_files

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
NOT_RUN = {
    "python -m pip install tox && python -m tox": "CI's own command (see .ci/run)",
    "jupyter notebook a1_perceptron.ipynb": "serves until stopped",
}
EXPECTED_STATUS = {"python -m pytest -m task1.4": 1}
"""Lines whose documented outcome is not 0: pytest fails on the stubs' unimplemented task."""
SCRIPT_TIMEOUT = 1800
"""Seconds one role's commands may take in all (a venv, an install, a demo; ~1-3 minutes
here); this only bounds a hang."""


def readme_commands(role: str, text: str | None = None) -> list[str]:
    """The commands of every block marked for ``role``, in README order, comments and line
    continuations resolved."""
    text = README.read_text() if text is None else text
    blocks = re.findall(
        rf"<!-- readme-test: {role} -->\n```bash\n(.*?)```", text, re.S
    )
    assert blocks, f"the README marks no {role} block"
    commands = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", "", block)
        for line in joined.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip() if not line.lstrip().startswith("#") \
                else ""
            if command:
                commands.append(command)
    return commands


def _clean_env() -> dict[str, str]:
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_") and k not in drop
    }
    return env


def run_as_typed(commands: list[str], folder: Path) -> list[tuple[str, int, str]]:
    """(command, exit status, output) of each line, run in order in one bash from ``folder``."""
    script = ["exec 2>&1"]  # a line's messages belong to its output
    for i, command in enumerate(commands):
        if command in NOT_RUN:
            continue
        script += [f"echo '@@@ begin {i}'", command, f"echo \"@@@ end {i} $?\""]
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=folder, env=_clean_env(), capture_output=True,
        text=True, timeout=SCRIPT_TIMEOUT, stdin=subprocess.DEVNULL,
    )
    results = []
    for match in re.finditer(r"@@@ begin (\d+)\n(.*?)@@@ end \1 (\d+)\n", done.stdout, re.S):
        results.append((commands[int(match.group(1))], int(match.group(3)), match.group(2)))
    ran = [c for c in commands if c not in NOT_RUN]
    assert [r[0] for r in results] == ran, done.stdout[-3000:] + done.stderr[-3000:]
    return results


def _clean_clone(dest: Path) -> Path:
    for name in tracked_files(REPO):
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


def _outputs(results) -> dict[str, str]:
    return {command: output for command, _, output in results}


def _assert_statuses(results) -> None:
    wrong = [(c, s, o[-1500:]) for c, s, o in results if s != EXPECTED_STATUS.get(c, 0)]
    assert not wrong, wrong


# --------------------------------------------------------------------------- fast


def test_ci_runs_the_readme_set_up_and_test_commands_exactly():
    commands = readme_commands("instructor")
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert commands[0].startswith("python3 -m venv .venv")
    assert "python -m pip install tox && python -m tox" in commands
    assert commands[0] in ci and "python -m pip install tox && python -m tox" in ci


def test_the_bundle_readme_gives_the_students_commands():
    from autograder.staff.release import student_readme

    bundle = student_readme()
    for command in readme_commands("student"):
        assert command in bundle, command


def test_the_extractor_reads_marked_blocks_only():
    text = (
        "<!-- readme-test: student -->\n```bash\ncd a   # go\n# a comment\nls \\\n  -l\n```\n"
        "```bash\nnot-this\n```\n"
    )
    assert readme_commands("student", text) == ["cd a", "ls -l"]


# --------------------------------------------------------------------------- slow: as typed


@pytest.fixture(scope="module")
def instructor(tmp_path_factory):
    checkout = _clean_clone(tmp_path_factory.mktemp("readme") / "backprop-lab")
    results = run_as_typed(readme_commands("instructor"), checkout)
    return checkout, results


@pytest.mark.slow
def test_instructor_commands_work_in_order_in_a_clean_clone(instructor):
    checkout, results = instructor
    _assert_statuses(results)
    out = _outputs(results)
    demo = out["python -m pip install -e . && autograder demo"]
    total = re.search(r"^ +(\d+\.\d\d) / \1 .* reference solution$", demo, re.M)
    assert total, demo[-2000:]
    assert re.search(rf"^ +0\.00 / {total.group(1)} .* generated stubs$", demo, re.M)
    full = json.loads((checkout / "r.json").read_text())
    assert full["score"] == sum(t["max_score"] for t in full["tests"]) > 0
    assert (checkout / "feedback.md").is_file()
    stubs = json.loads((checkout / "stubs.json").read_text())
    assert stubs["score"] == 0 and stubs["tests"]
    for student in ("alice", "bob"):
        names = sorted(p.name for p in (checkout / "feedback" / student).iterdir())
        reports = [n for n in names if not n.endswith(".svg")]  # the pictures of feedback.md
        assert reports == ["feedback.html", "feedback.md", "results.json"], names
    grades = (checkout / "grades.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in grades[1:]] == ["alice", "bob"]
    assert "1 submissions" in out[
        "autograder grade-all submissions --assignment a1 --student bob --out feedback"
    ]
    assert (checkout / "a1.csv").is_file()
    gradescope = json.loads(Path("/tmp/ag/results/results.json").read_text())
    assert gradescope["score"] == sum(t["max_score"] for t in gradescope["tests"]) > 0
    assert (checkout / "student-bundle" / "assignments" / "a1_perceptron").is_dir()


@pytest.mark.slow
def test_student_commands_work_in_order_in_the_released_bundle(instructor, tmp_path):
    checkout, _ = instructor
    clone = tmp_path / "backprop-lab-alice"  # what `git clone` of the Classroom repo gives
    shutil.copytree(checkout / "student-bundle", clone)
    results = run_as_typed(readme_commands("student"), clone)
    _assert_statuses(results)
    out = _outputs(results)
    assert (clone / ".venv" / "bin" / "jupyter").is_file()  # the notebook command would run
    check = out["autograder check"]
    assert "a1  " in check and "a2  " not in check and "Task 1.1: implement add_bias" in check
    one_task = out["autograder check --task 1.4"]
    assert re.search(r"^  1\.4 ", one_task, re.M) and not re.search(r"^  1\.3 ", one_task, re.M)
    row = re.search(r"^\| 1\.4 \|[^|]*\| \d+ \| (\d+) \|", README.read_text(), re.M)
    assert re.search(rf"\b{row.group(1)} failed\b", out["python -m pytest -m task1.4"])
    assert f"Submission: {clone / 'assignments'}" in check  # the clone's own checker
    assert not (clone / "assignments" / "a1_perceptron" / ".hypothesis").exists()


def test_the_point_table_is_the_kits():
    """Task, title, points and the visible/hidden check counts, as the kit grades them."""
    from autograder.checks import suite

    rows = re.findall(r"^\| (\d+\.\d+) \| ([^|]+) \| (\d+) \| (\d+) \| (\d+) \|$",
                      README.read_text(), re.M)
    kit = [
        (t.id, t.title, f"{t.points:g}",
         str(sum(c.task == t.id and not c.hidden for c in s.checks)),
         str(sum(c.task == t.id and c.hidden for c in s.checks)))
        for s in suite(include_hidden=True) for t in s.assignment.tasks
    ]
    assert [(a, b.strip(), c, d, e) for a, b, c, d, e in rows] == kit
