"""Grading one submission: `autograder grade reference_solution` against nbgrader autograde
and `otter run`.

Kit: the CLI as a subprocess (wall time, every assignment that has checks, hidden included).
nbgrader: the kit's generated course (autograder/staff/nbgrader_course.py) in a temp dir,
`nbgrader generate_assignment` per assignment, the reference's modules placed as student
"ref"'s submission, then `nbgrader autograde <assignment> --student ref`, timed. Its graded
cells run the kit's VISIBLE checks in the notebook's kernel, after the notebook's own cells.
Counts and the time breakdown come from one instrumented in-process grading: checks from
the SubmissionResult, worker calls from Student.calls, hypothesis examples by counting the
bodies of for_all properties, worker start-ups timed where they happen, and a no-op call's
round trip measured on its own.
Otter: `otter run` (Otter 7, not containerised by design: no Docker) of one notebook holding
the reference's A1 module, against benchmarks/otter_a1/tests/ (five doctest checks, one per
A1 function), zipped once by `otter generate` outside the timing.

Run: python benchmarks/grade_one.py [--repeats 3] [--assignment a3 ...] [--no-nbgrader]
     [--no-otter]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

REFERENCE = _common.REPO_ROOT / "reference_solution"
OTTER_TESTS = Path(__file__).resolve().parent / "otter_a1" / "tests"
COMMAND_TIMEOUT = 1800

COUNTS = {"examples": 0, "starts": 0, "start_seconds": 0.0}


def instrument() -> None:
    """Count hypothesis examples and time worker start-ups; before the checks are imported."""
    from autograder.checks import framework
    from autograder.isolation import worker

    plain_for_all = framework.for_all

    def counting_for_all(strategy, *args, **kwargs):
        decorate = plain_for_all(strategy, *args, **kwargs)

        def wrap(body):
            def counted(student, example):
                COUNTS["examples"] += 1
                return body(student, example)

            counted.__name__ = getattr(body, "__name__", "property")
            counted.__module__ = body.__module__  # the check's plan is found by its module
            return decorate(counted)

        return wrap

    framework.for_all = counting_for_all
    plain_begin, plain_await = worker.Worker.begin, worker.Worker._await_hello

    def timed(plain, count):
        def run(self):
            started = time.perf_counter()
            try:
                return plain(self)
            finally:
                COUNTS["starts"] += count
                COUNTS["start_seconds"] += time.perf_counter() - started
        return run

    # A start is begin (launch) + _await_hello; grading in turn begins the next assignment's
    # worker early, so the time counted is what grading waited for, not the workers' own.
    worker.Worker.begin = timed(plain_begin, 1)
    worker.Worker._await_hello = timed(plain_await, 0)
    plain_init = framework.Student.__init__
    framework.STUDENTS = []

    def init(self, *args, **kwargs):
        plain_init(self, *args, **kwargs)
        framework.STUDENTS.append(self)

    framework.Student.__init__ = init


def graded_in_process(only: list[str] | None, include_hidden: bool) -> dict:
    """One grading with counters: checks, worker calls, examples, start-ups, seconds."""
    from autograder.checks import framework
    from autograder.grade import grade_submission

    for key in COUNTS:
        COUNTS[key] = 0
    framework.STUDENTS.clear()
    started = time.perf_counter()
    result = grade_submission(REFERENCE, only=only, include_hidden=include_hidden)
    seconds = time.perf_counter() - started
    checks = [c for a in result.assignments for t in a.tasks for c in t.checks]
    return {
        "seconds": seconds,
        "checks": len(checks),
        "passed": sum(c.passed for c in checks),
        "check_seconds": sum(c.seconds for c in checks),
        "calls": sum(s.calls for s in framework.STUDENTS),
        "assignments": [a.id for a in result.assignments],
        "score": f"{result.score:g}/{result.max_score:g}",
        "isolation": result.isolation,
        **COUNTS,
    }


def noop_round_trip(calls: int = 500) -> tuple[float, float]:
    """(start-up seconds, median round trip seconds) of a worker calling a no-op function."""
    from autograder.isolation.worker import Worker

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "noop.py").write_text("def noop():\n    return None\n")
        worker = Worker(Path(tmp))
        started = time.perf_counter()
        worker.start()
        start_up = time.perf_counter() - started
        try:
            worker.import_module("noop")
            times = []
            for _ in range(calls):
                t = time.perf_counter()
                worker.call("noop", "noop")
                times.append(time.perf_counter() - t)
        finally:
            worker.close()
    return start_up, statistics.median(times)


def cli_start_up(repeats: int = 3) -> float:
    """Median wall seconds of a Python process importing the CLI, grading and every check."""
    code = "import autograder.cli, autograder.grade, autograder.checks as c; c.suite(True)"
    return _common.median_time(
        lambda: subprocess.run([sys.executable, "-c", code], cwd=_common.REPO_ROOT, check=True),
        repeats)


def kit_cli(only: list[str] | None, jobs: int = 1) -> float:
    """Wall seconds of `python -m autograder grade reference_solution --jobs N` (subprocess)."""
    args = [sys.executable, "-m", "autograder", "grade", str(REFERENCE), "--quiet", "--jobs",
            str(jobs)]
    for a in only or []:
        args += ["--assignment", a]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=_common.REPO_ROOT, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"autograder grade failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def _run(args: list[str], cwd: Path, env: dict, check: bool = True) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT)
    if check and done.returncode != 0:
        raise RuntimeError(f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def nbgrader_course(tmp: Path, folders: list[str]) -> tuple[Path, dict]:
    """Build the kit's course, generate each assignment, submit the reference as "ref"."""
    from autograder.staff.nbgrader_course import isolated_jupyter_env

    env = isolated_jupyter_env(tmp)
    course = tmp / "course"
    (tmp / "exchange").mkdir()
    args = [sys.executable, "-m", "autograder", "nbgrader", "course", "--out", str(course),
            "--exchange", str(tmp / "exchange")]
    for folder in folders:
        args += ["--assignment", folder]
    _run(args, tmp, env)
    for folder in folders:
        _run([sys.executable, "-m", "nbgrader", "generate_assignment", folder], course, env)
        submitted = course / "submitted" / "ref" / folder
        shutil.copytree(course / "release" / folder, submitted)
        for module in (REFERENCE / folder).glob("*.py"):
            shutil.copy(module, submitted / module.name)
    return course, env


def nbgrader_autograde(course: Path, env: dict, folders: list[str]) -> float:
    """Wall seconds of `nbgrader autograde F --student ref --force` for every folder."""
    total = 0.0
    for folder in folders:
        total += _run([sys.executable, "-m", "nbgrader", "autograde", folder, "--student", "ref",
                       "--force"], course, env)
        graded = course / "autograded" / "ref" / folder / f"{folder}.ipynb"
        if not graded.is_file():
            raise RuntimeError(f"nbgrader autograde left no {graded}")
    return total


def otter_assignment(tmp: Path) -> tuple[Path, Path]:
    """(notebook, autograder zip): a notebook whose one code cell is the reference's A1
    module (the submission), and `otter generate` of the five checks in otter_a1/tests/."""
    import nbformat

    otter = tmp / "otter"
    otter.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    source = (REFERENCE / "a1_perceptron" / "perceptron.py").read_text()
    notebook.cells = [nbformat.v4.new_markdown_cell("# A1: the perceptron"),
                      nbformat.v4.new_code_cell(source)]
    nbformat.write(notebook, otter / "a1.ipynb")
    _run([sys.executable, "-m", "otter", "generate", "-t", str(OTTER_TESTS), "-o",
          "autograder.zip", "--no-config", "--no-requirements", "--no-environment"], otter,
         dict(os.environ))
    return otter / "a1.ipynb", otter / "autograder.zip"


def otter_run(notebook: Path, autograder: Path) -> float:
    """Wall seconds of `otter run` of the notebook; checks it scored 5/5."""
    out = notebook.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    seconds = _run([sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out),
                    "--no-logo", str(notebook)], notebook.parent, dict(os.environ))
    results = json.loads((out / "results.json").read_text())
    scores = [t["score"] for t in results["tests"] if "score" in t]
    if len(scores) != 5 or sum(scores) != 5:
        raise RuntimeError(f"otter run scored {scores} on the reference, not 5/5")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--assignment", action="append", metavar="aN",
                        help="only these assignments (default: every one with checks)")
    parser.add_argument("--no-nbgrader", action="store_true")
    parser.add_argument("--no-otter", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_otter and importlib.util.find_spec("otter") is None:
        print("otter-grader is not installed (pip install -e '.[bench]'): no otter column")
        args.no_otter = True

    instrument()
    from autograder.checks import suite

    suites = [s for s in suite(include_hidden=False)
              if not args.assignment or s.assignment.id in args.assignment]
    only = [s.assignment.id for s in suites]
    folders = [s.assignment.folder for s in suites]
    print(_common.machine_header())
    print(f"submission: reference_solution, assignments {only} (those with checks);"
          f" median of {args.repeats}, kit, nbgrader and otter interleaved\n")

    start_up, round_trip = noop_round_trip()
    hidden = graded_in_process(only, include_hidden=True)
    visible = graded_in_process(only, include_hidden=False)

    kit_times, kit2_times, nb_times, otter_times = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bplab-bench-nbgrader-") as tmp:
        course = env = otter = None
        if not args.no_nbgrader:
            course, env = nbgrader_course(Path(tmp), folders)
        if not args.no_otter:
            otter = otter_assignment(Path(tmp))
        for _ in range(args.repeats):
            kit_times.append(kit_cli(only))
            if len(only) > 1:
                kit2_times.append(kit_cli(only, jobs=2))
            if course is not None:
                nb_times.append(nbgrader_autograde(course, env, folders))
            if otter is not None:
                otter_times.append(otter_run(*otter))
    kit = statistics.median(kit_times)
    nb = statistics.median(nb_times) if nb_times else None
    ot = statistics.median(otter_times) if otter_times else None
    kit2 = statistics.median(kit2_times) if kit2_times else None

    rows = [
        ["autograder grade (visible + hidden, sandboxed)", f"{kit:.1f}",
         f"{hidden['checks']}", f"{hidden['examples']}", f"{hidden['calls']}", "1.00"],
        ["  the same in process, visible checks only", f"{visible['seconds']:.1f}",
         f"{visible['checks']}", f"{visible['examples']}", f"{visible['calls']}", "-"],
    ]
    if nb is not None:
        rows.append(["nbgrader autograde (kit's course, visible checks in the kernel)",
                     f"{nb:.1f}", f"{visible['checks']}", f"{visible['examples']}",
                     f"{visible['calls']}", f"{nb / kit:.2f}"])
    if kit2 is not None:
        rows.insert(1, ["autograder grade --jobs 2 (assignments in 2 processes)", f"{kit2:.1f}",
                        f"{hidden['checks']}", f"{hidden['examples']}", f"{hidden['calls']}",
                        f"{kit2 / kit:.2f}"])
    if ot is not None:
        rows.append(["otter run (one A1 notebook, 5 doctest checks, no Docker)", f"{ot:.1f}",
                     "5", "0", "-", f"{ot / kit:.2f}"])
    _common.print_table(["run", "wall s", "checks", "hypothesis examples", "worker calls",
                         "time / kit"], rows)

    protocol = hidden["calls"] * round_trip
    checks_only = hidden["seconds"] - hidden["start_seconds"] - protocol
    print(f"\nBreakdown of one in-process grading (visible + hidden, {hidden['score']} points,"
          f" isolation {hidden['isolation']}): {hidden['seconds']:.2f} s")
    _common.print_table(["part", "seconds", "share"], [
        [f"worker start-ups ({hidden['starts']}, launch + waiting for the hello)",
         f"{hidden['start_seconds']:.2f}", f"{hidden['start_seconds'] / hidden['seconds']:.0%}"],
        [f"protocol: {hidden['calls']} calls x {round_trip * 1e6:.0f} us (no-op round trip)",
         f"{protocol:.2f}", f"{protocol / hidden['seconds']:.0%}"],
        ["checks: student code + grader's own computation + hypothesis",
         f"{checks_only:.2f}", f"{checks_only / hidden['seconds']:.0%}"],
    ])
    print(f"CLI process start-up + the kit's imports (python -c 'import ...', separately):"
          f" {cli_start_up():.2f} s")
    print(f"\nno-op worker: start-up {start_up * 1e3:.0f} ms, round trip"
          f" {round_trip * 1e6:.0f} us (median of 500)")
    if nb is not None:
        print(f"kit speed-up over nbgrader: {nb / kit:.2f}x (target >= 3)")
    if ot is not None:
        print(f"autograder grade reference_solution / otter run: {kit / ot:.2f}"
              f" (kit {kit:.1f} s, otter {ot:.1f} s; target <= 1)")
        if kit2 is not None:
            print(f"the same with grade --jobs 2: {kit2 / ot:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
