"""The student bundle: nothing that gives answers away, and the student's commands work in it."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.staff import release

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"


def _bodies() -> list[str]:
    """Every solution body of the reference, found line by line (independent of release.py)."""
    bodies = []
    for path in sorted(REFERENCE.rglob("*.py")):
        inside, lines = False, []
        for line in path.read_text().splitlines():
            if line.strip().startswith("### BEGIN SOLUTION"):
                inside, lines = True, []
            elif line.strip().startswith("### END SOLUTION"):
                inside = False
                body = "\n".join(x.strip() for x in lines if x.strip())
                if body:
                    bodies.append(body)
            elif inside:
                lines.append(line)
    return bodies


def _squash(text: str) -> str:
    return "\n".join(x.strip() for x in text.splitlines() if x.strip())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "bundle"
    release.build_bundle(out)
    return out


def _env(bundle: Path, **extra: str) -> dict:
    """The bundle first on the path, then site-packages without its .pth files: the kit's own
    editable install (a .pth finder) would otherwise supply autograder.staff to the bundle."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    path = os.pathsep.join([str(bundle), *site.getsitepackages()])
    return {**env, "PYTHONPATH": path, **extra}


PYTHON = [sys.executable, "-S"]  # no site: see _env


def test_bundle_holds_no_reference_and_no_hidden_checks(bundle):
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()]
    assert "assignments/a1_perceptron/perceptron.py" in files
    assert ".github/workflows/classroom.yml" in files
    assert "README.md" in files and "pyproject.toml" in files and "setup.py" in files
    assert not any("reference_solution" in f for f in files)
    assert not any(f.startswith("autograder/staff/hidden_checks") for f in files)
    assert "autograder/staff/reference.py" not in files
    reference_bytes = {p.read_bytes() for p in REFERENCE.rglob("*.py")}
    assert not [f for f in files if (bundle / f).read_bytes() in reference_bytes]


def test_the_bundles_pyproject_registers_no_entry_point_of_the_kit(bundle):
    """The checkout's pyproject registers the staff context and commands; the bundle's keeps
    the rest of the file and none of those tables (they name modules it leaves out)."""
    tomllib = pytest.importorskip("tomllib")
    source = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert {"backprop_lab.context", "backprop_lab.commands"} <= set(source["entry-points"])
    shipped = tomllib.loads((bundle / "pyproject.toml").read_text())["project"]
    assert not [g for g in shipped.get("entry-points", {}) if g.startswith("backprop_lab.")]
    assert shipped["scripts"] == source["scripts"]
    assert shipped["dependencies"] == source["dependencies"]
    assert "autograder.staff" not in (bundle / "pyproject.toml").read_text()


def test_no_solution_body_appears_in_any_file(bundle):
    bodies = _bodies()
    assert len(bodies) >= 10, "the reference should have many fenced solutions"
    found = []
    for path in (p for p in bundle.rglob("*") if p.is_file()):
        try:
            text = _squash(path.read_text())
        except UnicodeDecodeError:
            continue
        found += [(path.name, body[:50]) for body in bodies if body in text]
    assert found == []


def test_leak_detector_reports_a_planted_solution(bundle, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    stub = copy / "assignments" / "a1_perceptron" / "perceptron.py"
    stub.write_text(stub.read_text() + "\n# pasted:\n" + _bodies()[0] + "\n")
    (copy / "autograder" / "sneaky.py").write_text("from autograder.staff.reference import load\n")
    problems = release.leaks(copy, REFERENCE)
    assert any("perceptron.py contains a solution body" in p for p in problems)
    assert any("sneaky.py imports autograder.staff.reference" in p for p in problems)
    assert release.leaks(bundle, REFERENCE) == []


def test_readme_has_venv_install_check_pytest_and_points(bundle):
    text = (bundle / "README.md").read_text()
    assert "python3 -m venv .venv && . .venv/bin/activate" in text  # Debian needs a venv
    assert "python -m pip install -e '.[notebooks]'" in text
    assert "cd assignments/a1_perceptron" in text
    assert "autograder check --task 1.4" in text and "python -m pytest -m task1.4" in text
    assert re.search(r"\| 1\.1 \| `add_bias[^`]*` \| \d", text), text


def test_check_in_the_bundle_grades_the_stubs_with_visible_checks_only(bundle):
    probe = subprocess.run(
        [
            *PYTHON,
            "-c",
            "import autograder, autograder.checks as c; print(autograder.__file__);"
            " print(sum(k.hidden for s in c.suite() for k in s.checks))",
        ],
        cwd=bundle,
        env=_env(bundle),
        capture_output=True,
        text=True,
        check=True,
    )
    where, hidden = probe.stdout.split()
    assert Path(where).is_relative_to(bundle) and hidden == "0"
    done = subprocess.run(
        [*PYTHON, "-m", "autograder", "check", "a1"],
        cwd=bundle,
        env=_env(bundle),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Task 1.1: implement add_bias" in done.stdout  # the stub's NotImplementedError
    assert "Total: 0.00 /" in done.stdout


def test_workflow_is_valid_and_its_command_works_on_the_stubs(bundle, tmp_path):
    text = (bundle / ".github" / "workflows" / "classroom.yml").read_text()
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"]["checks"] == "write"  # the reporter writes Classroom's points
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    assert any(step.get("uses", "").startswith("actions/checkout") for step in steps)
    commands = [step["run"] for step in steps if "autograder" in step.get("run", "")]
    assert commands, "the workflow must run the kit"
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    done = subprocess.run(
        ["bash", "-c", commands[-1] + " a1"],
        cwd=bundle,
        env=_env(bundle, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    table = summary.read_text()
    assert "| task | what | points |" in table
    assert re.search(r"\| 1\.1 \| `add_bias[^`]*` \| 0\.00 / ", table), table
    # the reporter step reads <STEP ID>_RESULTS for each of its runners: the grader step's output
    grader = next(step for step in steps if "autograder" in step.get("run", ""))
    report = next(step for step in steps if "autograding-grading-reporter" in step.get("uses", ""))
    runner = report["with"]["runners"]
    assert runner == grader["id"]
    assert report["env"][f"{runner.upper()}_RESULTS"] == f"${{{{ steps.{runner}.outputs.result }}}}"
    assert output.read_text().startswith("result=")


def test_bundle_cli_lists_student_commands_only(bundle):
    done = subprocess.run([*PYTHON, "-m", "autograder", "--help"], cwd=bundle, env=_env(bundle),
                          capture_output=True, text=True, timeout=120, check=True)
    commands = re.search(r"\{([^}]*)\}", done.stdout)
    listed = set(commands.group(1).split(",")) if commands else set(
        re.findall(r"^    (\S+)\s", done.stdout, re.M))
    assert listed == {"grade", "check"}, done.stdout
    for staff in ("demo", "make-stubs", "make-plans", "grade-all", "release", "gradescope",
                  "nbgrader"):
        assert staff not in done.stdout
    version = subprocess.run([*PYTHON, "-m", "autograder", "--version"], cwd=bundle,
                             env=_env(bundle), capture_output=True, text=True, check=True)
    assert version.stdout.startswith("autograder ")


def test_git_status_in_the_bundle_lists_nothing_under_the_readmes_venv(bundle, tmp_path):
    import shutil
    copy = tmp_path / "repo"
    shutil.copytree(bundle, copy)
    readme = (copy / "README.md").read_text()
    assert "python3 -m venv .venv" in readme and ".venv/" in readme.split("## Set up")[0]
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", ".venv"], cwd=copy, check=True)
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    status = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=copy, check=True,
                            capture_output=True, text=True).stdout
    assert "assignments/" in status
    assert ".venv/" not in status


def test_release_finds_the_checkout_as_grading_finds_the_reference(tmp_path):
    from conftest import REFERENCE, REPO_ROOT

    from autograder.grade import GradingError

    assert release.checkout_of(REFERENCE) == REPO_ROOT.resolve()
    with pytest.raises(GradingError, match="reference solution is missing") as lost:
        release.checkout_of(tmp_path)
    assert "\n" not in str(lost.value)


def test_bundle_grade_help_hides_the_staff_only_reference_option(bundle):
    done = subprocess.run([*PYTHON, "-m", "autograder", "grade", "--help"], cwd=bundle,
                          env=_env(bundle), capture_output=True, text=True, timeout=120,
                          check=True)
    assert "--visible-only" in done.stdout and "--reference" not in done.stdout, done.stdout
    staff = subprocess.run([sys.executable, "-m", "autograder", "grade", "--help"], cwd=REPO,
                           capture_output=True, text=True, timeout=120, check=True)
    assert "--reference DIR" in staff.stdout  # the instructor's checkout offers it
