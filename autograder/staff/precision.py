"""Diagnosis precision over a corpus: how many diagnoses grading gives, how many are right.

Each one-bug entry declares the catalogue ids a diagnosis may rightly name (``# diagnosis:``
in its header, corpus.py; ``none`` when the catalogue has no such mistake). The entry is
graded whole (visible and hidden checks, in the worker, with the staff's catalogue), and
every failed check's message is read: a diagnosis line naming a declared id is right, any
other is wrong. Target: no wrong one (fewer diagnoses rather than wrong ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.staff.corpus import CorpusEntry, materialize

ASSIGNMENT_OF_FOLDER = {"a1_perceptron": "a1", "a2_gradient_descent": "a2",
                        "a3_backprop": "a3", "a4_mlp": "a4"}


@dataclass
class EntryCount:
    """One entry's failed checks, the diagnoses among them, and the wrong ones (check, id)."""

    name: str
    declared: tuple[str, ...] = ()
    failed: int = 0
    given: int = 0
    right: int = 0
    wrong: list[tuple[str, str]] = field(default_factory=list)


def diagnosis_ids(message: str) -> list[str]:
    """The catalogue ids whose diagnosis line appears in a message ("?" for an unknown line)."""
    from autograder.staff.misconceptions import DIAGNOSIS, a1, a2, a3, a4

    lines = {m.message().strip(): m.id for c in (a1, a2, a3, a4) for m in c.CATALOGUE}
    found = []
    for line in message.splitlines():
        if line.startswith(DIAGNOSIS):
            found.append(lines.get(line.strip(), "?"))
    return found


def count(entry: CorpusEntry, reference_root: Path, workdir: Path) -> EntryCount:
    """Grade ``entry`` and count its diagnoses against its declared ones."""
    from autograder.grade import grade_submission

    submission = materialize(entry, reference_root, workdir)
    result = grade_submission(submission, only=[ASSIGNMENT_OF_FOLDER[entry.folder]])
    tally = EntryCount(entry.name, entry.diagnoses)
    for assignment in result.assignments:
        for task in assignment.tasks:
            for check in task.checks:
                if check.passed:
                    continue
                tally.failed += 1
                for mid in diagnosis_ids(check.message):
                    tally.given += 1
                    if mid in entry.diagnoses:
                        tally.right += 1
                    else:
                        tally.wrong.append((f"{task.task} {check.name}", mid))
    return tally


def table(title: str, counts: list[EntryCount]) -> str:
    """A Markdown table: per set, failed checks, diagnoses given, right, wrong; then each
    wrong one, and the entries with a declared diagnosis that got none (recall)."""
    failed = sum(c.failed for c in counts)
    given = sum(c.given for c in counts)
    right = sum(c.right for c in counts)
    named = sum(1 for c in counts if c.right)
    rows = [f"| {title} | entries {len(counts)} | failed checks {failed} | diagnoses given"
            f" {given} | right {right} | wrong {given - right} | entries rightly diagnosed"
            f" {named} |"]
    rows += [f"|   wrong: {c.name} | {where} | named {mid} |" for c in counts
             for where, mid in c.wrong]
    missed = [c.name for c in counts if c.declared and not c.right]
    if missed:
        rows.append(f"|   not diagnosed (declared one): {', '.join(missed)} |")
    return "\n".join(rows)
