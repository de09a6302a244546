"""Hostile student code tries to leave the sandbox; every attempt must fail.

Every test runs twice: in the detected sandbox (bubblewrap here, with Landlock and seccomp
layered under it), and with Landlock + seccomp alone (bubblewrap and the uid drop forced
off: the worker runs as this user, as a non-root grader in a container would). Assertions
that only one mechanism can make true skip, with the reason, in the other.
"""

from __future__ import annotations

import os
import socket
import textwrap
from pathlib import Path

import pytest

import autograder
from autograder.isolation import sandbox
from autograder.isolation.worker import StudentError, Worker

REPO = Path(autograder.__file__).resolve().parent.parent
KIT = Path(autograder.__file__).resolve().parent
SLOT = 5

HOSTILE = """
import os, signal, socket

def read(path):
    try:
        with open(path, "rb") as f:
            return "READ " + str(len(f.read()))
    except OSError as exc:
        return type(exc).__name__

def read_beside(name):
    return read(os.path.join(os.path.dirname(__file__), name))

def listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return type(exc).__name__

def write(path):
    try:
        with open(path, "w") as f:
            f.write("pwned")
        return "WROTE"
    except OSError as exc:
        return type(exc).__name__

def importable_packages():
    import os, pkgutil, sys
    stdlib = os.path.dirname(os.__file__)
    others = [p for p in sys.path if p and not (p == stdlib or p.startswith(stdlib + os.sep)
                                                or p.endswith(".zip"))]
    return sorted(m.name for m in pkgutil.iter_modules(others))


def kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        return "SENT"
    except OSError as exc:
        return type(exc).__name__

def connect(port):
    try:
        with socket.socket() as s:  # seccomp refuses the socket itself
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
        return "CONNECTED"
    except OSError as exc:
        return type(exc).__name__

def identity():
    status = open("/proc/self/status").read()
    caps = [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")]
    return {"uid": os.getuid(), "caps": caps[0], "pid": os.getpid(), "ppid": os.getppid()}

def syscalls():
    # what seccomp refuses: a new user namespace, ptrace, io_uring (which would bypass the
    # filter), eBPF, mounting; (return value, errno) of each. Without the filter the first
    # three succeed or fail otherwise (unshare 0, TRACEME 0, io_uring EFAULT)
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    tried = {"unshare": (272, 0x10000000), "ptrace_traceme": (101, 0, 0, 0, 0),
             "io_uring_setup": (425, 8, 0), "bpf": (321, 0, 0, 0),
             "mount": (165, b"none", b"/tmp", b"tmpfs", 0, 0)}
    found = {}
    for name, (nr, *args) in tried.items():
        ret = libc.syscall(nr, *args)
        found[name] = (ret, ctypes.get_errno())
    return found

def daemons(n):
    # double-forked, new-session children: they leave the process group on purpose
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.setsid()
            if os.fork() == 0:
                import time
                time.sleep(120)
            os._exit(0)
        os.waitpid(pid, 0)  # the grandchild exists once its parent is gone
    return n
"""


CONFIGS = {"detected": None, "landlock-alone": "rlimits"}
"""Name -> the base mechanism forced by $BACKPROP_LAB_ISOLATION (None: detected)."""


@pytest.fixture(scope="module", params=list(CONFIGS))
def config(request):
    forced, saved = CONFIGS[request.param], os.environ.get(sandbox.FORCE_ENV)
    if forced:
        os.environ[sandbox.FORCE_ENV] = forced
    sandbox.detect.cache_clear()
    yield request.param
    os.environ.pop(sandbox.FORCE_ENV, None)
    if saved is not None:
        os.environ[sandbox.FORCE_ENV] = saved
    sandbox.detect.cache_clear()


def bwrap_active() -> bool:
    return sandbox.detect()[0] == "bwrap"


def need_bwrap() -> None:
    if not bwrap_active():
        pytest.skip(f"needs bubblewrap; active: {sandbox.describe_isolation()['mode']}")


def need_confinement(worker: Worker) -> None:
    """bubblewrap or Landlock: the filesystem outside the allow-list is out of reach."""
    if not ({"bwrap", "landlock"} & set(worker.isolation.split(" ")[0].split("+"))):
        pytest.skip(f"needs bubblewrap or Landlock; measured: {worker.isolation}")


def need_isolation(worker: Worker) -> None:
    if worker.isolation.startswith("rlimits"):
        pytest.skip(f"rlimits only, no isolation: {worker.isolation}")


def need_slot_uid(worker: Worker) -> None:
    if worker.slot_uid is None:
        pytest.skip(f"runs as the grader's uid: {worker.isolation}")


@pytest.fixture(scope="module")
def secret(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "answers.py"
    path.write_text("ANSWER = 42\n")
    return path


@pytest.fixture(scope="module")
def submission(tmp_path_factory, secret) -> Path:
    sub = tmp_path_factory.mktemp("hostile")
    (sub / "hostile.py").write_text(textwrap.dedent(HOSTILE))
    (sub / "answers.py").symlink_to(secret)
    (sub / "reference").symlink_to(REPO / "reference_solution")
    return sub


@pytest.fixture(scope="module")
def worker(config, submission):
    with Worker(submission, slot=SLOT, guard=True) as w:
        w.import_module("hostile")
        yield w


@pytest.mark.parametrize("target", [
    REPO / "reference_solution",
    KIT / "checks",
    KIT / "staff" / "hidden_checks" / "a3.py",
    KIT / "isolation" / "sandbox.py",
    REPO / "pyproject.toml",
    Path("/etc/passwd"),
])
def test_cannot_read_the_kit_or_anything_outside_the_submission(worker, target):
    assert target.exists()  # the test is only honest if the file is really there
    need_confinement(worker)
    got = worker.call("hostile", "read", str(target))
    assert not got.startswith("READ"), f"student code read {target}"
    assert worker.call("hostile", "listdir", str(target.parent)) in (
        "FileNotFoundError", "PermissionError")


def test_filesystem_root_holds_only_the_sandbox(worker):
    need_confinement(worker)
    listing = worker.call("hostile", "listdir", "/")
    if listing == "PermissionError":
        return  # Landlock: "/" is not on the allow-list
    top = set(listing)
    assert REPO.parts[1] not in top - {"usr", "opt", "home", "tmp", "proc", "dev"}
    assert top <= {"usr", "bin", "lib", "lib32", "lib64", "sbin", "opt", "home", "tmp",
                   "proc", "dev", "root"}


def test_cannot_write_to_the_repo(worker):
    need_isolation(worker)
    target = REPO / "pwned-by-student.txt"
    try:
        assert worker.call("hostile", "write", str(target)) != "WROTE"
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)


def test_cannot_write_to_its_own_submission_copy_or_the_kit(worker):
    need_confinement(worker)
    if bwrap_active():
        submission, kit = sandbox.SUBMISSION_MOUNT, sandbox.KIT_MOUNT
    else:
        submission, kit = str(worker.workdir / "submission"), str(worker.workdir / "kit")
    assert worker.call("hostile", "write", submission + "/x.py") != "WROTE"
    assert worker.call("hostile", "write", kit + "/main.py") != "WROTE"


def test_cannot_signal_the_grader(worker):
    need_isolation(worker)
    result = worker.call("hostile", "kill", os.getpid())
    assert result in ("ProcessLookupError", "PermissionError")


def test_runs_without_root_or_capabilities(worker):
    need_slot_uid(worker)
    ident = worker.call("hostile", "identity")
    if sandbox._is_root():
        assert ident["uid"] == worker.slot_uid >= sandbox.SLOT_UID_BASE
    assert ident["uid"] != 0
    assert int(ident["caps"], 16) == 0


def test_no_network(worker):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    try:
        port = listener.getsockname()[1]
        need_isolation(worker)
        assert worker.call("hostile", "connect", port) != "CONNECTED"
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_namespaces_ptrace_io_uring_bpf_and_mount_are_refused(worker):
    """seccomp: EPERM for each, whatever else the environment allows."""
    if "seccomp" not in worker.isolation:
        pytest.skip(f"no seccomp filter: {worker.isolation}")
    for name, (ret, err) in worker.call("hostile", "syscalls").items():
        assert (ret, err) == (-1, 1), f"{name}: returned {ret}, errno {err}"


def test_the_submission_copy_is_readable_by_its_own_slot_only(worker):
    """Without Landlock, another student's worker (another slot uid) must not read it."""
    need_slot_uid(worker)
    for path in [worker.workdir / "submission", *(worker.workdir / "submission").rglob("*")]:
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (0, worker.slot_uid), path
        assert not info.st_mode & 0o007 and not info.st_mode & 0o222 & ~0o200, path


def test_symlinks_in_the_submission_are_not_followed(worker, secret):
    skipped = worker.copy_report.skipped
    assert any(s.startswith("answers.py (symbolic link") for s in skipped)
    assert any(s.startswith("reference (symbolic link") for s in skipped)
    assert os.listdir(worker.workdir / "submission") == ["hostile.py"]
    assert worker.call("hostile", "read_beside", "answers.py") == "FileNotFoundError"
    assert worker.call("hostile", "read_beside", "hostile.py").startswith("READ")
    with pytest.raises(StudentError, match="No module named 'answers'"):
        worker.import_module("answers")


def _processes_of(uid: int) -> list[int]:
    """Live (non-zombie) processes running as uid."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except (OSError, ValueError):
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            found.append(int(entry))
    return found


def test_no_process_outlives_close(config, submission):
    if not sandbox.has_slot_uids():
        pytest.skip("processes are told apart by their slot uid, which needs root and "
                    "bwrap or the uid fallback")
    w = Worker(submission, slot=SLOT + 1)
    assert w.call("hostile", "daemons", 5) == 5
    uid = w.slot_uid
    assert len(_processes_of(uid)) >= 6  # the worker and its 5 daemons
    outer = w.proc
    w.close()
    assert outer.poll() is not None
    assert _processes_of(uid) == []


def test_kit_inside_a_bound_prefix_is_hidden(config, submission, monkeypatch):
    """autograder installed into a bound site-packages: its directory is masked (by bwrap
    alone: Landlock, which would refuse the repo anyway, is off for this test)."""
    need_bwrap()
    monkeypatch.setenv(sandbox.LAYERS_ENV, "")
    bound, numpy_mount = sandbox.bwrap_interpreter_binds()
    bound = [*bound, str(REPO)]  # as if the repo were a bound site-packages
    monkeypatch.setattr(sandbox, "bwrap_interpreter_binds", lambda: (bound, numpy_mount))
    with Worker(submission, slot=SLOT + 2) as w:
        assert w.call("hostile", "read", str(REPO / "pyproject.toml")).startswith("READ")
        assert w.call("hostile", "listdir", str(KIT)) == []
        assert w.call("hostile", "listdir", str(REPO / "reference_solution")) == []
        assert w.call("hostile", "read", str(KIT / "sandbox.py")) == "FileNotFoundError"


def test_the_workers_own_mounts_stay_readable_after_the_uid_drop(worker):
    """numpy imports submodules lazily (np.random on first use), after the worker has dropped
    to its slot uid and confined itself: what the worker reads from stays readable."""
    kit = sandbox.KIT_MOUNT if bwrap_active() else str(worker.workdir / "kit")
    assert "main.py" in worker.call("hostile", "listdir", kit)
    assert worker.call("hostile", "read", os.path.join(kit, "main.py")).startswith("READ")


def test_the_worker_measured_its_isolation(worker, config):
    """Every probe was blocked (the fixture's worker has guard=True: it would have refused),
    and the measured mode names the layers that did it."""
    layers = set(worker.isolation.split("+"))
    assert {"landlock", "seccomp"} <= layers, worker.isolation
    assert ("bwrap" in layers) == (config == "detected" and bwrap_active())


def test_student_code_can_import_the_standard_library_and_numpy_only(worker):
    """The libraries on offer are fixed (every stub says so), not whatever is installed
    beside the grader (this venv holds pytest, hypothesis, the kit...): numpy, the worker's
    own modules and the submission's, nothing else."""
    own = {"main", "protocol", "fixtures", "landlock", "seccomp"}
    found = set(worker.call("hostile", "importable_packages"))
    assert "numpy" in found
    assert found - own - {"hostile", "answers"} == {"numpy"}
