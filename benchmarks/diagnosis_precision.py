"""Diagnosis precision: diagnoses given and right over the buggy corpus and the unseen set.

Grades every entry of tests/corpus/buggy (the kit's own) and tests/corpus/unseen (one-bug
copies written without looking at the catalogue), reads every failed check's diagnosis and
compares it with the ids the entry declares (``# diagnosis:``). Prints one row per set and
every wrong diagnosis. Target: wrong 0 (autograder/staff/precision.py).

Run: python benchmarks/diagnosis_precision.py [--set buggy|unseen ...] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401  (puts the checkout on sys.path)

from autograder.staff.corpus import entries
from autograder.staff.precision import count, table

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
REFERENCE = Path(__file__).resolve().parents[1] / "reference_solution"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=["buggy", "unseen"])
    parser.add_argument("--only", action="append", help="entry names (default: all)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    wrong = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.set or ["buggy", "unseen"]:
            chosen = [e for e in entries(CORPUS / name) if not args.only or e.name in args.only]
            counts = [count(e, REFERENCE, Path(tmp) / name) for e in chosen]
            print(table(name, counts), flush=True)
            wrong += sum(len(c.wrong) for c in counts)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
