"""A worker launched before its submission is known, so that ``autograder check`` does not
wait for one.

Why: a student's ``check a1`` waited ~0.1 s for the worker's hello (bwrap, Python and numpy
inside the sandbox) after its own imports and the intake, and ~0.1 s more for the sandbox
probe before it. ``launch_soon`` (the CLI's early thread) launches the worker on an EMPTY
submission folder at once, its hello standing in for the probe (sandbox.detect_with), so it
starts on the other core while the CLI imports the checks. Grading's first worker takes it
over (``hand_over``, called by grade.py instead of ``Worker.begin``) and copies the
submission in before the first request (the worker imports nothing of it until asked).

It is handed over only to a worker that would have launched the very same one: the same
preferred slot, isolation mode and probes (what it must prove it cannot read, write, reach
or signal). Otherwise it is closed and the worker launches as always. ``close_unused`` (the
CLI's exit) closes one that nothing took.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

THREAD = "bplab-early-worker"
"""The thread that launches the early worker and then stays alive, idle, until the CLI's
exit (``close_unused``): bwrap runs with --die-with-parent, whose death signal the kernel
sends when the THREAD that forked it ends, not the process, so the launching thread must
outlive the worker."""

_lock = threading.Lock()
_waiting: dict[str, Any] = {}  # "worker": the launched Worker, "signature": what it proves
_launched = threading.Event()  # set once a launch_soon thread is done launching (or failed)
_release = threading.Event()  # set by close_unused: the launching thread may end
_started = threading.Event()  # a launch_soon thread exists in this process


def launch_soon(context: Callable[[], Any], slot: int = 0) -> threading.Thread:
    """Detect the sandbox, then launch an early worker for ``context()`` (the grading
    context the command will build), in a thread; any fault leaves no worker (begin then
    launches one as always and meets the fault itself)."""

    def launch_and_stay() -> None:
        try:
            launch()
        finally:
            _launched.set()
        _release.wait()

    def launch() -> None:
        from autograder.isolation import sandbox
        from autograder.isolation.worker import Worker

        worker = None

        def first_worker() -> bool:  # the probe, when bwrap is there to try (detect_with)
            nonlocal worker
            try:
                worker = Worker(Path("."), slot=slot, context=context())
                worker.launch(copy=False, mode="bwrap")
                if worker.read_hello():
                    return True
            except Exception:  # noqa: BLE001 - no hello: the probe decides instead
                pass
            if worker is not None:
                worker.close()
            worker = None
            return False

        try:
            sandbox.detect_with(first_worker)
            if worker is None:  # detected earlier, or by the probe: launch in its mode
                worker = Worker(Path("."), slot=slot, context=context())
                worker.launch(copy=False)
        except Exception:  # noqa: BLE001 - see above: the ordinary start reports it
            if worker is not None:
                worker.close()
            return
        with _lock:
            previous = _waiting.get("worker")
            _waiting.update(worker=worker, signature=signature(worker))
        if previous is not None:
            previous.close()

    _launched.clear()
    _release.clear()
    _started.set()
    thread = threading.Thread(target=launch_and_stay, name=THREAD, daemon=True)
    thread.start()
    return thread


def signature(worker: Any) -> tuple:
    """What a launched worker is asked to prove, minus the write probes' random file names:
    preferred slot, isolation mode, probes. Two workers with one signature launch alike."""
    from autograder.isolation import probes, sandbox

    asked = worker._starting[3] if worker._starting else probes.targets(worker.context)
    return (worker.slot, sandbox.detect()[0],
            tuple((p["name"], p["op"], json.dumps(p["target"])) for p in asked))


def _wait_for_launch() -> None:
    if _started.is_set() and threading.current_thread().name != THREAD:
        _launched.wait()


def hand_over(worker: Any) -> bool:
    """Give ``worker`` (new, not begun) the early worker when it would launch the same one,
    its submission copied in; False when there is none (or it differs: then it is closed)."""
    if not _waiting:
        _wait_for_launch()
    with _lock:
        early = _waiting.pop("worker", None)
        early_signature = _waiting.pop("signature", None)
    if early is None:
        return False
    if early.proc is None or early_signature != signature(worker):
        early.close()
        return False
    for name in ("proc", "workdir", "slot_lock", "slot_uid", "stderr_file", "_buffer",
                 "_selector", "_starting", "_early_hello"):
        setattr(worker, name, getattr(early, name, None))
    early.proc = early.workdir = early.slot_lock = early.stderr_file = None
    early._selector = early._starting = early._early_hello = None
    worker.starts += 1
    try:
        worker.fill(worker.submission_dir)
    except BaseException:
        worker.close()  # as if its own launch had refused the copy: no process left
        raise
    return True


def close_unused() -> None:
    """Close the early worker if nothing took it (a ``check`` that stopped before grading)."""
    _wait_for_launch()
    with _lock:
        early = _waiting.pop("worker", None)
        _waiting.clear()
    if early is not None:
        early.close()
    _started.clear()
    _release.set()  # the launching thread ends: a worker it launched is closed by now
