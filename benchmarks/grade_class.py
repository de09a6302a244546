"""Batch grading: `autograder grade-all` over a generated class: --jobs 1, --jobs 2, and
--local-cluster 2 (Dask, when installed) beside --jobs 2.

The class: N students (default 200), every other one a copy of the reference, the rest the
corpus entries (tests/corpus/buggy and alternative, via autograder/staff/corpus.py) in turn,
one per assignment, for the assignments chosen (default: all four, full submissions; a
buggy student has one corpus entry in each). Each run uses a fresh gradebook. Reported: wall
time, submissions per minute, speed-up of --jobs 2 over --jobs 1. A full submission takes
~10 s of grading on one core: 200 of them ~35 min at --jobs 1; pass --students 20 for a
quick figure.

Then, with Dask installed, --local-cluster N: its wall time over that of --jobs N (start-up
and vetting included).

Run: python benchmarks/grade_class.py [--students 200] [--assignment aN ...] [--jobs 1 2]
     [--local-cluster 2] (--local-cluster 0: none)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

from autograder.staff import corpus

REFERENCE = _common.REPO_ROOT / "reference_solution"
CORPUS = _common.REPO_ROOT / "tests" / "corpus"
SUMMARY = re.compile(r"(\d+) graded now \((\d+) errors\)")


def make_class(out: Path, students: int, folders: list[str]) -> dict[str, int]:
    """Write out/<student>/<folder>/ for each student; return how many of each kind."""
    pool = {folder: [e for sub in ("buggy", "alternative")
                     for e in corpus.entries(CORPUS / sub) if e.folder == folder]
            for folder in folders}
    kinds = {"reference": 0, "corpus": 0}
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(students):
            student = out / f"student{i:03d}"
            for folder in folders:
                entries = pool[folder]
                if i % 2 == 0 or not entries:
                    shutil.copytree(REFERENCE / folder, student / folder,
                                    ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
                else:
                    entry = entries[(i // 2) % len(entries)]
                    built = corpus.materialize(entry, REFERENCE, Path(scratch) / f"{i}")
                    shutil.copytree(built / folder, student / folder)
            kinds["reference" if i % 2 == 0 else "corpus"] += 1
    return kinds


def grade_all(directory: Path, mode: list[str], only: list[str],
              book: Path) -> tuple[float, int, int]:
    """(wall seconds, graded, errors) of one `autograder grade-all` run; ``mode`` is
    ["--jobs", "2"] or ["--local-cluster", "2"]."""
    args = [sys.executable, "-m", "autograder", "grade-all", str(directory), *mode,
            "--gradebook", str(book), "--no-progress"]
    for a in only:
        args += ["--assignment", a]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=_common.REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    match = SUMMARY.search(done.stdout)
    if done.returncode != 0 or not match:
        raise RuntimeError(f"grade-all failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds, int(match.group(1)), int(match.group(2))


def _spin(seconds_of_work: int) -> None:
    total = 0
    for i in range(seconds_of_work * 10_000_000):
        total += i


def available_parallelism(work: int = 1) -> float:
    """Speed-up of 2 processes over 1 on a pure-CPU loop right now: the ceiling for --jobs 2
    on this (shared) machine. 1 loop twice in a row vs 2 loops at once."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    for _ in range(2):
        p = context.Process(target=_spin, args=(work,))
        p.start()
        p.join()
    serial = time.perf_counter() - started
    started = time.perf_counter()
    procs = [context.Process(target=_spin, args=(work,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return serial / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--assignment", action="append", metavar="aN",
                        help="assignments to grade (default: all four)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--local-cluster", type=int, default=2, metavar="N",
                        help="also grade on a Dask LocalCluster of N workers (0: not)")
    args = parser.parse_args(argv)
    modes = [["--jobs", str(j)] for j in args.jobs]
    if args.local_cluster:
        try:
            import distributed  # noqa: F401
            modes.append(["--local-cluster", str(args.local_cluster)])
        except ImportError:
            print("(no --local-cluster column: pip install 'backprop-lab[cluster]')")
    from autograder.checks import suite

    only = args.assignment or [s.assignment.id for s in suite(include_hidden=False)]
    folders = [s.assignment.folder for s in suite(include_hidden=False)
               if s.assignment.id in only]
    print(_common.machine_header())
    with tempfile.TemporaryDirectory(prefix="bplab-bench-class-") as tmp:
        klass = Path(tmp) / "class"
        kinds = make_class(klass, args.students, folders)
        print(f"class: {args.students} submissions of {only} ({kinds['reference']} reference"
              f" copies, {kinds['corpus']} corpus buggy/alternative); fresh gradebook per run\n")
        rows, first, walls = [], None, {}
        for n, mode in enumerate(modes):
            ceiling = available_parallelism()
            seconds, graded, errors = grade_all(klass, mode, only, Path(tmp) / f"book{n}.db")
            first = first or seconds
            walls[tuple(mode)] = seconds
            rows.append([" ".join(mode), f"{seconds:.1f}", f"{graded}", f"{errors}",
                         f"{graded / seconds * 60:.1f}", f"{first / seconds:.2f}",
                         f"{ceiling:.2f}", f"{os.getloadavg()[0]:.1f}"])
    _common.print_table(["run", "wall s", "graded", "errors", "submissions/min", "speed-up",
                         "CPU-loop 2-vs-1 before", "load after"], rows)
    print("\nCPU-loop 2-vs-1: 2 busy loops at once vs one after the other, measured just"
          " before the run: what 2 processes can gain on this machine at that moment.")
    if len(args.jobs) > 1:
        last = next(r for r in reversed(rows) if r[0].startswith("--jobs"))
        print(f"speed-up of --jobs {args.jobs[-1]} over --jobs {args.jobs[0]}: {last[5]}"
              f" (target >= 1.8 for 2 jobs on {os.cpu_count()} cores)")
    cluster = ("--local-cluster", str(args.local_cluster))
    jobs = ("--jobs", str(args.local_cluster))
    if cluster in walls and jobs in walls:
        print(f"Dask overhead: --local-cluster {args.local_cluster} wall / --jobs"
              f" {args.local_cluster} wall = {walls[cluster] / walls[jobs]:.2f}"
              " (target <= 1.10; includes the cluster's start-up and worker vetting)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
