"""Hostile and broken submissions: the grader holds, scores only the honest part, loses nothing.

Each entry of tests/corpus/hostile/ is an attack with a header::

    # target: a3_backprop/engine.py     the module it builds
    # base: reference | stub            the honest part (default: the reference module)
    # layout: append | replace | ...    how the submission is laid out (see _build)
    # needs: isolation | confinement | bwrap | slot_uid   skip (never run!) the attack without it
    # attack: what it tries
    # max_score_fraction: 0.0           the most it may earn
    # min_score_fraction: 1.0           the least (the attack must not cost the honest part)
    # loses: 3.4                        tasks that must lose points
    # reason: text                      (repeatable) text the feedback must contain

The attack's text is appended to the base module (one source of truth: the corpus holds only
the attack). Tokens __REPO__, __SITE__, __GRADEBOOK__, __RESULTS__ become the real paths, so
the attacks are as well informed as an attacker who read this repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import pytest
from conftest import CORPUS, REFERENCE, REPO_ROOT, STUBS

from autograder.checks.framework import (
    DEFAULT_CALL_TIMEOUT,
    STRIKES_FOR_ALL,
    STRUCK_CALL_TIMEOUT,
    Registry,
    Student,
    run_check,
)
from autograder.grade import grade_submission
from autograder.isolation import intake, sandbox
from autograder.isolation.worker import WorkerFault
from autograder.report import markdown_feedback, write_results_json

HOSTILE = CORPUS / "hostile"
HEADER = re.compile(r"^#\s*(target|base|layout|needs|attack|max_score_fraction|"
                    r"min_score_fraction|loses|reason):\s*(.*)$")
ASSIGNMENT_OF_FOLDER = {"a1_perceptron": "a1", "a2_gradient_descent": "a2",
                        "a3_backprop": "a3", "a4_mlp": "a4"}
HOSTILE_SLOT = 700
"""Preferred worker slot: far from the slots of other test files, so that the process scan
below sees only this file's workers (slot uids 60700..60799)."""
SLOT_SCAN = 100
MARK = "PWNED-BY-HOSTILE-SUBMISSION"
PICKLE_MARKER = Path("/tmp/bplab-hostile-pickle-ran")
BIG_FILE_BYTES = 1024**3
"""1 GiB, created sparse with truncate: costs no disk, but its size is real to stat."""
MANY_FILES = 5000
DEEP_LEVELS = 20
NUMPY_INIT = Path(numpy.__file__)


@dataclass(frozen=True)
class Attack:
    path: Path
    target: str
    base: str = "reference"
    layout: str = "append"
    needs: str = ""
    attack: str = ""
    max_fraction: float = 1.0
    min_fraction: float = 0.0
    loses: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def folder(self) -> str:
        return self.target.split("/")[0]

    @property
    def assignment(self) -> str:
        return ASSIGNMENT_OF_FOLDER[self.folder]


def read_attack(path: Path) -> Attack:
    fields: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        match = HEADER.match(line.strip())
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2).strip())
    one = {k: v[0] for k, v in fields.items()}
    assert "target" in one and "max_score_fraction" in one, f"{path}: incomplete header"
    return Attack(path, one["target"], one.get("base", "reference"), one.get("layout", "append"),
                  one.get("needs", ""), one.get("attack", ""),
                  float(one["max_score_fraction"]), float(one.get("min_score_fraction", 0.0)),
                  tuple(one.get("loses", "").split()), tuple(fields.get("reason", [])))


ATTACKS = [read_attack(p) for p in sorted(HOSTILE.glob("*.py"))]
IDS = [a.name for a in ATTACKS]


def _skip_reason(attack: Attack) -> str | None:
    mode = sandbox.detect()[0]
    confined = mode == "bwrap" or sandbox.landlock_active()
    if attack.needs == "isolation" and mode == "rlimits" and not confined:
        return "rlimits only: this attack would really damage the machine or the repo"
    if attack.needs == "confinement" and not confined:
        return f"needs bubblewrap or Landlock (active: {mode}): without them the repo is readable"
    if attack.needs == "bwrap" and mode != "bwrap":
        return f"needs bubblewrap (active: {mode}): without it the repo is readable"
    if attack.needs == "slot_uid" and not sandbox.has_slot_uids():
        return "needs a slot uid (root + bwrap/uid): without RLIMIT_NPROC a fork bomb runs free"
    return None


# ----------------------------------------------------------------------------- building


class Paths:
    """The real paths the attacks aim at, and files the test plants to watch them."""

    def __init__(self, root: Path):
        self.root = root
        self.gradebook = root / "gradebook.db"
        self.gradebook.write_bytes(b"SQLite format 3\x00 previous grades")
        self.results = root / "results" / "results.json"
        self.results.parent.mkdir()
        self.results.write_text('{"previous": true}')

    def tokens(self) -> dict[str, str]:
        return {"__REPO__": str(REPO_ROOT), "__SITE__": str(NUMPY_INIT.parent.parent),
                "__GRADEBOOK__": str(self.gradebook), "__RESULTS__": str(self.results)}


def _patch_text(attack: Attack, paths: Paths) -> str:
    lines = attack.path.read_text().splitlines(keepends=True)
    body = "".join(line for line in lines if not HEADER.match(line.strip()))
    for token, value in paths.tokens().items():
        body = body.replace(token, value)
    return body


def _build(attack: Attack, paths: Paths) -> Path:
    """Lay the submission out under paths.root/<name>/<folder>/."""
    submission = paths.root / attack.name
    folder = submission / attack.folder
    module = attack.target.split("/")[1]
    reference_module = REFERENCE / attack.target
    base = (STUBS if attack.base == "stub" else REFERENCE) / attack.target
    text = base.read_text() + "\n\n# --- hostile patch ---\n" + _patch_text(attack, paths)
    layout = attack.layout
    if layout == "symlink_folder":
        submission.mkdir()
        folder.symlink_to(REFERENCE / attack.folder, target_is_directory=True)
        return submission
    folder.mkdir(parents=True)
    if layout == "symlink_module":
        (folder / module).symlink_to(reference_module)
    elif layout == "replace":
        (folder / module).write_text(_patch_text(attack, paths))
    elif layout.startswith("rename:"):
        (folder / layout.split(":", 1)[1]).write_text(text)
    elif layout == "non_utf8":
        (folder / module).write_bytes(base.read_bytes() + b'\nGREETING = "caf\xe9"\n')
        (folder / os.fsdecode(b"notes-caf\xe9.txt")).write_text("latin-1 name\n")
    else:
        (folder / module).write_text(text)
    if layout == "big_file":
        with open(folder / "weights.npy", "wb") as f:
            f.truncate(BIG_FILE_BYTES)
    elif layout == "many_files":
        for i in range(MANY_FILES):
            (folder / f"n{i:05d}.txt").write_text("x")
        deep = folder.joinpath(*[f"d{i}" for i in range(DEEP_LEVELS)])
        deep.mkdir(parents=True)
        (deep / "deep.py").write_text("x = 1\n")
    elif layout == "pickle":
        (folder / "answers.pkl").write_bytes(_evil_pickle())
    elif layout == "bad_notebook":
        (folder / f"{attack.folder}.ipynb").write_bytes(b'{"cells": [ not json \xff\xfe')
    return submission


class _Evil:
    def __reduce__(self):
        return (os.system, (f"touch {PICKLE_MARKER}",))


def _evil_pickle() -> bytes:
    return pickle.dumps(_Evil())


# ----------------------------------------------------------------------------- grading


def _hash_tree(*roots: Path) -> dict[str, str]:
    digests = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" not in path.parts:
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


WATCHED = (REFERENCE / "a3_backprop", REFERENCE / "a4_mlp",
           REPO_ROOT / "autograder" / "staff" / "hidden_checks" / "a3.py",
           REPO_ROOT / "autograder" / "staff" / "hidden_checks" / "a4.py", NUMPY_INIT)
"""What the attacks aim at (they all target a3/a4). Not the whole repo: a1/a2 are still being
written by others while this file runs, and the mark scan below covers every file anyway."""


@dataclass
class Graded:
    result: object
    feedback: str
    seconds: float
    before: dict[str, str]
    after: dict[str, str]


class Gradings:
    """Every attack graded at most once per test session, in this process."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.done: dict[str, Graded] = {}

    def get(self, attack: Attack) -> Graded:
        if attack.name not in self.done:
            submission = _build(attack, self.paths)
            before = _hash_tree(*WATCHED, self.paths.gradebook, self.paths.results)
            started = time.monotonic()
            result = grade_submission(submission, only=[attack.assignment], slot=HOSTILE_SLOT)
            seconds = time.monotonic() - started
            after = _hash_tree(*WATCHED, self.paths.gradebook, self.paths.results)
            feedback = markdown_feedback(result)
            self.done[attack.name] = Graded(result, feedback, seconds, before, after)
        return self.done[attack.name]


@pytest.fixture(scope="module")
def gradings(tmp_path_factory) -> Gradings:
    PICKLE_MARKER.unlink(missing_ok=True)
    return Gradings(Paths(tmp_path_factory.mktemp("hostile")))


def _graded(gradings: Gradings, attack: Attack) -> Graded:
    why = _skip_reason(attack)
    if why:
        pytest.skip(why)
    return gradings.get(attack)


# ----------------------------------------------------------------------------- per attack


def test_every_attack_class_is_in_the_corpus():
    assert len(ATTACKS) >= 25
    for attack in ATTACKS:
        assert attack.attack, f"{attack.name}: say what it attacks"
        assert 0.0 <= attack.min_fraction <= attack.max_fraction <= 1.0, attack.name
        assert attack.reasons or attack.min_fraction == 1.0, (
            f"{attack.name}: an attack that costs points must say which reason is reported")


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_score_is_at_most_what_the_honest_part_earns(gradings, attack):
    graded = _graded(gradings, attack)
    result = graded.result
    fraction = result.score / result.max_score
    assert fraction <= attack.max_fraction + 1e-9, f"{attack.name} earned {fraction:.3f}"
    assert fraction >= attack.min_fraction - 1e-9, (
        f"{attack.name} cost the honest part points: {fraction:.3f}\n{graded.feedback}")
    tasks = {t.task: t for a in result.assignments for t in a.tasks}
    for task_id in attack.loses:
        assert tasks[task_id].score < tasks[task_id].max_points, f"{task_id} lost nothing"


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_feedback_gives_the_specific_reason(gradings, attack):
    graded = _graded(gradings, attack)
    for reason in attack.reasons:
        assert reason in graded.feedback, f"missing {reason!r} in:\n{graded.feedback[:3000]}"
    json.dumps(graded.result.to_dict())  # storable as JSON, whatever the file names were


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_no_internal_error_and_the_repo_is_untouched(gradings, attack):
    graded = _graded(gradings, attack)
    for a in graded.result.assignments:
        for t in a.tasks:
            assert not any(c.internal_error for c in t.checks), t.first_failure()
    assert graded.after == graded.before, "a watched file changed while this attack ran"


# ----------------------------------------------------------------------------- specifics


def _attack(name: str) -> Attack:
    return next(a for a in ATTACKS if a.name == name)


def test_results_are_written_only_by_the_trusted_side(gradings, tmp_path):
    graded = _graded(gradings, _attack("results_json"))
    paths = gradings.paths
    assert paths.results.read_text() == '{"previous": true}'
    assert not Path("/autograder/results/results.json").exists()
    out = tmp_path / "results.json"
    write_results_json(graded.result, out)
    data = json.loads(out.read_text())
    assert data["score"] == 0 < data["max_score"] and "PWNED" not in out.read_text()


def test_printed_fake_results_do_not_reach_the_graders_output(gradings, tmp_path):
    attack = _attack("fake_output")
    submission = _build(attack, Paths(tmp_path))
    results = tmp_path / "cli-results.json"
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(submission), "--assignment", "a3",
         "--results", str(results)], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(results.read_text())["score"] == 0
    for stream in (run.stdout, run.stderr):
        assert "PASSED:" not in stream and '"score": 20.0' not in stream


def test_a_pickle_in_the_submission_is_never_loaded(gradings):
    _graded(gradings, _attack("pickle_file"))
    assert not PICKLE_MARKER.exists()


def test_stolen_reference_is_not_found(gradings):
    graded = _graded(gradings, _attack("read_reference"))
    assert graded.result.score == 0
    assert "NotImplementedError" in graded.feedback  # the stub ran: nothing was stolen


def test_no_attack_wrote_its_mark_anywhere(gradings):
    _graded(gradings, _attack("rewrite_files"))
    roots = [REFERENCE, REPO_ROOT / "autograder", NUMPY_INIT.parent.parent / "pwned_hostile.pth"]
    for root in roots:
        files = [root] if not root.is_dir() else [p for p in root.rglob("*.py") if p.is_file()]
        for path in files:
            if path.exists():
                assert MARK not in path.read_text(errors="replace"), path
    assert not (REPO_ROOT / "autograder" / "checks" / "pwned.py").exists()
    assert gradings.paths.gradebook.read_bytes() == b"SQLite format 3\x00 previous grades"


def _live_processes(uids: range) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except (OSError, ValueError):
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["Uid"].split()[1]) in uids and not fields["State"].strip().startswith("Z"):
            found.append(int(entry))
    return found


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, ValueError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z" and _is_worker(entry):
            found.append(int(entry))
    return found


def _is_worker(pid: str) -> bool:
    """A sandboxed worker (bwrap or the worker's python), not another test's helper process."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(arg.endswith(b"bwrap") or arg.endswith(b"main.py") for arg in argv)


def test_no_worker_process_survives_a_fork_bomb_or_a_hang(gradings):
    for name in ("fork_bomb", "infinite_loop", "disable_timeout"):
        if _skip_reason(_attack(name)) is None:
            gradings.get(_attack(name))
    assert _children_of(os.getpid()) == []
    if sandbox.has_slot_uids():
        base = sandbox.SLOT_UID_BASE + HOSTILE_SLOT
        assert _live_processes(range(base, base + SLOT_SCAN)) == []


def test_honest_submission_after_every_attack_gets_full_marks(gradings):
    for attack in ATTACKS:
        if _skip_reason(attack) is None:
            gradings.get(attack)
    result = grade_submission(REFERENCE, only=["a3", "a4"], slot=HOSTILE_SLOT)
    failures = [f"{t.task}: {t.first_failure()}" for a in result.assignments for t in a.tasks
                if t.score < t.max_points]
    assert failures == [] and result.score == result.max_score > 0


# ----------------------------------------------------------------------------- intake


def test_intake_refuses_a_huge_file_from_its_size_without_reading_it(tmp_path):
    src = tmp_path / "src" / "a3_backprop"
    src.mkdir(parents=True)
    (src / "engine.py").write_text("x = 1\n")
    with open(src / "weights.npy", "wb") as f:
        f.truncate(BIG_FILE_BYTES * 8)  # 8 GiB sparse: copying it would not finish quickly
    started = time.monotonic()
    report = intake.stage(src.parent, tmp_path / "dst", ["a3_backprop"])
    assert time.monotonic() - started < 30  # did not hang copying 8 GiB
    assert report.bytes == len("x = 1\n") and report.files == 1
    assert not (tmp_path / "dst" / "a3_backprop" / "weights.npy").exists()
    assert "weights.npy is 8.0 GiB, more than" in report.notes_for("a3_backprop")[0]


def test_intake_never_follows_links_or_blocks_on_a_fifo(tmp_path):
    src = tmp_path / "src"
    folder = src / "a3_backprop"
    (folder / "sub").mkdir(parents=True)
    (folder / "engine.py").symlink_to(REFERENCE / "a3_backprop" / "engine.py")
    (folder / "sub" / "hidden").symlink_to(REPO_ROOT / "autograder" / "checks",
                                            target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")
    (src / "a4_mlp").symlink_to(REFERENCE / "a4_mlp", target_is_directory=True)
    report = intake.stage(src, tmp_path / "dst", ["a3_backprop", "a4_mlp"])
    copied = sorted(p.relative_to(tmp_path / "dst").as_posix()
                    for p in (tmp_path / "dst").rglob("*"))
    assert copied == ["a3_backprop", "a3_backprop/sub"]
    notes = " ".join(report.notes_for("a3_backprop"))
    assert "engine.py is a symbolic link" in notes and "hidden is a symbolic link" in notes
    assert "pipe.txt is not a regular file" in notes
    assert "a4_mlp/ is a symbolic link" in report.notes_for("a4_mlp")[0]


def test_intake_refuses_hard_links_like_symbolic_links(tmp_path):
    """A hard link (st_nlink > 1) to a file elsewhere would copy its content: refused."""
    outside = tmp_path / "outside.py"
    outside.write_text("SECRET = 'the reference'\n")
    folder = tmp_path / "src" / "a3_backprop"
    folder.mkdir(parents=True)
    (folder / "helper.py").write_text("x = 1\n")
    os.link(outside, folder / "engine.py")
    report = intake.stage(tmp_path / "src", tmp_path / "dst", ["a3_backprop"])
    assert not (tmp_path / "dst" / "a3_backprop" / "engine.py").exists()
    assert (tmp_path / "dst" / "a3_backprop" / "helper.py").read_text() == "x = 1\n"
    assert report.files == 1
    notes = " ".join(report.notes_for("a3_backprop"))
    assert "engine.py is a hard link" in notes, notes


def test_intake_limits_file_count_and_total_size_with_py_files_first(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILES", 4)
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 10)
    folder = tmp_path / "src" / "a1_perceptron"
    folder.mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (folder / name).write_text("x")
    (folder / "big.npy").write_bytes(b"12345")  # 6 + 1 + 1 + 5 > 10 bytes
    (folder / "perceptron.py").write_text("y = 2\n")  # 6 bytes: copied first despite its name
    report = intake.stage(tmp_path / "src", tmp_path / "dst", ["a1_perceptron"])
    kept = sorted(p.name for p in (tmp_path / "dst" / "a1_perceptron").iterdir())
    assert kept == ["a.txt", "b.txt", "c.txt", "perceptron.py"]
    notes = "\n".join(report.notes_for("a1_perceptron"))
    assert "big.npy: not copied, the submission would exceed 10 bytes in all" in notes
    assert "d.txt: not copied, the submission already has 4 files" in notes


def test_what_the_intake_lets_in_the_worker_copy_takes(tmp_path):
    """The worker's own copy raises past its limits: a submission the intake filled to its
    file limit must still copy into the worker (one set of limits for both copies)."""
    folder = tmp_path / "src" / "a1_perceptron"
    folder.mkdir(parents=True)
    for i in range(intake.MAX_FILES + 5):
        (folder / f"note{i:03}.txt").write_text("x")
    intake.stage(tmp_path / "src", tmp_path / "staged", ["a1_perceptron"])
    report = sandbox.copy_submission(tmp_path / "staged" / "a1_perceptron", tmp_path / "copy")
    assert report.files == intake.MAX_FILES


# ----------------------------------------------------------------------------- hangs


class HangingWorker:
    """Every call times out, as a submission that loops everywhere would; records limits."""

    def __init__(self):
        self.limits: list[tuple[str, float]] = []

    def call(self, module, function, *args, timeout=None, **kwargs):
        self.limits.append((function, timeout))
        raise WorkerFault("timeout", f"timed out after {timeout:g} s in {module}.{function}")


def test_a_function_that_timed_out_fails_fast_afterwards():
    registry = Registry()
    for function in ("f", "f", "g", "h", "k", "k", "train"):
        registry.check(task="9.1", function=function, name=f"calls {function}",
                       timeout=60 if function == "train" else DEFAULT_CALL_TIMEOUT)(
            lambda student, fn=function: student.call(fn))
    worker = HangingWorker()
    student = Student(worker, "m")
    outcomes = [run_check(check, student) for check in registry]
    full, short = DEFAULT_CALL_TIMEOUT, STRUCK_CALL_TIMEOUT
    assert STRIKES_FOR_ALL == 3  # the expected limits below assume it
    assert worker.limits == [("f", full), ("f", short), ("g", full), ("h", full),
                             ("k", short), ("k", short), ("train", full)]
    assert "timed out after 10 s in m.f" in outcomes[0].message
    assert "a shorter limit: it timed out before" in outcomes[1].message
    assert all(not o.passed for o in outcomes)
