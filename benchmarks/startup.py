"""Start-up: `autograder check a1` (what a student runs, dozens of times an evening) against a
bare `python -c "import numpy"`.

Three commands, interleaved, median of --repeats each, all on the stubs (every check fails
fast with NotImplementedError, so the time is the kit's, not the student's code):
- the student bundle's `python -m autograder check a1`, run by a venv where the bundle is
  installed as its README says (`pip install -e .`; built in a temp dir unless --bundle-venv
  names one to reuse, made with `autograder release` from --kit);
- the staff checkout's `python -m autograder check a1` (this venv, staff side installed);
- `python -c "import numpy"` with the bundle venv's Python: the baseline.
Then one `python -X importtime` run of the bundle's check: the slowest imports, and where
the rest of the time goes (sandbox probe, worker start, the checks).

Run: python benchmarks/startup.py [--repeats 5] [--bundle-venv DIR] [--kit DIR] [--before KIT]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

TIMEOUT = 300


def build_bundle_venv(kit: Path, where: Path) -> tuple[Path, Path]:
    """(bundle, its venv's python): `autograder release` of ``kit``, installed with pip."""
    bundle, venv = where / "bundle", where / "venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "autograder", "release", "--out", str(bundle)],
                       cwd=kit, env={**_env(), "PYTHONPATH": str(kit)}, check=True,
                       capture_output=True, timeout=TIMEOUT)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e",
                        str(bundle)], check=True, capture_output=True, timeout=TIMEOUT)
    return bundle, venv / "bin" / "python"


UNSET = ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
"""Not passed on: a student's shell sets neither. With PYTHONDONTWRITEBYTECODE (set on the
team's machines) every run compiles the kit's ~30 modules afresh (~0.12 s), while numpy's
bytecode was written by pip at install: the comparison would be unfair to the kit."""


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in UNSET}


def timed(args: list[str], cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def slowest_imports(python: Path, cwd: Path, count: int = 8) -> tuple[float, list[str]]:
    """(total import seconds, the ``count`` slowest packages, nested or not) of one check."""
    done = subprocess.run([str(python), "-X", "importtime", "-m", "autograder", "check", "a1"],
                          cwd=cwd, env=_env(), capture_output=True, text=True, timeout=TIMEOUT)
    rows = []
    for line in done.stderr.splitlines():
        fields = line.split("|")
        if not line.startswith("import time:") or len(fields) != 3 or "cumulative" in line:
            continue
        rows.append((int(fields[1]), fields[2][1:].rstrip()))  # name: indented when nested
    total = sum(us for us, name in rows if not name.startswith(" ")) / 1e6
    top = sorted((us, name) for us, name in rows if "." not in name)  # numpy, hypothesis, ...
    top.reverse()
    return total, [f"{us / 1e3:7.1f} ms  {name.strip()}" for us, name in top[:count]]


def phases(python: Path, bundle: Path) -> dict:
    """Seconds of one in-process `check a1` in the bundle: imports, then grading split into
    the sandbox probe, the worker's start and the rest (checks, intake, report)."""
    code = r"""
import json, time
t0 = time.perf_counter()
import autograder.cli, autograder.grade
from autograder.isolation import sandbox, worker
t1 = time.perf_counter()
spent = {"probe": 0.0, "hello": 0.0}
probe, hello = sandbox._probe_bwrap, worker.Worker._await_hello
def timed_probe():
    a = time.perf_counter(); r = probe(); spent["probe"] += time.perf_counter() - a; return r
def timed_hello(self):
    a = time.perf_counter(); hello(self); spent["hello"] += time.perf_counter() - a
sandbox._probe_bwrap, worker.Worker._await_hello = timed_probe, timed_hello
from pathlib import Path
autograder.grade.grade_submission(Path("assignments"), include_hidden=False, only=["a1"])
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "grading": t2 - t1, **spent}))
"""
    done = subprocess.run([str(python), "-c", code], cwd=bundle, env=_env(), capture_output=True,
                          text=True, timeout=TIMEOUT, check=True)
    import json

    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--bundle-venv", type=Path,
                        help="a directory to build (once) and reuse: bundle/ and venv/")
    parser.add_argument("--kit", type=Path, default=_common.REPO_ROOT,
                        help="the checkout whose bundle is measured (default: this one)")
    parser.add_argument("--before", type=Path, metavar="KIT",
                        help="another checkout measured alongside (e.g. `git archive` of main)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bplab-bench-startup-") as tmp:
        where = args.bundle_venv or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        bundle, python = build_bundle_venv(args.kit.resolve(), where)
        print(_common.machine_header())
        print(f"kit: {args.kit.resolve()}; bundle venv: {python}; median of {args.repeats},"
              " interleaved\n")
        commands = {"python -c 'import numpy' (baseline)": ([str(python), "-c", "import numpy"],
                                                                bundle, _env())}
        kits = [("", args.kit.resolve(), bundle, python)]
        if args.before:
            old_bundle, old_python = build_bundle_venv(args.before.resolve(), where / "before")
            kits.append(("before: ", args.before.resolve(), old_bundle, old_python))
        for label, kit, kit_bundle, kit_python in kits:
            commands[f"{label}bundle: autograder check a1 (stubs)"] = (
                [str(kit_python), "-m", "autograder", "check", "a1"], kit_bundle / "assignments",
                _env())
            commands[f"{label}checkout: autograder check a1 (stubs)"] = (  # the kit on PYTHONPATH
                [sys.executable, "-m", "autograder", "check", "a1"], kit / "assignments",
                {**_env(), "PYTHONPATH": str(kit)})
        print(f"environment: {', '.join(UNSET)} unset, as in a student's shell; one untimed"
              " warm-up run of each command first (writes the kit's bytecode)\n")
        for command, cwd, env in commands.values():
            timed(command, cwd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, (command, cwd, env) in commands.items():
                times[name].append(timed(command, cwd, env))
        medians = {name: statistics.median(t) for name, t in times.items()}
        base = next(iter(medians.values()))
        _common.print_table(["command", "median s", "min s", "x numpy import"],
                            [[name, f"{medians[name]:.3f}", f"{min(times[name]):.3f}",
                              f"{medians[name] / base:.2f}"] for name in commands])
        split = phases(python, bundle)
        total, top = slowest_imports(python, bundle / "assignments")
        print(f"\nOne in-process bundle grade_submission of a1 (no CLI, so no early worker:"
              f" probe and worker start in turn): imports {split['imports']:.3f} s, grading"
              f" {split['grading']:.3f} s (bwrap probe {split['probe']:.3f} s, waiting for the"
              f" worker's hello {split['hello']:.3f} s, the rest: intake, checks, report)")
        print(f"python -X importtime, bundle check a1: {total:.3f} s of imports; slowest:")
        print("\n".join("  " + line for line in top))
        bundle_ratio = medians["bundle: autograder check a1 (stubs)"] / base
        print(f"\nbundle check a1 / import numpy: {bundle_ratio:.2f} (target <= 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
