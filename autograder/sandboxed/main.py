"""The worker: runs student code on request, inside the sandbox. Trusted until it imports it.

Started by autograder/isolation/sandbox.py as ``python -I -S main.py --submission DIR --output FILE
--path SITE ... [--drop-uid N] [--landlock] [--seccomp] [--ro P] [--rw P] [--probes JSON]``,
with the request pipe on fd 0 and the reply pipe on fd 1. Start-up order matters: move the
pipes off fds 0/1, point 0/1/2 at /dev/null and a capped output file, drop to the slot's uid
(root only), confine itself (Landlock allow-list, then the seccomp filter: this process is
still single-threaded, so both hold for every thread and child to come), import numpy under
those restrictions, probe what is still reachable (the reference, the hidden checks, the
kit, the results directory, the network, the grader's pid), then say hello with what it
measured. Only after that does any student code run.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import io
import json
import os
import socket
import sys
import traceback
import warnings

# Student output kept in memory per "output" request; the rest is counted, not kept.
OUTPUT_KEEP_CHARS = 64 * 1024
# Bytes asked of the pipe per read: one read usually holds a whole small request.
READ_CHUNK = 64 * 1024
# Warning messages kept per "output" request (numpy may warn on every call of a loop).
WARNINGS_KEPT = 50


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bplab-worker")
    parser.add_argument("--submission", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--drop-uid", type=int, default=None)
    parser.add_argument("--landlock", action="store_true", help="apply the allow-list")
    parser.add_argument("--seccomp", action="store_true", help="install the syscall filter")
    parser.add_argument("--ro", action="append", default=[], help="also readable (Landlock)")
    parser.add_argument("--rw", action="append", default=[], help="read-write (Landlock)")
    parser.add_argument("--probes", default="[]", help="JSON list of isolation probes")
    return parser.parse_args()


def _confine(args: argparse.Namespace) -> dict:
    """Apply the requested layers; what each one did ('abi 7', 'on', or why not)."""
    layers: dict = {}
    if args.landlock:
        import landlock

        read = [p for p in sys.path if p] + list(landlock.SYSTEM_READ) + args.ro
        read.append(args.submission)
        for site in args.path:  # a view of numpy: links to the real directories
            if os.path.isdir(site):
                read += [e.path for e in os.scandir(site) if e.is_symlink()]
        try:
            layers["landlock"] = f"abi {landlock.restrict(read, args.rw, [os.devnull])}"
        except OSError as exc:
            layers["landlock"] = f"unavailable: {exc.strerror or exc}"
    if args.seccomp:
        import seccomp

        try:
            seccomp.install(seccomp.worker_rules(os.getpid()))
            layers["seccomp"] = "on"
        except OSError as exc:
            layers["seccomp"] = f"unavailable: {exc.strerror or exc}"
    return layers


# Seconds a probe's connect may wait: a sandbox refuses at once; a reachable 127.0.0.1
# answers in microseconds.
PROBE_CONNECT_S = 0.2
# "connect_local" reaches the grader's listener only if it connects (in a network namespace
# 127.0.0.1 is the sandbox's own loopback: refused there is not reaching the grader).
_REACHED = {"connect_local": {0, errno.EISCONN}}
# Audit events of the socket calls that name a peer: the probes' own addresses are recorded
# (hello "addresses") so that a test can show no probe ever aims off the machine.
_ADDRESS_EVENTS = ("socket.connect", "socket.sendto", "socket.sendmsg")
_addresses: list = []
_auditing = False


def _audit(event: str, args: tuple) -> None:
    """While probing: record the address of every connect/sendto/sendmsg of this process."""
    if _auditing and event in _ADDRESS_EVENTS and len(args) > 1:
        address = args[1]
        _addresses.append(list(address) if isinstance(address, tuple) else [str(address)])


def _network_interfaces() -> list[str]:
    """Names of this namespace's network interfaces other than loopback."""
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        with open("/proc/net/dev") as f:  # header lines, then "  eth0: 123 ..."
            names = [line.split(":")[0].strip() for line in f if ":" in line]
    return [name for name in names if name != "lo"]


def _probe_network() -> None:
    """Could packets leave the machine? Decided without sending one: a worker that may create
    an INET socket and sees an interface besides loopback counts as reaching the network."""
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()  # seccomp: EPERM here
    if not _network_interfaces():
        raise OSError(errno.ENETUNREACH, "no interface but loopback")


def _probe_one(op: str, target, file: str | None = None) -> None:
    """Try one forbidden thing; returns when it worked, raises OSError when refused."""
    if op == "read":
        with open(target, "rb") as f:
            f.read(1)
    elif op == "list":
        os.listdir(target)
    elif op == "write":  # left in place: the trusted side looks for it where it counts
        path = os.path.join(target, file or ".bplab-probe")
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    elif op == "network":
        _probe_network()
    elif op in _REACHED:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(PROBE_CONNECT_S)
            try:
                code = s.connect_ex((target[0], int(target[1])))
            except TimeoutError:
                code = errno.ETIMEDOUT
        if code not in _REACHED[op]:
            raise OSError(code, os.strerror(code))
    elif op == "signal":
        os.kill(int(target), 0)
    else:
        raise OSError(errno.EINVAL, f"unknown probe {op}")


def _probe(probes: list) -> dict:
    """name -> 'exposed' or 'blocked: EACCES' for each probe the trusted side asked for."""
    global _auditing
    found = {}
    if probes:
        sys.addaudithook(_audit)
    _auditing = True
    for probe in probes:
        try:
            _probe_one(probe["op"], probe["target"], probe.get("file"))
            found[probe["name"]] = "exposed"
        except OSError as exc:
            found[probe["name"]] = "blocked: " + errno.errorcode.get(exc.errno or 0, str(exc))
    _auditing = False
    return found


def _take_over_fds(output_file: str) -> tuple[int, int]:
    """Private copies of the protocol pipes; fds 0, 1, 2 -> /dev/null and the output file."""
    req, rep = os.dup(0), os.dup(1)  # os.dup: non-inheritable, so no exec'd child gets them
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(output_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)
    return req, rep


def _drop_privileges(uid: int) -> None:
    """Become uid/gid `uid` with no groups; capabilities go with uid 0."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getuid() == 0:
        raise SystemExit("worker: could not drop privileges")


class CappedWriter(io.TextIOBase):
    """sys.stdout/sys.stderr: keeps the first OUTPUT_KEEP_CHARS, counts the rest."""

    def __init__(self, sink: list, fd: int):
        self.sink = sink  # shared [kept text parts, kept chars, total chars]
        self.fd = fd

    def write(self, text: str) -> int:
        text = str(text)
        room = OUTPUT_KEEP_CHARS - self.sink[1]
        if room > 0:
            self.sink[0].append(text[:room])
            self.sink[1] += min(room, len(text))
        self.sink[2] += len(text)
        return len(text)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.fd

    @property
    def encoding(self) -> str:
        return "utf-8"


class Worker:
    """The request loop's state: submission dir, imported modules, captured output."""

    def __init__(self, submission: str, req_fd: int, rep_fd: int):
        self.submission = os.path.realpath(submission)
        self.req_fd, self.rep_fd = req_fd, rep_fd
        self.sink: list = [[], 0, 0]
        self.warning_texts: list[str] = []
        self.fn_refs: list = []
        self.buffer = bytearray()
        self.modules: dict = {}  # name -> module, checked to come from the submission

    # ---- I/O
    def read_exact(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = os.read(self.req_fd, max(n - len(self.buffer), READ_CHUNK))
            if not chunk:
                raise EOFError
            self.buffer += chunk
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def receive(self) -> dict:
        header_len, body_len = protocol.decode_prefix(self.read_exact(protocol.PREFIX.size))
        header = self.read_exact(header_len)
        return protocol.decode(header, self.read_exact(body_len), resolve_fn=self.resolve_fn)

    def send(self, reply: dict) -> None:
        try:
            frame = protocol.encode(reply, lenient=True)
        except protocol.ProtocolError as exc:
            frame = protocol.encode({"ok": False, "fault": "output", "message": str(exc)})
        view = memoryview(frame)
        while view:
            view = view[os.write(self.rep_fd, view):]

    def resolve_fn(self, ref: protocol.FnRef) -> fixtures.CallCounter:
        counted = fixtures.resolve(ref.name, ref.part, ref.params)
        self.fn_refs.append(counted)
        return counted

    # ---- student errors
    def in_submission(self, filename: str) -> bool:
        path = os.path.realpath(filename)
        return path.startswith(self.submission + os.sep)

    def relative(self, filename: str) -> str:
        return os.path.relpath(os.path.realpath(filename), self.submission)

    def error(self, exc: BaseException) -> dict:
        """The student's exception with only the student's frames."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if self.in_submission(f.filename)]
        for frame in frames:
            frame.filename = self.relative(frame.filename)
        text = "".join(traceback.format_list(frames))
        try:
            message = str(exc)
        except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
            message = "<str() of the exception failed>"
        info = {"type": type(exc).__name__, "message": message[:2000]}
        if isinstance(exc, SyntaxError):
            filename = exc.filename or ""
            info["file"] = self.relative(filename) if self.in_submission(filename) else filename
            info["line"] = exc.lineno
            text += "".join(traceback.format_exception_only(SyntaxError, exc)).replace(
                str(exc.filename), info["file"])
        elif isinstance(exc, SystemExit):
            info["message"] = f"exit status {exc.code!r}"
        if frames:
            info["line"] = frames[-1].lineno
            info["file"] = frames[-1].filename
        info["traceback"] = text[-8000:]
        reply = {"ok": False, "error": info}
        if isinstance(exc, MemoryError):
            reply["fault"] = "memory"
        return reply

    # ---- requests
    def load(self, name: str):
        if name in self.modules:
            return self.modules[name]
        if not name.isidentifier():
            raise ValueError(f"bad module name {name!r}")
        module = sys.modules.get(name) or importlib.import_module(name)
        path = getattr(module, "__file__", None) or ""
        if not self.in_submission(path):
            raise ImportError(f"{name}.py is not a file of the submission")
        self.modules[name] = module
        return module

    def op_import(self, req: dict) -> dict:
        module = self.load(req["module"])
        names = sorted(n for n in vars(module) if not n.startswith("_"))
        return {"ok": True, "value": {"names": names[:500]}}

    def op_call(self, req: dict) -> dict:
        func = getattr(self.load(req["module"]), req["function"], None)
        if func is None or not callable(func):
            return {"ok": False, "error": {
                "type": "AttributeError", "traceback": "",
                "message": f"{req['module']}.py has no function {req['function']}"}}
        args, kwargs = req.get("args", []), req.get("kwargs", {})
        value = func(*args, **kwargs)
        reply = {"ok": True, "value": value}
        if req.get("return_args"):  # the arguments as the call left them: mutation check
            reply["args_after"] = {"args": args, "kwargs": kwargs}
        return reply

    def serve_batch(self, req: dict) -> None:
        """A batch request: its calls run in order, each answered by its own frame as soon as
        it returns (one request, no wait for the trusted side between calls), so the trusted
        side gives each call its own deadline and knows which call hung or crashed the
        worker. Each frame is exactly the reply of a single ``call`` with ``return_args``
        plus ``"index"``; a memory fault ends the batch (the trusted side kills the worker,
        as after a single call)."""
        calls = req.get("calls")
        if not (isinstance(calls, list) and all(isinstance(c, dict) for c in calls)):
            self.send({"ok": False, "fault": "protocol", "message": "batch calls not a list"})
            return
        for index, call in enumerate(calls):
            reply = self.handle({**call, "op": "call", "return_args": True})
            reply["index"] = index
            self.send(reply)
            if reply.get("fault") is not None:
                return

    def op_graph(self, req: dict) -> dict:
        value_class = getattr(self.load(req["module"]), req.get("class", "Value"), None)
        if not isinstance(value_class, type):
            return {"ok": False, "error": {
                "type": "AttributeError", "traceback": "",
                "message": f"{req['module']}.py has no class {req.get('class', 'Value')}"}}
        return {"ok": True, "value": fixtures.run_graph(value_class, req["spec"], req["mode"])}

    def op_output(self, req: dict) -> dict:
        kept, total = "".join(self.sink[0]), self.sink[2]
        self.sink[:] = [[], 0, 0]
        sys.stdout.flush()
        fd_text = b""
        try:
            with open("/proc/self/fd/1", "rb") as f:
                fd_text = f.read(OUTPUT_KEEP_CHARS)
            total += os.fstat(1).st_size
            os.ftruncate(1, 0)
        except OSError:
            pass
        text = kept + fd_text.decode("utf-8", "replace")
        value = {"text": text[:OUTPUT_KEEP_CHARS], "chars": total,
                 "truncated": total > OUTPUT_KEEP_CHARS, "warnings": self.warning_texts}
        self.warning_texts = []
        return {"ok": True, "value": value}

    def show_warning(self, message, category, filename, lineno, file=None, line=None):
        if len(self.warning_texts) < WARNINGS_KEPT:
            where = (f"{self.relative(filename)}:{lineno}: "
                     if self.in_submission(filename) else "")
            self.warning_texts.append(f"{where}{category.__name__}: {message}"[:500])

    def handle(self, req: dict) -> dict:
        handler = getattr(self, "op_" + str(req.get("op")), None)
        if handler is None:
            return {"ok": False, "fault": "protocol", "message": f"unknown op {req.get('op')!r}"}
        try:
            reply = handler(req)
        except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
            reply = self.error(exc)
        if self.fn_refs:
            reply["fn_calls"] = [c.calls for c in self.fn_refs]
        return reply

    def serve(self, hello: dict) -> None:
        self.send({"ok": True, "hello": os.getpid(), **hello})
        while True:
            self.fn_refs = []  # filled while the request is decoded
            try:
                req = self.receive()
            except EOFError:
                return
            if not isinstance(req, dict):
                self.send({"ok": False, "fault": "protocol", "message": "request not a dict"})
                continue
            if req.get("op") == "exit":
                self.send({"ok": True})
                return
            if req.get("op") == "batch":
                self.serve_batch(req)
                continue
            self.send(self.handle(req))


def main() -> None:
    args = _parse_args()
    req_fd, rep_fd = _take_over_fds(args.output)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [here, *sys.path, *args.path]
    if args.drop_uid is not None:
        _drop_privileges(args.drop_uid)
    layers = _confine(args)
    global protocol, fixtures
    import fixtures  # noqa: F811 - siblings, found through sys.path (see DESIGN)
    import numpy as np
    import protocol

    probes = _probe(json.loads(args.probes))
    worker = Worker(args.submission, req_fd, rep_fd)
    sys.path.append(worker.submission)  # last: a student's "math.py" cannot shadow stdlib
    sys.stdout = sys.__stdout__ = CappedWriter(worker.sink, 1)
    sys.stderr = sys.__stderr__ = CappedWriter(worker.sink, 2)
    np.seterr(all="warn")
    warnings.simplefilter("default")
    warnings.showwarning = worker.show_warning
    worker.serve({"layers": layers, "probes": probes, "addresses": _addresses})
    os._exit(0)  # skip atexit handlers a student may have registered


protocol = fixtures = None  # bound in main(), after the process is set up

if __name__ == "__main__":
    main()
