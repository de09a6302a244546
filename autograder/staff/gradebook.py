"""The SQLite gradebook of grade-all: its schema, rows, migration and the readers of it (the
class CSV, the latest result per student that the class report and the LMS export use).

Below batch.py (its one writer) and lms.py / class_report.py (its readers), so the readers
do not import the batch runner.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import GradingError
from autograder.grade import AssignmentResult, SubmissionResult

SCHEMA_VERSION = "2"
"""Bumped when the grades table changes shape. Schema 1 (one row per student and scope, one
hash per submission) is migrated in place on open: see ``migrate_v1``."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS grades (
    student      TEXT NOT NULL,
    scope        TEXT NOT NULL,      -- the assignments in the result, e.g. "a1,a2,a3,a4"
    submission   TEXT NOT NULL,      -- the directory graded
    content_hash TEXT NOT NULL,      -- JSON {assignment: {hash, status, reason}}: its inputs
    status       TEXT NOT NULL CHECK (status IN ('graded', 'error')),
    reason       TEXT NOT NULL DEFAULT '',
    score        REAL NOT NULL,
    max_score    REAL NOT NULL,
    seconds      REAL NOT NULL,
    graded_at    TEXT NOT NULL,
    result_json  TEXT NOT NULL,      -- SubmissionResult.to_dict(), also for error rows
    PRIMARY KEY (student)
);
"""



@dataclass(frozen=True)
class Row:
    """One recorded grade."""

    student: str
    scope: str
    submission: str
    content_hash: str
    status: str
    reason: str
    score: float
    max_score: float
    seconds: float
    graded_at: str
    result_json: str

    def result(self) -> SubmissionResult:
        return SubmissionResult.from_dict(json.loads(self.result_json))


class Gradebook:
    """The SQLite gradebook; one writer (the batch parent), one transaction per submission."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._refuse_foreign()
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a committed grade survives a crash
        self.db.executescript(SCHEMA)
        version = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif version[0] == "1":
            migrate_v1(self.db)
        elif version[0] != SCHEMA_VERSION:
            raise GradingError(
                f"{self.path}: gradebook schema {version[0]}, expected {SCHEMA_VERSION}"
                " (written by another version of the kit: grade into a new --gradebook)."
            )

    def _refuse_foreign(self) -> None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        try:
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
                tables = {
                    r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
        except sqlite3.DatabaseError as error:
            raise GradingError(f"{self.path} is not an SQLite gradebook ({error}).") from None
        if tables and "grades" not in tables:
            raise GradingError(
                f"{self.path} is another program's database"
                f" (tables: {', '.join(sorted(tables)[:5])}); choose another file with --gradebook."
            )

    def close(self) -> None:
        self.db.close()

    def rows(self) -> list[Row]:
        """Every student's row (one each), oldest grading first."""
        sql = "SELECT * FROM grades ORDER BY graded_at, student"
        return [Row(*r) for r in self.db.execute(sql)]

    def recorded(self) -> dict[str, Row]:
        return {row.student: row for row in self.rows()}

    def record(self, row: Row) -> None:
        """Insert or replace one row in its own committed transaction."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR REPLACE INTO grades VALUES (?,?,?,?,?,?,?,?,?,?,?)", _values(row)
            )


def migrate_v1(db: sqlite3.Connection) -> None:
    """Schema 1 -> 2 in one transaction: each student's rows (one per scope graded) become
    one row holding each assignment's latest result. Schema 1 kept no per-assignment
    hashes, so every migrated assignment is stale and regraded on the next batch."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        old = [Row(*r) for r in db.execute("SELECT * FROM grades ORDER BY graded_at")]
        db.execute("ALTER TABLE grades RENAME TO grades_v1")
        db.executescript(SCHEMA.split(";", 1)[1])  # the new grades table only
        for row, kept in latest_by_student(old).values():
            result = row.result()
            result.assignments = [kept[aid] for aid in sorted(kept)]
            inputs = {aid: {"hash": "", "status": row.status, "reason": row.reason}
                      for aid in kept}
            db.execute(
                "INSERT INTO grades VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                _values(row_of(row, result, inputs, row.graded_at)),
            )
        db.execute("DROP TABLE grades_v1")
        db.execute("UPDATE meta SET value=? WHERE key='schema'", (SCHEMA_VERSION,))


def _values(row: Row) -> tuple:
    return tuple(getattr(row, f) for f in Row.__dataclass_fields__)


def row_of(base: Row, result: SubmissionResult, inputs: dict, graded_at: str) -> Row:
    errors = [i for i in inputs.values() if i.get("status") == "error"]
    return Row(
        base.student,
        ",".join(a.id for a in result.assignments),
        base.submission,
        json.dumps(inputs, sort_keys=True),
        "error" if errors else "graded",
        str(errors[0].get("reason", "")) if errors else "",
        result.score,
        result.max_score,
        result.seconds,
        graded_at,
        json.dumps(result.to_dict()),
    )


def read_latest(
    gradebook: Path | str,
    assignments: list[str] | None = None,
    students: list[str] | None = None,
) -> dict:
    """``latest_by_student`` of the gradebook file ``gradebook`` (GradingError if missing):
    the one way the CSV, the class report and the LMS export read a gradebook."""
    if not Path(gradebook).is_file():
        raise GradingError(f"{gradebook}: no such gradebook.")
    book = Gradebook(gradebook)
    try:
        return latest_by_student(book.rows(), assignments, students)
    finally:
        book.close()


def latest_by_student(
    rows: list[Row], assignments: list[str] | None = None, students: list[str] | None = None
) -> dict[str, tuple[Row, dict[str, AssignmentResult]]]:
    """Per student, each assignment's most recent result across rows (any scope), limited to
    ``assignments`` and ``students`` when given. The row kept is the latest that contributed."""
    merged: dict[str, tuple[Row, dict[str, AssignmentResult]]] = {}
    for row in sorted(rows, key=lambda r: r.graded_at):
        if students and row.student not in students:
            continue
        chosen = [
            a for a in row.result().assignments if not assignments or a.id in assignments
        ]
        if not chosen:
            continue
        _, kept = merged.get(row.student, (row, {}))
        for a in chosen:
            kept[a.id] = a
        merged[row.student] = (row, kept)
    return merged


def export_csv(
    gradebook: Path,
    path: Path,
    assignments: list[str] | None = None,
    students: list[str] | None = None,
) -> int:
    """Write the class table: student, total, max, one column per task (a1:1.3), status,
    reason; only ``assignments`` and ``students`` when given (the scope of a batch).
    Returns the number of students written."""
    merged = read_latest(gradebook, assignments, students)
    columns: dict[str, None] = {}
    for _, assignments in merged.values():
        for aid in sorted(assignments):
            for t in assignments[aid].tasks:
                columns.setdefault(f"{aid}:{t.task}")
    ordered = sorted(
        columns, key=lambda c: (c.split(":")[0], [int(x) for x in c.split(":")[1].split(".")])
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "total", "max", *ordered, "status", "reason"])
        for student in sorted(merged):
            row, assignments = merged[student]
            scores = {f"{aid}:{t.task}": t.score for aid, a in assignments.items() for t in a.tasks}
            total = round(sum(a.score for a in assignments.values()), 4)
            maximum = sum(a.max_score for a in assignments.values())
            reason = row.reason.splitlines()[0] if row.reason else ""
            writer.writerow(
                [
                    student,
                    f"{total:g}",
                    f"{maximum:g}",
                    *(f"{scores[c]:g}" if c in scores else "" for c in ordered),
                    row.status,
                    reason,
                ]
            )
    return len(merged)


def iter_rows(gradebook: Path) -> Iterator[Row]:
    """Every row of a gradebook (for scripts and tests)."""
    book = Gradebook(gradebook)
    try:
        yield from book.rows()
    finally:
        book.close()

