"""``grade-all --scheduler ADDRESS`` / ``--local-cluster N``: a batch's gradings on Dask.

The coordinator (the process running grade-all) keeps all of batch.py's work: discovery,
the hashes, the SQLite gradebook (one transaction per result, the moment it arrives, so a
killed coordinator resumes as with --jobs), the outputs and the CSV. Only the grading moves:
every submission is one Dask task, pulled by whichever worker is free (a small window in
flight, never the class pre-assigned), and graded there by the same
sandboxed ``grade_submission`` as --jobs.

- No shared filesystem: the coordinator stages each submission through the intake (its
  limits, its notes) and sends the copy as bytes; the worker answers in JSON text.
- Once per worker, also one restarted mid-batch (a WorkerPlugin): the reference solution
  arrives as bytes into a root-only (0700) folder, the worker measures its sandbox with the
  kit's own probe, and it takes grading tasks (the ``backprop-lab`` resource) only when its
  kit and hypothesis versions are the coordinator's and the probe could not read the
  reference. Every refused worker is named; no usable worker is NotGraded.
- Faults: a task whose worker dies runs once more elsewhere (the scheduler's
  ``allowed-failures`` is 1, so the second death is KilledWorker) and ``retries=1`` reruns
  a task that raised; then it is an error row with the reason. A task not done within
  run_pool's limit is cancelled, its worker restarted, and recorded with run_pool's words:
  the coordinator never waits on a task without bound. One row per student.
- A worker joining or restarting mid-batch is vetted by the same plugin, which reports on
  the event topic TOPIC; a refused one is named on stderr between results.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath

from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, wait
from distributed.core import Status

import autograder
from autograder.errors import GradingError, NotGraded
from autograder.isolation import intake
from autograder.staff.grading_task import (
    TASK_LIMIT_SECONDS,
    grade_one,
    grading_reply,
    overtime_reason,
)
from autograder.staff.layout import known_layout

RESOURCE = "backprop-lab"
"""The Dask resource a vetted worker advertises (1: one grading per worker process at a
time; hypothesis and the sandbox slots are not meant to share a process between threads)."""

PLUGIN_NAME = "backprop-lab-grading"
COMPARED = ("kit", "hypothesis")
"""What must equal the coordinator's: the kit (checks, catalogue) and hypothesis (the
examples drawn depend on its version), so a grade never depends on the worker it ran on."""

CONNECT_TIMEOUT_S = 30.0
WORKER_WAIT_S = 60.0
"""How long --scheduler waits for a first worker to join before giving up."""

IN_FLIGHT_PER_WORKER = 1
"""Tasks submitted per usable worker at a time. One: a task waiting behind another on a
worker that dies counts as suspicious too (Dask's rule), and would fail innocently; the next
task is sent the moment one finishes (a few ms against seconds of grading). A packed
submission exists only while in flight: a class of 50,000 never sits in memory."""

ALLOWED_FAILURES = 1
"""Worker deaths a task survives: rerun once elsewhere, the second death is KilledWorker
(--local-cluster sets it; a scheduler of your own: distributed.scheduler.allowed-failures)."""

RESULT_WAIT_S = 60.0
"""How long a finished future may take to hand over its result."""

POLL_SECONDS = 1.0
"""How often the coordinator wakes without news: to stop overdue tasks and to hear of
workers that joined mid-batch."""

TOPIC = "backprop-lab-workers"
"""The Dask event topic a worker's setup reports on (the coordinator reads it mid-batch)."""

MAX_REPLY_BYTES = 64 * 1024 * 1024
"""Largest JSON reply accepted from a worker (a full result with its plots is ~1 MiB)."""

RANDOM_FALSE_ALARM = "Do not use the `random` module inside strategies"

_state: dict | None = None
"""This worker process's setup (set by GradingSetup): its report and its reference copy."""


# --------------------------------------------------------------------------- files as bytes


def pack(directory: Path, folders: list[str]) -> dict:
    """The intake's copy of ``directory/<folder>`` for ``folders``, as plain data: dirs (list),
    files (relative path -> bytes) and the intake's notes per folder."""
    with tempfile.TemporaryDirectory(prefix="bplab-pack-") as tmp:
        report = intake.stage(Path(directory), Path(tmp), folders)
        dirs, files = [], {}
        for here, subdirs, names in os.walk(tmp):
            subdirs.sort()
            rel = Path(here).relative_to(tmp)
            if rel.parts:
                dirs.append(rel.as_posix())
            for name in sorted(names):
                files[(rel / name).as_posix()] = Path(here, name).read_bytes()
    notes = {f: report.notes_for(f) for f in folders if report.notes_for(f)}
    return {"dirs": dirs, "files": files, "notes": notes}


def _inside(root: Path, rel: str) -> Path:
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise GradingError(f"a packed path escapes its folder: {rel!r}")
    return root.joinpath(*parts)


def unpack(package: dict, root: Path, private: bool = False) -> Path:
    """Write a ``pack`` into ``root`` (0700 folders and 0600 files when ``private``)."""
    dir_mode, file_mode = (0o700, 0o600) if private else (0o755, 0o644)
    root.mkdir(mode=dir_mode, parents=True, exist_ok=True)
    os.chmod(root, dir_mode)
    for rel in package["dirs"]:
        _inside(root, rel).mkdir(mode=dir_mode, parents=True, exist_ok=True)
    for rel, data in package["files"].items():
        target = _inside(root, rel)
        target.parent.mkdir(mode=dir_mode, parents=True, exist_ok=True)
        target.write_bytes(data)
        os.chmod(target, file_mode)
    return root


def folders_of(assignments: list[str]) -> list[str]:
    by_id = {aid: folder for folder, aid in known_layout()[0].items()}
    return [by_id[aid] for aid in assignments if aid in by_id]


# --------------------------------------------------------------------------- on a worker


def identity() -> dict:
    """What this process grades with (read at call time)."""
    import hypothesis
    import numpy

    return {"kit": autograder.__version__, "hypothesis": hypothesis.__version__,
            "numpy": numpy.__version__, "python": platform.python_version(),
            "host": platform.node()}


def differences(report: dict, expected: dict) -> list[str]:
    return [f"{key} {report.get(key)} here, {expected[key]} on the coordinator"
            for key in COMPARED if report.get(key) != expected.get(key)]


def probe(reference: str | None) -> str:
    """The isolation a fresh sandboxed worker measures here, with ``reference`` the one in
    use (the probe reads for it); NotGraded (SandboxExposed) when it could read it."""
    from autograder.isolation.worker import Worker, WorkerFault
    from autograder.staff.context import staff_context

    context = staff_context(reference) if reference else None  # the probe reads its reference
    with tempfile.TemporaryDirectory(prefix="bplab-probe-") as tmp:
        try:
            with Worker(Path(tmp), guard=reference is not None, context=context) as worker:
                worker.start()
                return worker.isolation
        except WorkerFault as fault:
            raise NotGraded(f"its sandbox does not start: {fault}") from None


def prepare(expected: dict, reference: dict | None, origin: str | None,
            scratch: str | None = None) -> dict:
    """A worker's setup: its report (usable or why not) and its private reference copy,
    in ``scratch`` (the Dask worker's own directory, purged by Dask after a crash)."""
    state = {"report": {**identity(), "usable": False, "refused": "", "isolation": ""},
             "reference": None, "origin": origin}
    report = state["report"]
    differ = differences(report, expected)
    if differ:
        report["refused"] = "differs from the coordinator: " + "; ".join(differ)
        return state
    if reference is not None:
        local = Path(tempfile.mkdtemp(prefix="bplab-reference-", dir=scratch))  # 0700
        unpack(reference, local, private=True)
        state["reference"] = str(local.resolve())
    try:
        report["isolation"] = probe(state["reference"])
    except NotGraded as error:
        report["refused"] = f"cannot hide the reference: {error.reason}"
        return state
    except Exception as error:  # noqa: BLE001 -- a broken worker is refused, not fatal
        report["refused"] = f"its probe raised {type(error).__name__}: {error}"
        return state
    report["usable"] = True
    return state


class GradingSetup(WorkerPlugin):
    """Sent to every worker once (the scheduler keeps it for workers that join later).

    The worker is paused while it sets up and resumed after: the scheduler sends a
    resource-restricted task left with no worker ("no-worker", e.g. after its workers died)
    to a worker only when one joins or turns running, never when one gains the resource
    (Worker.set_resources), so without the resume such a task would wait forever."""

    name = PLUGIN_NAME

    def __init__(self, expected: dict, reference: dict | None, origin: str | None,
                 batch: str = ""):
        self.expected, self.reference, self.origin = expected, reference, origin
        self.batch = batch

    async def setup(self, worker) -> None:
        global _state
        resume = worker.status == Status.running
        if resume:
            worker.status = Status.paused
        loop = asyncio.get_running_loop()
        try:
            state = await loop.run_in_executor(
                None, prepare, self.expected, self.reference, self.origin,
                getattr(worker, "local_directory", None),
            )
        except Exception as error:  # noqa: BLE001 -- refused, with the reason, never fatal
            state = {"report": {"usable": False, "refused": f"its setup raised"
                                f" {type(error).__name__}: {error}"}, "reference": None}
        state["report"]["address"] = worker.address
        _state = state
        try:  # 0 when refused: a resource left by an earlier batch's vetting is withdrawn
            await worker.set_resources(**{RESOURCE: 1 if state["report"]["usable"] else 0})
        finally:
            if resume and worker.status == Status.paused:
                worker.status = Status.running  # the scheduler now places waiting tasks here
        worker.log_event(TOPIC, {"batch": self.batch, **_plain(state["report"])})

    def teardown(self, worker) -> None:
        if _state and _state.get("reference"):
            shutil.rmtree(_state["reference"], ignore_errors=True)


def _plain(report: dict) -> dict:
    return {str(k): v if isinstance(v, (str, int, float, bool)) else str(v)
            for k, v in report.items()}


def worker_report() -> dict:
    """Run on every worker by the coordinator (Client.run)."""
    if _state is None:
        return {"usable": False, "refused": "not set up (the backprop-lab plugin did not run)"}
    return dict(_state["report"])


def grade_here(path: str, only: list[str], slot: int, reference: str | None = None,
               notes: dict | None = None) -> dict:
    """grading_task.grade_one on this worker's reference copy, with the intake's notes
    the coordinator sent."""
    from autograder.grade import grade_submission
    from autograder.staff.context import staff_context

    return grade_submission(Path(path), staff_context(reference), only=only, slot=slot,
                            intake_notes=notes).to_dict()


def grade_task(package: dict, only: list[str], grader: Callable | None = None) -> str:
    """One submission, graded on this worker: JSON text {"kind": "ok"|"error", "payload"}."""
    state = _state
    if state is None or not state["report"]["usable"]:  # never graded on a refused worker
        raise RuntimeError("this Dask worker is not set up for grading (refused or no plugin)")
    if grader is None:
        grader = partial(grade_here, reference=state["reference"], notes=package["notes"])
    with tempfile.TemporaryDirectory(prefix="bplab-task-") as tmp, warnings.catch_warnings():
        # The worker's own threads (heartbeats) use the random module while hypothesis draws
        # examples; hypothesis then blames the strategies. Its examples do not depend on it
        # (derandomized: the grades equal --jobs 1's), so the false alarm is silenced here.
        warnings.filterwarnings("ignore", message=RANDOM_FALSE_ALARM)
        path = unpack(package, Path(tmp) / "submission")
        kind, payload = grading_reply(grader, str(path), only, 0)
    if kind == "ok" and isinstance(payload, dict) and state["reference"]:
        if payload.get("reference") == state["reference"]:  # the coordinator's, by content
            payload = {**payload, "reference": state["origin"]}
    return json.dumps({"kind": kind, "payload": payload})


# --------------------------------------------------------------------------- the coordinator


def parse_reply(text: object) -> tuple[str, str, dict | None]:
    """(status, reason, result dict) from a worker's reply, which is checked, not trusted."""
    if not isinstance(text, str) or len(text) > MAX_REPLY_BYTES:
        return "error", "unreadable reply from the Dask worker (not JSON text, or too large).", None
    try:
        reply = json.loads(text)
    except ValueError as error:
        return "error", f"unreadable reply from the Dask worker: {error}", None
    kind = reply.get("kind") if isinstance(reply, dict) else None
    payload = reply.get("payload") if isinstance(reply, dict) else None
    if kind == "ok" and isinstance(payload, dict):
        return "graded", "", payload
    if kind == "error" and isinstance(payload, str):
        return "error", payload, None
    return "error", "unreadable reply from the Dask worker (no kind and payload).", None


def outcome(future) -> tuple[str, str, dict | None]:
    """What a finished task means for its row."""
    try:
        return parse_reply(future.result(timeout=RESULT_WAIT_S))
    except (TimeoutError, asyncio.TimeoutError):  # seen after KilledWorker: never a hang
        return "error", "the Dask scheduler reported the task done but sent no result.", None
    except KilledWorker as error:
        return ("error", f"the Dask worker grading it died, {error.allowed_failures + 1} times"
                " (killed, out of memory, or its node lost); no result.", None)
    except (asyncio.CancelledError, concurrent.futures.CancelledError):
        raise GradingError("the Dask scheduler cancelled the batch's tasks (lost, or"
                           " restarted); rerun the command to resume.") from None
    except Exception as error:  # noqa: BLE001 -- raised on a worker, then again on retry
        return "error", f"grading raised {type(error).__name__} on a Dask worker: {error}", None


def vet(client: Client, expected: dict, reference: str | None, batch: str = "") -> dict:
    """Set every worker up, say which ones are refused and why; every worker's report by
    address (NotGraded when none is usable)."""
    package = pack(Path(reference), folders_of(sorted(known_layout()[0].values()))) \
        if reference else None
    client.register_plugin(GradingSetup(expected, package, reference, batch))
    reports = client.run(worker_report)
    usable = [r for r in reports.values() if r.get("usable")]
    refused = {a: r.get("refused", "?") for a, r in sorted(reports.items())
               if not r.get("usable")}
    for address, why in refused.items():
        print(f"autograder: Dask worker {address} refused: {why}", file=sys.stderr)
    if not usable:
        raise NotGraded(f"no usable Dask worker ({len(refused)} refused:"
                        f" {'; '.join(refused.values()) or 'none connected'}).")
    retried = client.run_on_scheduler(_allowed_failures)
    if retried != ALLOWED_FAILURES:
        print(f"autograder: note: this scheduler reruns a task after {retried} worker deaths"
              f" (distributed.scheduler.allowed-failures; the kit's choice is"
              f" {ALLOWED_FAILURES})", file=sys.stderr)
    isolation = sorted({r.get("isolation", "") for r in usable})
    print(f"autograder: grading on {len(usable)} Dask worker(s), isolation"
          f" {', '.join(isolation)}", file=sys.stderr)
    return reports


def _allowed_failures(dask_scheduler=None) -> int:
    return dask_scheduler.allowed_failures


class Joiners:
    """The workers whose setup reported after the vetting (joined or restarted mid-batch):
    read from the setup's events between results; a refused one is named on stderr as at
    the vetting, a usable one widens the window of tasks in flight."""

    def __init__(self, client: Client, batch: str, reports: dict):
        self.client, self.batch = client, batch
        self.seen = {a for a, r in reports.items() if "address" in r}  # set up (not mid-way)
        self.usable = {a for a, r in reports.items() if r.get("usable")}

    def poll(self) -> None:
        try:
            events = self.client.get_events(TOPIC)
        except Exception:  # noqa: BLE001 -- news of joiners is not worth stopping the batch
            return
        for _, report in events:
            if not isinstance(report, dict) or report.get("batch") != self.batch:
                continue
            address = str(report.get("address", "?"))
            if address in self.seen:
                continue
            self.seen.add(address)
            if report.get("usable"):
                self.usable.add(address)
            else:
                print(f"autograder: Dask worker {address} refused (joined mid-batch):"
                      f" {report.get('refused', '?')}", file=sys.stderr)

    def window(self) -> int:
        """Tasks to keep in flight: one per usable worker still connected (at least one)."""
        try:
            alive = set(self.client.nthreads())
        except Exception:  # noqa: BLE001
            alive = self.usable
        return max(1, IN_FLIGHT_PER_WORKER * len(self.usable & alive))


def _finished(futures: list, seconds: float) -> list:
    """The futures of ``futures`` done within ``seconds`` (none: an empty list)."""
    try:
        done, _ = wait(futures, timeout=seconds, return_when="FIRST_COMPLETED")
    except (TimeoutError, asyncio.TimeoutError):
        return []
    return list(done)


def stop_overdue(client: Client, future, limit: float) -> str:
    """Cancel the task of ``future`` that outlived ``limit``; restart the worker grading it (in
    the background: a wedged grading ends with its process, as a --jobs slot's does). The
    reason for its row."""
    holders = [w for w, keys in client.processing().items() if future.key in keys]
    client.cancel([future], force=True)
    if not holders:
        return (f"no Dask worker took the task within {limit:.0f} s (none free, or every"
                " one lost); not graded.")
    threading.Thread(target=_restart, args=(client, holders), daemon=True).start()
    return overtime_reason(limit)


def _restart(client: Client, workers: list) -> None:
    try:
        client.restart_workers(workers, raise_for_error=False)
    except Exception:  # noqa: BLE001 -- a worker without a nanny stays busy until it ends
        pass


def grade_on(client: Client, jobs: list, scope_of: Callable, grader: Callable,
             on_done: Callable, limit: float = TASK_LIMIT_SECONDS) -> None:
    """batch.run_pool's contract on Dask: ``on_done(sub, status, reason, result)`` here, in
    completion order, exactly once per submission. A task not done ``limit`` seconds after
    it was sent is stopped and recorded as an error (run_pool's limit and words): the batch
    never waits on a task without bound."""
    reference = None
    if isinstance(grader, partial) and grader.func is grade_one:
        reference = grader.keywords.get("reference")
    expected = {k: v for k, v in identity().items() if k in COMPARED}
    batch_id = uuid.uuid4().hex[:12]
    joiners = Joiners(client, batch_id, vet(client, expected, reference, batch_id))
    remote = None if reference else grader  # the default grader runs on the worker's copy
    queue = list(reversed(jobs))
    pending: dict[str, tuple] = {}  # key -> (submission, future, monotonic time sent)
    submitted = 0

    def submit() -> None:
        nonlocal submitted
        sub = queue.pop()
        only = scope_of(sub)
        future = client.submit(
            grade_task, pack(sub.path, folders_of(only)), only, remote,
            key=f"bplab-{batch_id}-{submitted}", pure=False, retries=1,
            resources={RESOURCE: 1},
        )
        submitted += 1
        pending[future.key] = (sub, future, time.monotonic())

    try:
        while queue or pending:
            while queue and len(pending) < joiners.window():
                submit()
            for future in _finished([f for _, f, _ in pending.values()], POLL_SECONDS):
                sub, _, _ = pending.pop(future.key)
                result = outcome(future)
                future.release()
                on_done(sub, *result)
            now = time.monotonic()
            for key in [k for k, (_, _, sent) in pending.items() if now - sent > limit]:
                sub, future, _ = pending.pop(key)
                reason = stop_overdue(client, future, limit)
                future.release()
                on_done(sub, "error", reason, None)
            joiners.poll()
    finally:
        for _, future, _ in pending.values():
            future.cancel()


class ClusterRunner:
    """The ``runner`` of batch.run_batch: connects (or starts the LocalCluster) on first use."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None,
                 limit_seconds: float = TASK_LIMIT_SECONDS):
        self.scheduler, self.local_workers = scheduler, local_workers
        self.limit_seconds = limit_seconds
        self.cluster = self.client = None

    def __call__(self, jobs: list, only, n_slots: int, grader: Callable,
                 on_done: Callable) -> None:
        if not jobs:
            return
        scope_of = only if callable(only) else (lambda sub: only)
        grade_on(self.connect(), jobs, scope_of, grader, on_done, self.limit_seconds)

    def connect(self) -> Client:
        if self.client is not None:
            return self.client
        if self.local_workers:
            self.cluster = LocalCluster(
                n_workers=self.local_workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None,
                scheduler_kwargs={"allowed_failures": ALLOWED_FAILURES}, silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            return self.client
        try:
            self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as error:
            raise GradingError(f"--scheduler {self.scheduler}: cannot connect ({error}).") \
                from None
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except (TimeoutError, asyncio.TimeoutError):
            raise NotGraded(f"no Dask worker joined the scheduler {self.scheduler} within"
                            f" {WORKER_WAIT_S:.0f} s.") from None
        return self.client

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None
