"""The trusted-side Worker client against tiny synthetic submissions."""

from __future__ import annotations

import os
import signal
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.isolation import sandbox
from autograder.isolation.worker import Budget, StudentError, Worker, WorkerFault
from autograder.sandboxed.protocol import FnRef, Unencodable

GOOD = """
import numpy as np

def add(a, b):
    print("adding")
    return a + b

def outer(x):
    return inner(x)

def inner(x):
    raise ValueError(f"bad input {x}")

def pair(x):
    return np.float64(x.sum()), {"g": 2 * x}

def custom():
    class Foo:
        def __eq__(self, other):
            return True
    return Foo()

def apply(f, grad_f, x):
    return f(x), grad_f(x), f(x)

def sleep(s):
    import time
    time.sleep(s)

def spin():
    while True:
        pass

def leave():
    import sys
    sys.exit(3)

def interrupt():
    raise KeyboardInterrupt

def hard_exit():
    import os
    os._exit(4)

def segfault():
    import ctypes
    ctypes.string_at(0)

def memory_bomb():
    return bytearray(2 * 1024**3)

def growing_bomb():
    keep = []
    while True:
        keep.append(np.ones(10**7))

def print_flood():
    for _ in range(120):
        print("x" * 10**6)
    return "done"

def fd_flood():
    import os
    for _ in range(120):
        os.write(1, b"y" * 10**6)

def fork_bomb():
    import os, time
    n = 0
    try:
        while n < 10_000:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            n += 1
    except OSError:
        pass
    return n

def warn():
    return float(np.float64(1.0) / np.float64(0.0))
"""

ENGINE = """
import math

class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data, self.grad = data, 0.0
        self._prev, self._backward = set(_children), lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    __rmul__ = __mul__

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,))
        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()
        def visit(v):
            if v not in seen:
                seen.add(v)
                for c in v._prev:
                    visit(c)
                order.append(v)
        visit(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            v._backward()
"""


def write(tmp: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp / name).write_text(textwrap.dedent(text))
    return tmp


@pytest.fixture(scope="module")
def submission(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("sub"), {
        "good.py": GOOD,
        "engine.py": ENGINE,
        "broken.py": "x = 1\n\ndef f(:\n    pass\n",
        "quits.py": "import os\nos._exit(0)\n",
        "sysexits.py": "import sys\nsys.exit(0)\n",
        "limits.py": (
            "import resource\n\n"
            "def cpu():\n    return list(resource.getrlimit(resource.RLIMIT_CPU))\n"
        ),
    })


@pytest.fixture(scope="module")
def worker(submission):
    with Worker(submission, slot=1) as w:
        yield w


def test_call_returns_plain_data(worker):
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(worker.call("good", "add", a, a), 2 * a)
    assert worker.call("good", "add", 1, 2) == 3
    total, grads = worker.call("good", "pair", np.ones(3))
    assert total == 3.0 and type(total) is float
    np.testing.assert_array_equal(grads["g"], 2 * np.ones(3))


def test_unencodable_return_is_named(worker):
    got = worker.call("good", "custom")
    assert isinstance(got, Unencodable) and got.type_name.endswith("Foo")


def test_catalogue_functions_are_passed_by_name_and_counted(worker):
    f, g = FnRef("lecture_2var", "f"), FnRef("lecture_2var", "grad")
    value, grad, _ = worker.call("good", "apply", f, g, np.array([1.0, 2.0]))
    assert value == 1 + 2 + 16
    np.testing.assert_array_equal(grad, [4.0, 17.0])
    assert worker.last_fn_calls == [2, 1]


def test_student_exception_has_only_student_frames(worker):
    with pytest.raises(StudentError) as info:
        worker.call("good", "outer", 5)
    err = info.value
    assert err.type_name == "ValueError" and err.message == "bad input 5"
    assert 'File "good.py"' in err.traceback and "in inner" in err.traceback
    assert "main.py" not in err.traceback and "/" not in err.traceback.split('"')[1]
    assert err.file == "good.py" and err.line == 12


def test_missing_function_is_a_student_error(worker):
    with pytest.raises(StudentError, match="has no function nope"):
        worker.call("good", "nope")


def test_syntax_error_reports_file_and_line(worker):
    with pytest.raises(StudentError) as info:
        worker.import_module("broken")
    assert info.value.type_name == "SyntaxError"
    assert (info.value.file, info.value.line) == ("broken.py", 3)


def test_sys_exit_and_keyboard_interrupt_are_reported_not_fatal(worker):
    with pytest.raises(StudentError, match="exit status 3"):
        worker.call("good", "leave")
    with pytest.raises(StudentError) as info:
        worker.call("good", "interrupt")
    assert info.value.type_name == "KeyboardInterrupt"
    starts = worker.starts
    assert worker.call("good", "add", 1, 1) == 2 and worker.starts == starts


def test_sys_exit_during_import_is_a_student_error(worker):
    with pytest.raises(StudentError, match="SystemExit: exit status 0"):
        worker.import_module("sysexits")


def test_os_exit_during_import_is_a_fault_then_restart(worker):
    with pytest.raises(WorkerFault) as info:
        worker.call("quits", "anything")
    assert info.value.kind == "exited"
    assert info.value.message == "exited during import of quits.py with status 0"
    assert worker.call("good", "add", 2, 2) == 4


def test_os_exit_in_a_function(worker):
    with pytest.raises(WorkerFault, match="exited during good.hard_exit with status 4"):
        worker.call("good", "hard_exit")


def test_timeout_kills_then_next_call_restarts(worker):
    worker.call("good", "add", 0, 0)  # running before the timeout
    starts = worker.starts
    began = time.monotonic()
    with pytest.raises(WorkerFault) as info:
        worker.call("good", "spin", timeout=0.5)
    assert info.value.kind == "timeout"
    assert info.value.message == "timed out after 0.5 s in good.spin"
    assert time.monotonic() - began < 3
    assert worker.call("good", "add", 1, 2) == 3
    assert worker.starts == starts + 1


def test_segfault_is_a_crash_with_the_signal_name(worker):
    with pytest.raises(WorkerFault) as info:
        worker.call("good", "segfault")
    assert info.value.kind == "crashed"
    assert info.value.message == "crashed with signal SIGSEGV in good.segfault"
    assert worker.call("good", "add", 1, 2) == 3


@pytest.mark.parametrize("function", ["memory_bomb", "growing_bomb"])
def test_memory_bomb_is_a_memory_fault(worker, function):
    with pytest.raises(WorkerFault) as info:
        worker.call("good", function, timeout=20)
    assert info.value.kind == "memory"
    assert "more than 1 GiB of memory" in info.value.message
    assert worker.call("good", "add", 1, 2) == 3


def test_print_flood_is_bounded_and_fast(worker):
    worker.output()
    began = time.monotonic()
    assert worker.call("good", "print_flood") == "done"
    out = worker.output()
    assert time.monotonic() - began < 5
    assert out["truncated"] and out["chars"] > 100_000_000
    assert 0 < len(out["text"]) <= 64 * 1024


def test_fd_level_flood_stops_at_the_file_size_limit(worker):
    with pytest.raises(StudentError) as info:
        worker.call("good", "fd_flood")
    assert info.value.type_name == "OSError" and "File too large" in info.value.message
    out = worker.output()
    assert out["chars"] <= sandbox.FILE_SIZE_LIMIT_BYTES + 64 * 1024


def test_output_and_warnings_are_captured_not_printed(worker):
    worker.output()
    worker.call("good", "add", 1, 1)
    assert worker.call("good", "warn") == float("inf")
    out = worker.output()
    assert out["text"] == "adding\n"
    assert any("RuntimeWarning" in w for w in out["warnings"])


def test_fork_bomb_is_bounded(worker):
    if not sandbox.has_slot_uids():
        pytest.skip("RLIMIT_NPROC is only applied with a per-slot uid: "
                    f"{sandbox.describe_isolation()['does_not_stop']}")
    forks = worker.call("good", "fork_bomb", timeout=20)
    assert forks < sandbox.PROCESS_LIMIT
    worker.close()


def test_kill_mid_call_is_a_crash_and_recovers(worker):
    worker.call("good", "add", 0, 0)
    pid = worker.proc.pid
    timer = threading.Timer(0.3, os.kill, (pid, signal.SIGKILL))
    timer.start()
    with pytest.raises(WorkerFault) as info:
        worker.call("good", "sleep", 5)
    timer.join()
    assert info.value.kind == "crashed" and "SIGKILL" in info.value.message
    assert worker.call("good", "add", 1, 2) == 3


def test_graph_driver_runs_the_students_value_class(worker):
    spec = {"inputs": {"a": 2.0, "b": -3.0},
            "nodes": [{"id": "c", "op": "mul", "args": ["a", "b"]},
                      {"id": "d", "op": "add", "args": ["c", "a"]},
                      {"id": "e", "op": "mul", "args": [{"const": 3.0}, "d"]}],
            "output": "e"}
    once = worker.graph("engine", spec, "backward")
    assert once["data"]["e"] == 3 * (2 * -3 + 2)
    assert once["grads"]["a"] == 3 * (-3 + 1) and once["grads"]["b"] == 3 * 2
    assert worker.graph("engine", spec, "backward_twice")["grads"] == once["grads"]


def test_graph_reports_a_missing_op_as_student_error(worker):
    spec = {"inputs": {"a": 1.0}, "nodes": [{"id": "o", "op": "exp", "args": ["a"]}],
            "output": "o"}
    with pytest.raises(StudentError, match="AttributeError|exp"):
        worker.graph("engine", spec, "forward")


def test_budget_stops_calls_once_spent(submission):
    budget = Budget(0.6)
    with Worker(submission, slot=2, budget=budget) as w:
        with pytest.raises(WorkerFault, match="timed out after"):
            w.call("good", "spin", timeout=30)
        with pytest.raises(WorkerFault, match="whole time budget of 0.6 s"):
            w.call("good", "add", 1, 2)


def test_startup_is_lazy_and_close_is_idempotent(submission):
    w = Worker(submission, slot=3)
    assert w.proc is None and w.output()["text"] == ""
    w.close()
    assert w.call("good", "add", 1, 2) == 3 and w.startup_s is not None
    w.close()
    w.close()
    assert w.proc is None and w.workdir is None


def test_cpu_limit_warns_with_sigxcpu_before_the_hard_kill(worker):
    """Soft limit first (SIGXCPU: reported as "used more than 120 s of CPU"), then SIGKILL."""
    soft, hard = worker.call("limits", "cpu")
    assert soft == sandbox.CPU_LIMIT_SECONDS
    assert hard == soft + sandbox.CPU_GRACE_SECONDS


def test_graph_chain_and_locals_modes_through_the_sandbox(worker):
    """The grader's own driver (chain) and each op alone at three probes (locals)."""
    spec = {"inputs": {"a": 2.0, "b": -3.0},
            "nodes": [{"id": "c", "op": "mul", "args": ["a", "b"]},
                      {"id": "d", "op": "add", "args": ["c", "a"]}],
            "output": "d"}
    chain = worker.graph("engine", spec, "chain")
    assert chain["grads"] == worker.graph("engine", spec, "backward")["grads"]
    probes = worker.graph("engine", spec, "locals")["locals"]
    # (out.grad, operand grad) = (1, 0), (2, 0), (1, 1): d c / d a = b = -3, accumulated.
    assert [p["a"] for p in probes["c"]] == [-3.0, -6.0, -2.0]
    local = worker.graph("engine", {**spec, "nodes": spec["nodes"][:1], "output": "c",
                                    "seed": 2.0, "preset": 0.5}, "local")
    assert local["grads"] == {"a": 0.5 + 2 * -3.0, "b": 0.5 + 2 * 2.0}


# ---- the isolation verdict (probes.py): what a worker's hello makes of the grading


def _hello(**probes):
    return {"hello": 1, "layers": {"landlock": "abi 7", "seccomp": "on"},
            "probes": {"read the reference": "blocked: EACCES", **probes}}


def test_a_blocked_worker_reports_its_layers_as_the_mode(monkeypatch):
    from autograder.isolation import probes

    monkeypatch.setattr(probes, "_last", {})

    assert probes.verdict(_hello(), "uid", 60001, guard=True) == "landlock+seccomp+uid"
    assert probes.verdict(_hello(), "bwrap", 60001, guard=True) == "bwrap+landlock+seccomp"
    bare = {"hello": 1, "layers": {"landlock": "unavailable: ENOSYS"}, "probes": {}}
    assert probes.verdict(bare, "rlimits", None, guard=True) == "rlimits"


def test_an_exposed_worker_refuses_only_with_hidden_checks_and_unless_accepted(monkeypatch):
    from autograder.grade import NotGraded
    from autograder.isolation import probes

    monkeypatch.delenv(probes.ACCEPT_ENV, raising=False)
    monkeypatch.setattr(probes, "_last", {})  # the process's measurement is restored after
    hello = _hello(**{"signal the grader": "exposed"})
    with pytest.raises(NotGraded, match="cannot hide the reference.*signal the grader"):
        probes.verdict(hello, "uid", 60001, guard=True)
    visible_only = probes.verdict(hello, "uid", 60001, guard=False)
    assert visible_only == "landlock+seccomp+uid (the worker could signal the grader)"
    monkeypatch.setenv(probes.ACCEPT_ENV, "1")
    accepted = probes.verdict(hello, "uid", 60001, guard=True)
    assert "EXPOSED, accepted by BACKPROP_LAB_ACCEPT_EXPOSURE=1" in accepted
    assert sandbox.describe_isolation()["mode"] == accepted  # what every result states


def test_a_write_counts_only_where_the_grader_would_see_it(tmp_path):
    """Inside bwrap /tmp is the sandbox's own tmpfs: a probe file written there never
    reaches the grader's /tmp, so grading from a folder under /tmp is not refused."""
    from autograder.isolation import probes

    asked = [{"name": "write the results directory", "op": "write", "target": str(tmp_path),
              "file": ".bplab-probe-x"},
             {"name": "write the kit", "op": "write", "target": str(tmp_path / "kit"),
              "file": ".bplab-probe-x"}]
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / ".bplab-probe-x").write_text("")  # this one really got through
    hello = {"probes": {"write the results directory": "exposed", "write the kit": "exposed"}}
    probes.confirm_writes(hello, asked)
    assert hello["probes"]["write the results directory"].startswith("blocked")
    assert hello["probes"]["write the kit"] == "exposed"
    assert not (tmp_path / "kit" / ".bplab-probe-x").exists()  # the grader cleans up


def test_grading_from_a_folder_under_tmp_is_not_refused(tmp_path):
    if sandbox.detect()[0] != "bwrap":
        pytest.skip("needs bubblewrap (its private /tmp is what this is about)")
    import subprocess
    import sys

    from conftest import REFERENCE

    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "--quiet",
                           str(REFERENCE / "a1_perceptron")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "15.00 / 15.00" in done.stdout
    assert not list(tmp_path.glob(".bplab-probe-*"))
