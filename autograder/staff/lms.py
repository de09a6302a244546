"""``autograder export-lms GRADEBOOK --roster ROSTER.csv --format canvas|moodle --out FILE``.

Grades as the CSV a learning-management system imports, one column per assignment (its
points, two decimals), mapped to the LMS's students through a roster the instructor
supplies: a CSV with a ``student`` column (the folder name grade-all graded) and the
LMS's identifying columns.

- Canvas (Grades > Import): columns ``Student, ID, SIS User ID, SIS Login ID, Section``
  (copied from the roster; export them from Canvas's gradebook), then one column per
  assignment, then a second row ``Points Possible`` with each assignment's maximum. A
  column named ``Name (1234)`` updates Canvas assignment 1234; any other name creates a new
  assignment (``--column a1="Perceptron (1234)"`` picks the name).
- Moodle (Grades > Import > CSV file): the same without the Points Possible row and with
  the roster's identifying columns (``Email address``, ``ID number`` or ``Username``: the
  one mapped on import); the grade items' maximum is set in Moodle.

A student whose row is an error (not graded) gets an empty cell, never a 0: the LMS keeps
what it had and the command lists them.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from autograder.grade import GradingError
from autograder.staff.gradebook import Gradebook, latest_by_student

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
"""Canvas's gradebook columns before the assignments, in the order its export writes them."""
MOODLE_IDENTITY = ("Email address", "ID number", "Username")
"""Moodle's user fields a grade import can map a row to (any one present suffices)."""
POINTS_POSSIBLE = "Points Possible"
"""The Student cell of Canvas's second row (its export indents it; the import strips it)."""
FORMATS = ("canvas", "moodle")


def read_roster(path: Path, fmt: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """(identity columns present, student folder name -> roster row); one-line errors."""
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"--roster {path}: no such file.")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        rows = [{k.strip(): (v or "").strip() for k, v in r.items() if k} for r in reader]
    if "student" not in header:
        raise GradingError(
            f"--roster {path}: needs a 'student' column (the folder names grade-all graded).")
    wanted = CANVAS_IDENTITY if fmt == "canvas" else MOODLE_IDENTITY
    identity = [c for c in wanted if c in header]
    if fmt == "canvas" and not {"Student", "ID", "SIS User ID"} & set(identity):
        raise GradingError(f"--roster {path}: Canvas needs Student, ID or SIS User ID columns.")
    if fmt == "moodle" and not identity:
        raise GradingError(
            f"--roster {path}: Moodle needs one of {', '.join(MOODLE_IDENTITY)} columns.")
    roster: dict[str, dict[str, str]] = {}
    for r in rows:
        if r.get("student"):
            if r["student"] in roster:
                raise GradingError(f"--roster {path}: student {r['student']} listed twice.")
            roster[r["student"]] = r
    return identity, roster


def export(
    gradebook: Path,
    roster_path: Path,
    fmt: str,
    out: Path,
    assignments: list[str] | None = None,
    columns: dict[str, str] | None = None,
) -> tuple[int, list[str], list[str]]:
    """Write ``out``; return (rows written, graded students missing from the roster,
    roster students left empty because their grading failed)."""
    if fmt not in FORMATS:
        raise GradingError(f"--format {fmt}: one of {', '.join(FORMATS)}.")
    if not Path(gradebook).is_file():
        raise GradingError(f"{gradebook}: no such gradebook.")
    identity, roster = read_roster(roster_path, fmt)
    book = Gradebook(gradebook)
    try:
        merged = latest_by_student(book.rows(), assignments)
    finally:
        book.close()
    titles: dict[str, tuple[str, float]] = {}
    for _, results in merged.values():
        for aid, a in results.items():
            titles.setdefault(aid, (a.title, a.max_score))
    names = {aid: (columns or {}).get(aid, f"{aid}: {title}") for aid, (title, _) in titles.items()}
    order = sorted(titles)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    not_graded = []
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*identity, *(names[aid] for aid in order)])
        if fmt == "canvas":
            first = [POINTS_POSSIBLE if c == "Student" else "" for c in identity]
            if "Student" not in identity:
                first[0] = POINTS_POSSIBLE
            writer.writerow([*first, *(f"{titles[aid][1]:.2f}" for aid in order)])
        for student in sorted(roster):
            cells = []
            if student in merged:
                row, results = merged[student]
                if row.status == "error":
                    not_graded.append(student)
                    cells = ["" for _ in order]
                else:
                    cells = [f"{results[aid].score:.2f}" if aid in results else ""
                             for aid in order]
            else:
                cells = ["" for _ in order]
            writer.writerow([*(roster[student].get(c, "") for c in identity), *cells])
    missing = sorted(set(merged) - set(roster))
    return len(roster), missing, not_graded


def _columns(pairs: list[str] | None) -> dict[str, str]:
    named = {}
    for pair in pairs or []:
        aid, sep, name = pair.partition("=")
        if not sep or not name.strip():
            raise GradingError(f"--column {pair}: write aN=NAME, e.g. a1='Perceptron (1234)'.")
        named[aid.strip()] = name.strip()
    return named


def report(n: int, missing: list[str], not_graded: list[str], fmt: str, out: Path) -> None:
    print(f"{n} students exported for {fmt} to {out}")
    if missing:
        print(f"not in the roster (left out): {', '.join(missing)}"[:80], file=sys.stderr)
    if not_graded:
        print(f"not graded (empty cells): {', '.join(not_graded)}"[:80], file=sys.stderr)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gradebook", type=Path, help="a grade-all gradebook (gradebook.db)")
    parser.add_argument("--roster", type=Path, required=True,
                        help="CSV: a 'student' column and the LMS's identifying columns")
    parser.add_argument("--format", choices=FORMATS, default="canvas", help="the LMS")
    parser.add_argument("--out", type=Path, required=True, help="the import CSV to write")
    parser.add_argument("--assignment", action="append", metavar="aN",
                        help="only this assignment (repeatable)")
    parser.add_argument("--column", action="append", metavar="aN=NAME",
                        help="the LMS column of an assignment (Canvas: 'Name (id)')")


def run(args: argparse.Namespace) -> int:
    from autograder.cli import require_writable

    require_writable("--out", args.out)
    n, missing, not_graded = export(args.gradebook, args.roster, args.format, args.out,
                                    args.assignment, _columns(args.column))
    report(n, missing, not_graded, args.format, args.out)
    return 0
