"""``grade-all --scheduler ADDRESS`` / ``--local-cluster N``: a batch's gradings on Dask.

The coordinator (the process running grade-all) keeps all of batch.py's work: discovery,
the hashes, the SQLite gradebook (one transaction per result, the moment it arrives, so a
killed coordinator resumes as with --jobs), the outputs and the CSV. Only the grading moves:
every submission is one Dask task, pulled by whichever worker is free (``as_completed``
with a small window in flight, never the class pre-assigned), and graded there by the same
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
  a task that raised; then it is an error row with the reason. One row per student.
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
import uuid
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath

from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, as_completed

import autograder
from autograder.errors import GradingError, NotGraded
from autograder.isolation import intake
from autograder.staff.grading_task import grade_one, grading_reply
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
"""How long a future as_completed yielded may take to hand over its result."""

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
    """Sent to every worker once (the scheduler keeps it for workers that join later)."""

    name = PLUGIN_NAME

    def __init__(self, expected: dict, reference: dict | None, origin: str | None):
        self.expected, self.reference, self.origin = expected, reference, origin

    async def setup(self, worker) -> None:
        global _state
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
        if state["report"]["usable"]:
            await worker.set_resources(**{RESOURCE: 1})

    def teardown(self, worker) -> None:
        if _state and _state.get("reference"):
            shutil.rmtree(_state["reference"], ignore_errors=True)


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


def vet(client: Client, expected: dict, reference: str | None) -> int:
    """Set every worker up, say which ones are refused and why; the usable count (NotGraded
    when there is none)."""
    package = pack(Path(reference), folders_of(sorted(known_layout()[0].values()))) \
        if reference else None
    client.register_plugin(GradingSetup(expected, package, reference))
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
    return len(usable)


def _allowed_failures(dask_scheduler=None) -> int:
    return dask_scheduler.allowed_failures


def grade_on(client: Client, jobs: list, scope_of: Callable, grader: Callable,
             on_done: Callable) -> None:
    """batch.run_pool's contract on Dask: ``on_done(sub, status, reason, result)`` here, in
    completion order, exactly once per submission."""
    reference = None
    if isinstance(grader, partial) and grader.func is grade_one:
        reference = grader.keywords.get("reference")
    expected = {k: v for k, v in identity().items() if k in COMPARED}
    usable = vet(client, expected, reference)
    remote = None if reference else grader  # the default grader runs on the worker's copy
    batch_id = uuid.uuid4().hex[:12]
    queue = list(reversed(jobs))
    pending: dict[str, object] = {}

    def submit(number: int):
        sub = queue.pop()
        only = scope_of(sub)
        future = client.submit(
            grade_task, pack(sub.path, folders_of(only)), only, remote,
            key=f"bplab-{batch_id}-{number}", pure=False, retries=1,
            resources={RESOURCE: 1},
        )
        pending[future.key] = sub
        return future

    submitted = 0
    first = []
    while queue and submitted < IN_FLIGHT_PER_WORKER * usable:
        first.append(submit(submitted))
        submitted += 1
    done = as_completed(first)
    try:
        for future in done:
            sub = pending.pop(future.key)
            result = outcome(future)
            future.release()
            if queue:
                done.add(submit(submitted))
                submitted += 1
            on_done(sub, *result)
    finally:
        for future in done.futures:
            future.cancel()


class ClusterRunner:
    """The ``runner`` of batch.run_batch: connects (or starts the LocalCluster) on first use."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None):
        self.scheduler, self.local_workers = scheduler, local_workers
        self.cluster = self.client = None

    def __call__(self, jobs: list, only, n_slots: int, grader: Callable,
                 on_done: Callable) -> None:
        if not jobs:
            return
        scope_of = only if callable(only) else (lambda sub: only)
        grade_on(self.connect(), jobs, scope_of, grader, on_done)

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
