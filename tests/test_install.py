"""Installed like a real package: a wheel (and a non-editable or editable ``pip install``) in a
fresh virtual environment grades the reference from another folder with full marks, ships
the data inside the package, has one version, and without a reference refuses in one line.

The fresh-venv tests are slow (a venv, an install from the local index, one full grading).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import tracked_files

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
INSTALL_TIMEOUT = 900
"""Seconds a venv plus an install may take before the test gives up (it takes ~20-60 s
here; this only bounds a hang on a slow index)."""


def _version_in_source() -> str:
    """The version as written in autograder/__init__.py, read as text (not imported)."""
    text = (REPO / "autograder" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without the kit's variables or a PYTHONPATH that could supply it."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("BACKPROP_LAB_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    return {**env, **extra}


def _run(cmd: list, cwd: Path, timeout: float = INSTALL_TIMEOUT, **env: str):
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env=_clean_env(**env),
    )


def _ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, f"{done.args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _copy_tracked(dest: Path) -> Path:
    """A clean clone's files: what git tracks, as in the working tree (no .venv, .tox, caches)."""
    for name in tracked_files(REPO):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def _fresh_venv(where: Path) -> Path:
    _ok(_run([sys.executable, "-m", "venv", where], cwd=where.parent))
    return where / "bin" / "python"


def _grade_reference_elsewhere(python: Path, tmp: Path, *extra: str, **env: str) -> dict:
    """Grade the reference from an empty folder; the result as results.json says."""
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    done = _ok(_run(
        [python, "-m", "autograder", "grade", REFERENCE, "--quiet", "--results", "r.json", *extra],
        cwd=elsewhere, **env,
    ))
    assert sorted(p.name for p in elsewhere.iterdir()) == ["r.json"]  # no .hypothesis/
    return {"stdout": done.stdout, **json.loads((elsewhere / "r.json").read_text())}


# --------------------------------------------------------------------------- fast


def test_version_has_one_source():
    project = (REPO / "pyproject.toml").read_text().split("[project]")[1].split("\n[")[0]
    assert re.search(r'^dynamic = \["version"\]', project, re.M)
    assert not re.search(r"^version\s*=", project, re.M)
    done = subprocess.run([sys.executable, "-m", "autograder", "--version"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"autograder {_version_in_source()}"


def test_the_digits_file_is_in_git_once():
    tracked = tracked_files(REPO)
    assert [p for p in tracked if p.endswith("digits.csv.gz")] == ["datasets/digits.csv.gz"]


def test_a_copy_without_git_lists_the_files_git_would():
    """A downloaded zip has no .git: the tree walk with .gitignore's exclusions stands in for
    `git ls-files` (tracked plus untracked-but-not-ignored files of this working tree)."""
    from conftest import _walk_unignored

    if not (REPO / ".git").exists():
        pytest.skip("not a git work tree: the walk is all there is to compare")
    git = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(git, cwd=REPO, capture_output=True, check=True).stdout.decode()
    expected = {name for name in listed.split("\0") if name and (REPO / name).is_file()}
    assert set(_walk_unignored(REPO)) == expected


def test_no_reference_anywhere_is_not_graded_in_one_line(tmp_path):
    """Named but empty: nothing is graded, one line, exit 3."""
    done = _run([sys.executable, "-m", "autograder", "grade", REFERENCE / "a1_perceptron",
                 "--reference", tmp_path], cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "not graded" in done.stderr and "reference solution is missing" in done.stderr
    assert "Total" not in done.stdout


def test_grading_writes_nothing_into_the_working_directory(tmp_path):
    _ok(_run([sys.executable, "-m", "autograder", "grade", REFERENCE / "a1_perceptron",
              "--quiet"], cwd=tmp_path))
    assert list(tmp_path.iterdir()) == []  # no .hypothesis/ (nor anything else)


def test_reference_is_found_once_and_reported(tmp_path, monkeypatch):
    from autograder.staff import reference

    monkeypatch.delenv(reference.ENV, raising=False)
    checkout = tmp_path / "course"
    shutil.copytree(REFERENCE, checkout / "reference_solution")
    (checkout / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(checkout / "deep" / "er")
    assert reference.locate() == (checkout / "reference_solution").resolve()  # a parent's
    assert reference.locate(checkout) == (checkout / "reference_solution").resolve()
    monkeypatch.setenv(reference.ENV, str(REFERENCE))
    assert reference.locate() == REFERENCE.resolve()  # the variable beats the cwd
    monkeypatch.setenv(reference.ENV, str(tmp_path / "nowhere"))
    with pytest.raises(reference.ReferenceMissing, match="BACKPROP_LAB_REFERENCE"):
        reference.locate()  # an explicit choice is never passed over


# --------------------------------------------------------------------------- fresh venvs


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_grades_the_reference_from_elsewhere(tmp_path):
    clone = _copy_tracked(tmp_path / "clone")
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist",
              clone], cwd=tmp_path))
    (wheel,) = (tmp_path / "dist").glob("backprop_lab-*.whl")
    assert wheel.name.startswith(f"backprop_lab-{_version_in_source()}-")
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograder/datasets/digits.csv.gz" in names  # the data travels with the package
    assert "autograder/checks/plans/a1.json" in names  # so do the checks' stored examples
    assert "autograder/staff/hidden_checks/plans/a1.json" in names
    assert not [n for n in names if n.startswith(("reference_solution/", "tests/", "datasets/"))]

    python = _fresh_venv(tmp_path / "venv")
    _ok(_run([python, "-m", "pip", "install", "-q", wheel], cwd=tmp_path))
    shutil.rmtree(clone)  # nothing may come from the source tree
    where = _ok(_run([python, "-c", "import autograder, autograder.data as d;"
                      " print(autograder.__file__); print(d.datasets_dir())"], cwd=tmp_path))
    package, data = where.stdout.split()
    assert "site-packages" in package and "site-packages" in data

    result = _grade_reference_elsewhere(python, tmp_path, "--reference", REFERENCE)
    assert result["score"] == sum(t["max_score"] for t in result["tests"]) > 0
    assert f"Reference solution: {REFERENCE.resolve()}" in result["stdout"]
    by_env = _grade_reference_elsewhere(python, tmp_path, BACKPROP_LAB_REFERENCE=str(REFERENCE))
    assert by_env["score"] == result["score"]

    missing = _run([python, "-m", "autograder", "grade", REFERENCE / "a1_perceptron"],
                   cwd=tmp_path / "elsewhere")
    assert missing.returncode == 3 and len(missing.stderr.strip().splitlines()) == 1
    assert "not graded" in missing.stderr and "--reference" in missing.stderr


@pytest.mark.slow
def test_plain_and_editable_pip_install_of_a_clean_clone(tmp_path):
    clone = _copy_tracked(tmp_path / "clone")
    plain = _fresh_venv(tmp_path / "plain")
    _ok(_run([plain, "-m", "pip", "install", "-q", clone], cwd=tmp_path))
    from_clone = _grade_reference_elsewhere(plain, tmp_path, "--reference", clone)
    assert from_clone["score"] == sum(t["max_score"] for t in from_clone["tests"]) > 0
    # release from the plain install: inside the checkout it finds the reference as grading
    # does; elsewhere --reference names it; with neither, one line.
    _ok(_run([plain, "-m", "autograder", "release", "--out", tmp_path / "b1"], cwd=clone))
    assert (tmp_path / "b1" / "assignments").is_dir()
    (tmp_path / "away").mkdir()
    _ok(_run([plain, "-m", "autograder", "release", "--out", tmp_path / "b2", "--reference",
              clone / "reference_solution"], cwd=tmp_path / "away"))
    assert not (tmp_path / "b2" / "autograder" / "staff").exists()
    lost = _run([plain, "-m", "autograder", "release", "--out", tmp_path / "b3"],
                cwd=tmp_path / "away")
    assert lost.returncode != 0 and len(lost.stderr.strip().splitlines()) == 1, lost.stderr
    assert "--reference" in lost.stderr

    editable = _fresh_venv(tmp_path / "editable")
    _ok(_run([editable, "-m", "pip", "install", "-q", "-e", clone], cwd=tmp_path))
    # Editable: the reference is the checkout's own, found with no option at all.
    result = _grade_reference_elsewhere(editable, tmp_path)
    assert result["score"] == from_clone["score"]
    assert f"Reference solution: {(clone / 'reference_solution').resolve()}" in result["stdout"]
