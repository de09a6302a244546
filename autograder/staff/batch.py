"""``autograder grade-all DIR``: grade a class in parallel into a resumable SQLite gradebook.

DIR holds one folder per student, each laid out like ``assignments/`` (``alice/a1_perceptron/
perceptron.py``), or is nbgrader's ``submitted/<student>/<assignment>/`` tree (DIR is the
course root holding ``submitted/``, or ``submitted/`` itself).

Durability: the parent process is the gradebook's only writer. Each finished submission is
committed in its own transaction (WAL journal) the moment its grader reports, so a batch that
is killed loses at most the submissions in flight. One row per student holds the whole,
current result and, per assignment, the hash of its inputs (the assignment folder's files, the
kit's version, the reference solution). A rerun grades only the assignments whose inputs
changed (or that are not recorded yet) and keeps every other assignment's result, so a regrade
of one assignment never drops the others from the row or the feedback. A grading process that
raised or died (killed, out of memory) still leaves a row, status "error", with the reason.

Gradebook default: ``./gradebook.db`` (the directory you run the command from). A file of
that name that is not a Backprop Lab gradebook (e.g. nbgrader's) is refused, never touched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from autograder.errors import GradingError, NotGraded
from autograder.grade import SubmissionResult
from autograder.staff.gradebook import Gradebook, Row, export_csv, row_of
from autograder.staff.grading_task import (
    TASK_LIMIT_SECONDS,
    error_result,
    grade_one,
    grading_reply,
    overtime_reason,
    refuse_to_grade,
    resolve_reference,
)
from autograder.staff.layout import Submission, class_scope, content_hash, discover, known_layout

DEFAULT_GRADEBOOK = Path("gradebook.db")
"""Relative to the current directory: where the instructor runs the command, so that a
restart from the same place finds it. Pass --gradebook to keep it elsewhere."""

POLL_SECONDS = 1.0
"""How often the parent wakes without news to look for wedged processes: far below the
grace period, and cheap."""

def kit_identity(reference: str | None) -> str:
    """What every assignment's grade depends on besides the student's files: the kit's
    version and the reference solution's path and content (the hidden checks compare
    against it). A change of either makes every recorded assignment stale."""
    from autograder import __version__

    ref = content_hash(Path(reference)) if reference and Path(reference).is_dir() else ""
    return f"kit {__version__}; reference {reference or '-'} {ref}"


def assignment_hashes(sub: Submission, scope: list[str], kit: str) -> dict[str, str]:
    """Per assignment of ``scope``: sha256 of its folder's files and the kit identity (a
    folder the student did not hand in hashes as absent, so handing it in later counts)."""
    folders = {aid: folder for folder, aid in known_layout()[0].items()}
    hashes = {}
    for aid in scope:
        folder = sub.source / folders[aid]
        files = content_hash(folder) if folder.is_dir() else "absent"
        hashes[aid] = hashlib.sha256(f"{files}\0{kit}".encode()).hexdigest()
    return hashes


def stored_inputs(row: Row | None) -> dict[str, dict]:
    if row is None:
        return {}
    try:
        inputs = json.loads(row.content_hash)
    except ValueError:
        return {}
    return inputs if isinstance(inputs, dict) else {}


def stale_assignments(
    row: Row | None, hashes: dict[str, str], retry_errors: bool
) -> list[str]:
    """The assignments of ``hashes`` to grade again: never graded, inputs changed, a grader
    fault ("not graded"), or an error when ``retry_errors``."""
    inputs = stored_inputs(row)
    stale = []
    for aid, digest in hashes.items():
        known = inputs.get(aid)
        if (
            not isinstance(known, dict)
            or known.get("hash") != digest
            or str(known.get("reason", "")).startswith("not graded")
            or (retry_errors and known.get("status") == "error")
        ):
            stale.append(aid)
    return stale


def merged_row(
    sub: Submission,
    previous: Row | None,
    graded: list[str],
    hashes: dict[str, str],
    status: str,
    reason: str,
    result: SubmissionResult,
) -> Row:
    """The student's one row after grading ``graded``: those assignments from ``result``,
    every other from ``previous``, in assignment order; the status is "error" while any
    current assignment's grading failed, with that failure's reason."""
    inputs = stored_inputs(previous)
    kept = {a.id: a for a in previous.result().assignments} if previous else {}
    fresh = {a.id: a for a in result.assignments if a.id in graded}
    if len(fresh) < len(graded):  # the grader left one out: an error, never a silent 0
        missing = sorted(set(graded) - set(fresh))
        status, reason = "error", reason or f"no result for {', '.join(missing)} from the grader."
        fresh.update({a.id: a for a in error_result(sub, missing, reason).assignments})
    kept.update(fresh)
    for aid in graded:
        inputs[aid] = {"hash": hashes[aid], "status": status, "reason": reason}
    result.assignments = [kept[aid] for aid in sorted(kept)]
    result.submission = str(sub.source)
    if previous is not None:
        result.seconds = round(result.seconds + previous.result().seconds, 3)
    return row_of(
        Row(sub.student, "", str(sub.source), "", status, reason, 0, 0, 0, "", ""),
        result,
        {aid: inputs[aid] for aid in sorted(kept) if aid in inputs},
        datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
    )


# --------------------------------------------------------------------------- grading processes


def _child_main(conn, slot: int, grader: Callable[[str, list[str], int], dict]) -> None:
    """A grading process: receive (path, only), send ("ok", dict) or ("error", reason)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        path, only = job
        reply = grading_reply(grader, path, only, slot)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


class Slot:
    """One long-lived grading process with its own slot number (so sandbox uids differ)."""

    def __init__(self, number: int, grader: Callable, context) -> None:
        self.number = number
        self.grader = grader
        self.context = context
        self.job: Submission | None = None
        self.started = 0.0
        self._start()

    def _start(self) -> None:
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(
            target=_child_main, args=(child, self.number, self.grader), daemon=True
        )
        self.process.start()
        child.close()

    def submit(self, submission: Submission, only: list[str]) -> None:
        self.job, self.started = submission, time.monotonic()
        self.conn.send((str(submission.path), only))

    def restart(self) -> None:
        self.stop(kill=True)
        self._start()

    def stop(self, kill: bool = False) -> None:
        if kill and self.process.is_alive():
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        hint = " (killed: out of memory, or by hand)" if -exitcode == signal.SIGKILL else ""
        return f"the grading process died from {name}{hint}; no result."
    return f"the grading process exited with status {exitcode}; no result."


def run_pool(
    jobs: list[Submission],
    only: list[str] | Callable[[Submission], list[str]],
    n_slots: int,
    grader: Callable[[str, list[str], int], dict],
    on_done: Callable[[Submission, str, str, dict | None], None],
    budget_seconds: float = TASK_LIMIT_SECONDS,
) -> None:
    """Grade ``jobs`` on ``n_slots`` processes; call ``on_done(sub, status, reason, result)``
    in this process as each one finishes, in completion order. ``only`` is the assignments
    to grade, or a function giving each submission's own."""
    scope_of = only if callable(only) else (lambda sub: only)
    context = multiprocessing.get_context("spawn")  # no inherited threads or open gradebook
    queue = list(reversed(jobs))
    slots = [Slot(i, grader, context) for i in range(min(n_slots, len(jobs)))]
    try:
        for slot in slots:
            if queue:
                slot.submit(sub := queue.pop(), scope_of(sub))
        while any(slot.job for slot in slots):
            busy = [slot for slot in slots if slot.job]
            ready = multiprocessing.connection.wait(
                [s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=POLL_SECONDS
            )
            for slot in busy:
                finished = None
                if slot.conn in ready or slot.process.sentinel in ready:
                    dead = False
                    try:
                        if slot.conn.poll():  # a reply sent just before dying still counts
                            kind, payload = slot.conn.recv()
                            ok = kind == "ok"
                            finished = ("graded", "", payload) if ok else ("error", payload, None)
                    except (EOFError, OSError):
                        dead = True
                    if finished is None and (dead or not slot.process.is_alive()):
                        slot.process.join(timeout=5)
                        finished = ("error", _death_reason(slot.process.exitcode), None)
                        slot.restart()
                if finished is None and time.monotonic() - slot.started > budget_seconds:
                    finished = ("error", overtime_reason(budget_seconds), None)
                    slot.restart()
                if finished is None:
                    continue
                done, slot.job = slot.job, None
                assert done is not None
                on_done(done, *finished)
                if queue:
                    slot.submit(sub := queue.pop(), scope_of(sub))
    finally:
        for slot in slots:
            slot.stop(kill=slot.job is not None)


# --------------------------------------------------------------------------- the batch


@dataclass
class BatchSummary:
    """What a batch did, for the caller and the tests."""

    total: int
    skipped: int
    graded: int
    errors: int
    scope: list[str]
    layout: str


def _write_outputs(out_dir: Path, row: Row) -> None:
    """``out_dir/<student>/`` written afresh: results.json, feedback.md (with its SVG plot)
    and feedback.html; nothing of an earlier run is left beside them."""
    from autograder.report import write_feedback, write_results_json

    result = row.result()
    folder = out_dir / row.student
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    write_results_json(result, folder / "results.json")
    write_feedback(result, folder / "feedback.md")
    write_feedback(result, folder / "feedback.html")
    if row.status == "error":
        feedback = folder / "feedback.md"
        reason = row.reason.splitlines()[0] if row.reason else ""
        feedback.write_text(f"> Grading failed: {reason}\n\n" + feedback.read_text())


def run_batch(
    directory: Path,
    gradebook: Path,
    *,
    jobs: int = 1,
    only: list[str] | None = None,
    out_dir: Path | None = None,
    retry_errors: bool = False,
    progress: bool = True,
    grader: Callable[[str, list[str], int], dict] = grade_one,
    students: list[str] | None = None,
    reference: Path | str | None = None,
    runner: Callable | None = None,
) -> BatchSummary:
    """Grade every submission under ``directory`` not yet recorded with the same content.

    ``students`` limits the batch to those students (the scope still comes from the whole
    class, so their rows match everyone else's). The default grader's reference solution is
    resolved once, here, before anything is graded. ``runner`` grades the todo list as
    ``run_pool`` does (same arguments, same ``on_done``); default: ``run_pool`` with ``jobs``
    processes (grade-all --scheduler passes cluster.py's)."""
    reference_used = None
    if grader is grade_one:
        try:
            reference_used = resolve_reference(reference)
            grader = partial(grade_one, reference=reference_used)
        except NotGraded as error:  # every submission gets its error row, none a score
            grader = partial(refuse_to_grade, error.reason)
            reference_used = f"(none: {error.reason})"  # every recorded assignment stale
    with tempfile.TemporaryDirectory(prefix="backprop-lab-staging-") as staging:
        layout, submissions = discover(Path(directory), Path(staging))
        if not submissions:
            raise GradingError(f"{directory} holds no student folders.")
        scope = sorted(only) if only else class_scope(submissions)
        if students:
            unknown = sorted(set(students) - {s.student for s in submissions})
            if unknown:
                raise GradingError(
                    f"no submission under {directory} for student(s) {', '.join(unknown)}."
                )
            submissions = [s for s in submissions if s.student in students]
        if not scope:
            raise GradingError(f"no submission under {directory} holds an assignment folder.")
        book = Gradebook(gradebook)
        try:
            recorded = book.recorded()
            kit = kit_identity(reference_used)
            todo, hashes, stale = [], {}, {}
            for sub in submissions:
                hashes[sub.student] = assignment_hashes(sub, scope, kit)
                stale[sub.student] = stale_assignments(
                    recorded.get(sub.student), hashes[sub.student], retry_errors
                )
                if stale[sub.student]:
                    todo.append(sub)
            summary = BatchSummary(
                len(submissions), len(submissions) - len(todo), 0, 0, scope, layout
            )
            bar = _progress_bar(len(submissions), summary, progress)

            def on_done(sub: Submission, status: str, reason: str, data: dict | None) -> None:
                result = None
                if data is not None:
                    try:
                        result = SubmissionResult.from_dict(data)
                    except (KeyError, TypeError, ValueError) as error:
                        status, reason = "error", f"unreadable result from the grader: {error!r}"
                graded = stale[sub.student]
                if result is None:
                    result = error_result(sub, graded, reason)
                row = merged_row(
                    sub, recorded.get(sub.student), graded, hashes[sub.student], status, reason,
                    result,
                )
                book.record(row)
                if out_dir:
                    _write_outputs(Path(out_dir), row)
                summary.graded += 1
                summary.errors += status == "error"
                if bar:
                    bar.set_postfix(
                        graded=summary.graded, errors=summary.errors, skipped=summary.skipped
                    )
                    bar.update(1)

            try:
                (runner or run_pool)(
                    todo, lambda sub: stale[sub.student], max(1, jobs), grader, on_done
                )
            finally:
                if bar:
                    bar.close()
            if out_dir:  # outputs of students recorded by an earlier, interrupted run
                for row in book.rows():
                    if students and row.student not in students:
                        continue
                    if not (Path(out_dir) / row.student / "results.json").exists():
                        _write_outputs(Path(out_dir), row)
        finally:
            book.close()
    return summary


def _progress_bar(total: int, summary: BatchSummary, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        initial=summary.skipped,
        file=sys.stderr,
        unit="sub",
        desc="grading",
        dynamic_ncols=True,
    )
    bar.set_postfix(graded=0, errors=0, skipped=summary.skipped)
    return bar


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", help="per-student folders, or an nbgrader course")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="grading processes in parallel")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the Dask cluster of this scheduler (tcp://host:8786; docs/SCALE.md)",
    )
    parser.add_argument(
        "--local-cluster",
        type=int,
        metavar="N",
        help="grade on a Dask LocalCluster of N worker processes on this machine (127.0.0.1)",
    )
    parser.add_argument(
        "--gradebook",
        type=Path,
        default=DEFAULT_GRADEBOOK,
        help=f"SQLite gradebook (default: ./{DEFAULT_GRADEBOOK}); rerun with it to resume",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="write <student>/results.json, feedback.md and feedback.html here (afresh)",
    )
    parser.add_argument(
        "--csv", type=Path, help="after grading, export the batch's students and assignments here"
    )
    parser.add_argument(
        "--export-csv",
        type=Path,
        metavar="FILE",
        help="only export the gradebook to FILE (scoped by --assignment/--student); no grading",
    )
    parser.add_argument(
        "--export-lms",
        nargs=2,
        metavar=("FORMAT", "FILE"),
        help="after grading (or with no DIRECTORY: only), write the LMS import CSV"
        " (canvas or moodle; needs --roster)",
    )
    parser.add_argument("--roster", type=Path, help="CSV mapping students to the LMS (export-lms)")
    parser.add_argument(
        "--assignment", action="append", metavar="aN", help="grade this assignment (repeatable)"
    )
    parser.add_argument(
        "--student", action="append", metavar="NAME", help="only this student (repeatable)"
    )
    parser.add_argument(
        "--reference",
        type=Path,
        metavar="DIR",
        help="the reference solution (default: $BACKPROP_LAB_REFERENCE or this checkout's)",
    )
    parser.add_argument(
        "--retry-errors", action="store_true", help="regrade rows with status error"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from autograder.cli import require_writable
    from autograder.staff.git_guard import warn_if_unignored

    if args.export_lms:
        from autograder.staff import lms

        if args.export_lms[0] not in lms.FORMATS:
            raise GradingError(f"--export-lms {args.export_lms[0]}: canvas or moodle.")
        if not args.roster:
            raise GradingError("--export-lms needs --roster ROSTER.csv (student -> LMS ids).")
        require_writable("--export-lms", args.export_lms[1])
        lms.read_roster(args.roster, args.export_lms[0])  # a bad roster fails before grading
    if args.export_lms and not args.directory:
        _export_lms(args, args.assignment)
        return 0
    if args.export_csv:
        require_writable("--export-csv", args.export_csv)
        warn_if_unignored("--export-csv", args.export_csv)
        n = export_csv(args.gradebook, args.export_csv, args.assignment, args.student)
        print(f"{n} students exported from {args.gradebook} to {args.export_csv}")
        return 0
    if not args.directory:
        raise GradingError("grade-all needs a DIRECTORY of submissions (or --export-csv FILE).")
    if args.jobs < 1:
        raise GradingError("--jobs must be at least 1.")
    runner = cluster_runner(args)
    for option, path in (("--csv", args.csv), ("--gradebook", args.gradebook)):
        if path:
            require_writable(option, path)
    if args.out:
        require_writable("--out", args.out, directory=True)
    for option, path, directory in (("DIRECTORY", args.directory, True),
                                    ("--out", args.out, True), ("--csv", args.csv, False),
                                    ("--gradebook", args.gradebook, False)):
        if path:
            warn_if_unignored(option, path, directory)
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _terminate)  # clean up the grading processes on `kill`
    try:
        summary = run_batch(
            Path(args.directory),
            args.gradebook,
            jobs=args.jobs,
            only=args.assignment,
            out_dir=args.out,
            retry_errors=args.retry_errors,
            progress=not args.no_progress,
            students=args.student,
            reference=args.reference,
            runner=runner,
        )
    finally:
        if runner is not None:
            runner.close()
    print(
        f"{summary.total} submissions ({summary.layout} layout,"
        f" assignments {','.join(summary.scope)}): {summary.graded} graded now"
        f" ({summary.errors} errors), {summary.skipped} already recorded;"
        f" {time.monotonic() - started:.1f} s. Gradebook: {args.gradebook}"
    )
    if args.csv:
        n = export_csv(args.gradebook, args.csv, summary.scope, args.student)
        print(f"Class table ({n} students): {args.csv}")
    if args.export_lms:
        _export_lms(args, summary.scope)
    try:
        resolve_reference(args.reference)
    except NotGraded as error:  # every submission got an error row; the batch says why once
        print(f"autograder: {error}", file=sys.stderr)
        return NotGraded.EXIT_STATUS
    return 0


CLUSTER_HINT = "pip install 'backprop-lab[cluster]'"


def cluster_runner(args: argparse.Namespace):
    """cluster.ClusterRunner for --scheduler / --local-cluster (None: --jobs processes)."""
    scheduler, local = getattr(args, "scheduler", None), getattr(args, "local_cluster", None)
    if scheduler is None and local is None:
        return None
    option = "--scheduler" if scheduler is not None else "--local-cluster"
    if scheduler is not None and local is not None:
        raise GradingError("--scheduler and --local-cluster: choose one.")
    if args.jobs != 1:
        raise GradingError(f"--jobs and {option}: choose one (the cluster's workers grade).")
    if local is not None and local < 1:
        raise GradingError("--local-cluster must be at least 1.")
    if scheduler is not None and not scheduler.strip():
        raise GradingError("--scheduler needs an address, e.g. tcp://SCHEDULER-HOST:8786.")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise GradingError(f"{option} needs Dask distributed: {CLUSTER_HINT}") from None
    from autograder.staff.cluster import ClusterRunner

    return ClusterRunner(scheduler=scheduler, local_workers=local)


def _export_lms(args: argparse.Namespace, scope: list[str] | None) -> None:
    from autograder.staff import lms

    fmt, out = args.export_lms
    n, missing, not_graded = lms.export(args.gradebook, args.roster, fmt, Path(out), scope)
    lms.report(n, missing, not_graded, fmt, Path(out))

