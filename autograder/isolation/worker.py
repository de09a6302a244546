"""Trusted-side client of the sandboxed worker: start, call, time out, restart, clean up.

Every reply is treated as hostile: size-checked, strictly decoded, never unpickled, and no
method of a returned object is ever called (decoded values are plain data only).
"""

from __future__ import annotations

import fcntl
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.context import GradingContext
from autograder.isolation import probes, sandbox


class _Protocol:
    """autograder.sandboxed.protocol, imported on first use: it imports numpy (0.1 s),
    which the CLI's early thread must not wait for before it launches a worker."""

    def __getattr__(self, name: str) -> Any:
        from autograder.sandboxed import protocol as module

        return getattr(module, name)


protocol = _Protocol()

# Per-call wall time when the caller gives none: a check's call takes milliseconds;
# 10 s is generous for a student's slow but correct loop.
DEFAULT_TIMEOUT_S = 10.0
# Start-up (bwrap + Python + numpy) measures ~0.15 s; 20 s covers a loaded batch machine.
STARTUP_TIMEOUT_S = 20.0
# Grace for a clean exit on close() before the process group is killed.
EXIT_GRACE_S = 0.5
# After SIGKILL, how long close() waits for the slot uid's processes to be gone, and how
# often it looks: dying takes microseconds, a loaded machine may need a few scheduler ticks.
KILL_WAIT_S = 5.0
KILL_POLL_S = 0.01
# How often a waiting read checks whether the worker died (a forked child may hold the
# reply pipe open, so EOF alone is not enough).
POLL_SLICE_S = 0.1
# Bytes asked of the reply pipe per read: one read usually holds a whole small reply.
READ_CHUNK = 64 * 1024
# Worker stderr (bwrap's own errors, before fds are redirected) kept for diagnostics.
STDERR_KEEP_BYTES = 4096
# Worker slots (uids 60000..60999 as root): far more than the cores of any grading machine.
SLOT_COUNT = 1000
# bwrap and unshare report a child killed by signal N as exit status 128 + N (so a student's
# os._exit(139) reads as SIGSEGV: a documented ambiguity).
SIGNAL_EXIT_BASE = 128


class StudentError(Exception):
    """The student's code raised: type name, message, traceback with student frames only."""

    def __init__(self, type_name: str, message: str, traceback: str = "",
                 file: str | None = None, line: int | None = None):
        super().__init__(f"{type_name}: {message}")
        self.type_name, self.message, self.traceback = type_name, message, traceback
        self.file, self.line = file, line


class WorkerFault(Exception):
    """The worker died or misbehaved; it is dead now and the next call restarts it.

    kind: "timeout" | "crashed" | "memory" | "output" | "protocol" | "exited".
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


@dataclass(frozen=True)
class BatchCall:
    """One call of a batch: ``module.function(*args, **kwargs)`` with its own limit."""

    module: str
    function: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT_S


@dataclass(frozen=True)
class BatchOutcome:
    """What one call of a batch did, exactly one of: returned ``value`` (value, args after,
    kwargs after, as ``call_returning_args``), raised ``error`` (the student's exception),
    or hit ``fault`` (the worker timed out, crashed or misbehaved: it is dead now)."""

    value: tuple | None = None
    error: StudentError | None = None
    fault: WorkerFault | None = None


class Budget:
    """Total wall seconds a submission may use across all its calls."""

    def __init__(self, total_s: float):
        self.total_s = total_s
        self.deadline = time.monotonic() + total_s

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT,
                  signal.SIGKILL, signal.SIGXCPU, signal.SIGXFSZ, signal.SIGTERM, signal.SIGSYS}


class Worker:
    """One long-lived sandboxed worker for one submission; lazy start, restart after a fault.

    slot is the preferred slot: as root it picks the worker's uid (60000 + slot), and
    close() kills every process of that uid, so a slot is claimed with a lock file and the
    next free one is used when another worker (of any process) holds it.
    """

    def __init__(self, submission_dir: Path, slot: int = 0, budget: Budget | None = None,
                 guard: bool = False, context: GradingContext | None = None):
        self.submission_dir = Path(submission_dir)
        self.guard = guard  # hidden checks in play: refuse a worker that reaches a secret
        self.context = context  # names what the worker must fail to read (probes.targets)
        self.isolation = ""  # measured by the last start: e.g. "landlock+seccomp+uid"
        self.slot = slot
        self.budget = budget
        self.proc: subprocess.Popen | None = None
        self.workdir: Path | None = None
        self.imported: set[str] = set()
        self.copy_report: sandbox.CopyReport | None = None
        self.last_fn_calls: list[int] = []
        self.startup_s: float | None = None
        self.starts = 0
        self.slot_lock: int | None = None  # fd holding the flock of the claimed slot
        self._starting: tuple | None = None  # begun, hello not read yet (see begin)
        self.requests = 0  # requests sent for calls (a batch is one): round trips
        self._early_hello: Any = None  # a hello read_hello read before it is judged

    # ---- context manager
    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- public API
    def import_module(self, module: str, timeout: float = DEFAULT_TIMEOUT_S) -> list[str]:
        """Import module (e.g. "mlp") in the worker; returns its public names."""
        reply = self._request({"op": "import", "module": module}, timeout,
                              f"import of {module}.py", during_import=module)
        self.imported.add(module)
        return reply["names"]

    def call(self, module: str, function: str, *args: Any,
             timeout: float = DEFAULT_TIMEOUT_S, **kwargs: Any) -> Any:
        """module.function(*args, **kwargs) in the worker; the decoded plain-data result."""
        if module not in self.imported:
            self.import_module(module, timeout)
        return self._request({"op": "call", "module": module, "function": function,
                              "args": list(args), "kwargs": kwargs},
                             timeout, f"{module}.{function}")

    def call_returning_args(self, module: str, function: str, *args: Any,
                            timeout: float = DEFAULT_TIMEOUT_S,
                            **kwargs: Any) -> tuple[Any, list, dict]:
        """Like call, plus the arguments as the call left them (to catch in-place mutation)."""
        if module not in self.imported:
            self.import_module(module, timeout)
        what = f"{module}.{function}"
        reply = self._request({"op": "call", "module": module, "function": function,
                               "args": list(args), "kwargs": kwargs, "return_args": True},
                              timeout, what, full_reply=True)
        return self._returned_args(reply, what)

    def _returned_args(self, reply: dict, what: str) -> tuple[Any, list, dict]:
        """(value, args after, kwargs after) of a call's reply, its shape checked."""
        after = reply.get("args_after")
        if (not isinstance(after, dict) or not isinstance(after.get("args"), list)
                or not isinstance(after.get("kwargs"), dict)):
            self._fault("protocol", f"the worker sent a malformed reply during {what}")
        return reply.get("value"), after["args"], after["kwargs"]

    def call_batch(self, calls: list[BatchCall]) -> list[BatchOutcome | None]:
        """Several calls in ONE request: each outcome exactly as ``call_returning_args``
        reports that call alone, in order; None for a call that did not run.

        The worker runs the calls in order and answers each with its own frame as soon as it
        returns, so every call keeps its own limit (counted from the previous call's answer,
        so never shorter than alone) and a timeout or crash is that call's: its outcome
        holds the WorkerFault, the worker is dead (restarted by the next request, as after a
        single call) and the calls after it are None (not run). Each frame is validated as
        a single reply is (strict decoding, shape of the reply, its index). Calls whose
        arguments hold a FnRef belong on the single path (their call counts are per call).
        """
        outcomes: list[BatchOutcome | None] = [None] * len(calls)
        if not calls:
            return outcomes
        self.requests += 1
        try:
            for call in calls:
                if call.module not in self.imported:
                    self.import_module(call.module, call.timeout)
            self._ready()
        except WorkerFault as fault:
            outcomes[0] = BatchOutcome(fault=fault)
            return outcomes
        except StudentError as error:  # the import raised: every call alone would say so
            outcomes[0] = BatchOutcome(error=error)
            return outcomes
        proc = self.proc
        self.last_fn_calls = []
        request = {"op": "batch", "calls": [
            {"module": c.module, "function": c.function, "args": list(c.args),
             "kwargs": dict(c.kwargs)} for c in calls]}
        try:
            self._send(proc, request)
        except OSError:
            pass  # the worker died; the first call's _receive reports how
        for index, call in enumerate(calls):
            what = f"{call.module}.{call.function}"
            timeout = self._limited(call.timeout)
            try:
                if timeout is None:
                    raise WorkerFault("timeout", self._spent())
                reply = self._receive(proc, time.monotonic() + timeout, what, timeout)
                if isinstance(reply, dict) and reply.get("index") != index:
                    self._fault("protocol", f"the worker answered out of order during {what}")
                outcomes[index] = BatchOutcome(value=self._returned_args(
                    self._answer(reply, what, full_reply=True), what))
            except StudentError as error:
                outcomes[index] = BatchOutcome(error=error)
            except WorkerFault as fault:
                if self.proc is proc:  # the budget ran out: the worker still runs the batch
                    self._fault_quietly()
                outcomes[index] = BatchOutcome(fault=fault)
                break
        return outcomes

    def graph(self, module: str, spec: dict, mode: str, timeout: float = DEFAULT_TIMEOUT_S,
              value_class: str = "Value") -> dict:
        """fixtures.run_graph(module.Value, spec, mode) in the worker."""
        if module not in self.imported:
            self.import_module(module, timeout)
        return self._request({"op": "graph", "module": module, "class": value_class,
                              "spec": spec, "mode": mode}, timeout,
                             f"{module}.{value_class} ({mode})")

    def output(self, timeout: float = DEFAULT_TIMEOUT_S) -> dict:
        """Student output since the last output(): text (truncated), chars, warnings."""
        if self.proc is None:
            return {"text": "", "chars": 0, "truncated": False, "warnings": []}
        return self._request({"op": "output"}, timeout, "output")

    def close(self) -> None:
        """Stop the worker (politely, then by force) and delete its copy of the submission."""
        proc, self.proc = self.proc, None
        self._starting = self._early_hello = None
        if proc is not None:
            try:
                self._send(proc, {"op": "exit"})
                proc.wait(EXIT_GRACE_S)
            except (OSError, subprocess.TimeoutExpired, protocol.ProtocolError):
                pass
            self._kill(proc)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        if self.slot_lock is not None:
            os.close(self.slot_lock)
            self.slot_lock = None
        self.imported.clear()

    def __del__(self) -> None:
        try:  # safety net for a Worker never closed; close() is the contract
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown may have torn modules down
            pass

    # ---- process management
    def start(self) -> None:
        """Start a worker on a fresh copy of the submission (waits for its hello)."""
        self.begin()
        self._await_hello()

    def begin(self) -> None:
        """Launch a worker without waiting for it: its first request (or ``start``) waits for
        its hello and judges its isolation, so grading can start the next assignment's worker
        while this one's checks run (grade.py)."""
        self.close()
        self.launch()

    def launch(self, copy: bool = True, mode: str | None = None) -> None:
        """begin()'s launch. ``copy=False`` launches on an EMPTY submission folder: an early
        worker (early_worker.py) whose files ``fill`` copies in before its first request;
        ``mode`` (default: the detected one) is "bwrap" when this launch is the probe."""
        mode = mode or sandbox.detect()[0]
        self.workdir = Path(tempfile.mkdtemp(prefix="bplab-worker-"))
        os.chmod(self.workdir, 0o755)
        if copy:
            self.copy_report = sandbox.copy_submission(self.submission_dir,
                                                       self.workdir / "submission")
        else:
            (self.workdir / "submission").mkdir(mode=0o755)
            os.chmod(self.workdir / "submission", 0o755)
        slot, self.slot_lock = _claim_slot(self.slot)
        asked = probes.targets(self.context)
        spec = sandbox.launch_spec(mode, self.workdir, slot, asked)
        self.stderr_file = open(self.workdir / "stderr", "w+b")  # noqa: SIM115
        began = time.perf_counter()
        self.proc = subprocess.Popen(
            spec.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr_file,
            cwd=spec.cwd, env=spec.env, close_fds=True, start_new_session=True,
            preexec_fn=spec.preexec)
        self.slot_uid = spec.slot_uid
        self.starts += 1
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._buffer = bytearray()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.proc.stdout.fileno(), selectors.EVENT_READ)
        self._starting = (began, mode, spec.slot_uid, asked)

    def fill(self, submission_dir: Path) -> None:
        """Copy ``submission_dir`` into a worker launched with ``copy=False`` (before its
        first request: the worker imports nothing of the submission until asked), readable
        by its slot only, exactly as ``launch`` leaves a copy."""
        self.submission_dir = Path(submission_dir)
        copy = self.workdir / "submission"
        self.copy_report = sandbox.copy_submission(self.submission_dir, copy)
        if self.slot_uid is not None:
            sandbox.restrict_to_slot(copy, self.slot_uid)

    def read_hello(self) -> bool:
        """Read a launched worker's hello now, keeping it for ``_await_hello`` (which judges
        it): whether the worker started and said hello (early_worker.py: the probe)."""
        hello = self._receive(self.proc, time.monotonic() + STARTUP_TIMEOUT_S, "start-up")
        self._early_hello = hello
        return isinstance(hello, dict) and bool(hello.get("hello"))

    def _await_hello(self) -> None:
        """The hello of a begun worker: started properly, probes confirmed, isolation judged."""
        began, mode, slot_uid, asked = self._starting
        self._starting = None
        hello, self._early_hello = self._early_hello, None
        if hello is None:
            hello = self._receive(self.proc, time.monotonic() + STARTUP_TIMEOUT_S, "start-up")
        if not (isinstance(hello, dict) and hello.get("hello")):
            self._fault("protocol", "the worker did not start properly")
        self.startup_s = time.perf_counter() - began
        try:
            probes.confirm_writes(hello, asked)
            self.isolation = probes.verdict(hello, mode, slot_uid, self.guard)
        except probes.SandboxExposed:
            self.close()
            raise

    def _kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the process group (bwrap takes its pid namespace down with it)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if getattr(self, "slot_uid", None) is not None:
            _kill_uid(self.slot_uid)  # children that left the process group
        try:
            proc.wait(STARTUP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
        if getattr(self, "_selector", None) is not None:
            self._selector.close()
            self._selector = None
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()
        if getattr(self, "stderr_file", None) is not None:
            self.stderr_file.close()
            self.stderr_file = None

    def _fault(self, kind: str, message: str) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            self._kill(proc)
        self.imported.clear()
        raise WorkerFault(kind, message)

    # ---- requests
    def _request(self, request: dict, timeout: float, what: str,
                 during_import: str | None = None, full_reply: bool = False) -> Any:
        self.requests += 1
        self._ready()
        limited = self._limited(timeout)
        if limited is None:
            raise WorkerFault("timeout", self._spent())
        timeout = limited
        self.last_fn_calls = []
        proc = self.proc
        try:
            self._send(proc, request)
        except OSError:
            pass  # the worker died; _receive reports how
        reply = self._receive(proc, time.monotonic() + timeout, what, timeout, during_import)
        return self._answer(reply, what, full_reply)

    def _ready(self) -> None:
        """A started worker whose hello has been read (started now if there is none)."""
        if self.proc is None:
            self.start()
        elif self._starting is not None:
            self._await_hello()

    def _limited(self, timeout: float) -> float | None:
        """A call's limit cut to what is left of the budget; None when nothing is left."""
        if self.budget is None:
            return timeout
        if self.budget.remaining() <= 0:
            return None
        return min(timeout, self.budget.remaining())

    def _spent(self) -> str:
        return f"the submission used its whole time budget of {self.budget.total_s:g} s"

    def _fault_quietly(self) -> None:
        """Kill the worker (it may still be running a batch) without raising."""
        try:
            self._fault("exited", "")
        except WorkerFault:
            pass

    def _answer(self, reply: Any, what: str, full_reply: bool = False) -> Any:
        """One reply, validated: its value (or the whole reply), or StudentError/WorkerFault."""
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self._fault("protocol", f"the worker sent a malformed reply during {what}")
        fn_calls = reply.get("fn_calls", [])
        if isinstance(fn_calls, list) and all(type(n) is int for n in fn_calls):
            self.last_fn_calls = fn_calls
        if reply["ok"]:
            return reply if full_reply else reply.get("value")
        fault = reply.get("fault")
        if fault == "memory":
            self._fault("memory", f"used more than {sandbox.MEMORY_LIMIT_BYTES // 2**30} GiB "
                                  f"of memory in {what}")
        if fault == "output":
            self._fault("output", f"{what} returned a value too large to send back "
                                  f"({protocol.MAX_MESSAGE_BYTES // 2**20} MiB limit)")
        if fault is not None:
            self._fault("protocol", f"the worker reported a protocol fault during {what}")
        raise _student_error(reply.get("error"))

    def _send(self, proc: subprocess.Popen, request: dict) -> None:
        frame = protocol.encode(request)
        fd = proc.stdin.fileno()
        view = memoryview(frame)
        while view:
            view = view[os.write(fd, view):]

    def _receive(self, proc: subprocess.Popen, deadline: float, what: str,
                 timeout: float | None = None, during_import: str | None = None) -> Any:
        try:
            prefix = self._read(proc, protocol.PREFIX.size, deadline)
            header_len, body_len = protocol.decode_prefix(prefix)
            header = self._read(proc, header_len, deadline)
            body = self._read(proc, body_len, deadline)
            return protocol.decode(header, body)
        except protocol.ProtocolError as exc:
            self._fault("protocol", f"garbled reply from the worker during {what}: {exc}")
        except TimeoutError:
            limit = timeout if timeout is not None else STARTUP_TIMEOUT_S
            self._fault("timeout", f"timed out after {limit:g} s in {what}")
        except EOFError:
            self._died(proc, what, during_import)

    def _read(self, proc: subprocess.Popen, n: int, deadline: float) -> bytes:
        """n bytes of the reply pipe (non-blocking fd, buffered), or Timeout/EOFError."""
        fd, buffer = proc.stdout.fileno(), self._buffer
        while len(buffer) < n:
            try:
                chunk = os.read(fd, max(n - len(buffer), READ_CHUNK))
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError from None
                if not self._selector.select(min(left, POLL_SLICE_S)) \
                        and proc.poll() is not None:
                    raise EOFError from None
                continue
            if not chunk:
                raise EOFError
            buffer += chunk
        data = bytes(buffer[:n])
        del buffer[:n]
        return data

    def _died(self, proc: subprocess.Popen, what: str, during_import: str | None) -> None:
        try:
            status = proc.wait(EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            self._fault("protocol", f"the worker closed its reply pipe during {what}")
        sig = -status if status < 0 else 0
        if status > SIGNAL_EXIT_BASE and status - SIGNAL_EXIT_BASE in _CRASH_SIGNALS:
            sig = status - SIGNAL_EXIT_BASE
        if self.startup_s is None or what == "start-up":
            self._fault("crashed", f"the worker failed to start (status {status}): "
                                   f"{self._stderr_tail()}")
        if sig == signal.SIGXCPU:
            self._fault("timeout", f"used more than {sandbox.CPU_LIMIT_SECONDS} s of CPU "
                                   f"time in {what}")
        if sig:
            self._fault("crashed", f"crashed with signal {_signal_name(sig)} in {what}")
        where = f"import of {during_import}.py" if during_import else what
        self._fault("exited", f"exited during {where} with status {status}")

    def _stderr_tail(self) -> str:
        try:
            self.stderr_file.seek(0)
            return self.stderr_file.read(STDERR_KEEP_BYTES).decode(errors="replace").strip()
        except (OSError, AttributeError, ValueError):
            return ""


def _slot_lock_dir() -> Path:
    """Where slot locks live. Slot uids are machine-wide (close() kills every process of its
    uid), so as root the locks are too: one fixed root-only directory, whatever TMPDIR each
    grading process has; otherwise (no slot uids) the temp dir."""
    if os.geteuid() == 0 and os.path.isdir("/run") and os.access("/run", os.W_OK):
        return Path("/run/backprop-lab-slots")
    return Path(tempfile.gettempdir()) / "bplab-slots"


def _claim_slot(preferred: int) -> tuple[int, int]:
    """(slot, locked fd): the first slot from `preferred` no other worker holds."""
    lock_dir = _slot_lock_dir()
    lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for offset in range(SLOT_COUNT):
        slot = (preferred + offset) % SLOT_COUNT
        fd = os.open(lock_dir / f"{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return slot, fd
        except BlockingIOError:
            os.close(fd)
    raise WorkerFault("crashed", f"all {SLOT_COUNT} worker slots are in use")


def _student_error(error: Any) -> StudentError:
    """A StudentError from the reply's error dict, every field type-checked."""
    if not isinstance(error, dict):
        return StudentError("Error", "the worker reported an error without details")

    def text(key: str, limit: int = 8000) -> str:
        value = error.get(key)
        return value[:limit] if isinstance(value, str) else ""

    line = error.get("line")
    return StudentError(text("type", 200) or "Error", text("message"), text("traceback"),
                        text("file", 500) or None, line if type(line) is int else None)


def _kill_uid(uid: int) -> None:
    """SIGKILL every live process running as uid (a slot uid belongs to one worker only)
    and wait until none is left: SIGKILL and namespace teardown are asynchronous."""
    deadline = time.monotonic() + KILL_WAIT_S
    while time.monotonic() < deadline:
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:  # not st_uid of /proc/PID: it is root's for a process that changed uid
                with open(f"/proc/{entry}/status") as status:
                    uids = next(line for line in status if line.startswith("Uid:"))
                if int(uids.split()[1]) == uid and "Z" not in _state(entry):
                    os.kill(int(entry), signal.SIGKILL)
                    found = True
            except (OSError, StopIteration, ValueError):
                pass
        if not found:
            return
        time.sleep(KILL_POLL_S)


def _state(pid: str) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]
