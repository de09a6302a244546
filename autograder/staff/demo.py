"""``autograder demo``: grade the reference, stubs freshly generated from it and one realistic
bug per assignment, and print a table for each (the main job a newcomer runs first).

The stubs are generated into a temporary folder, so the demo shows what students get even
when the working copy of ``assignments/`` has been edited.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reference",
        type=Path,
        metavar="DIR",
        help="the reference solution (default: $BACKPROP_LAB_REFERENCE or this checkout's)",
    )


def run(args: argparse.Namespace) -> int:
    from autograder.grade import grade_submission
    from autograder.report import console_table
    from autograder.staff.context import staff_context
    from autograder.staff.corpus import entries, materialize
    from autograder.staff.grading_task import resolve_reference
    from autograder.staff.stubs import generate

    reference = Path(resolve_reference(getattr(args, "reference", None)))
    corpus = reference.parent / "tests" / "corpus" / "buggy"
    rows = []
    with tempfile.TemporaryDirectory(prefix="backprop-lab-demo-") as tmp:
        stubs = Path(tmp) / "stubs"
        generate(reference, stubs)
        submissions = [("reference solution", reference), ("generated stubs", stubs)]
        seen = set()
        for entry in entries(corpus) if corpus.is_dir() else []:
            if entry.folder in seen:
                continue  # one realistic bug per assignment keeps the demo short
            seen.add(entry.folder)
            submissions.append(
                (f"buggy: {entry.description}", materialize(entry, reference, Path(tmp)))
            )
        for label, path in submissions:
            print("=" * 78)
            print(f"{label}")
            print("=" * 78)
            result = grade_submission(path, staff_context(reference))
            print(console_table(result, details=label.startswith("buggy")))
            print()
            rows.append((label, result.score, result.max_score, result.seconds))
    print("Summary")
    for label, score, max_score, seconds in rows:
        print(summary_line(score, max_score, seconds, label))
    if not seen:
        print(f"  (no buggy examples: {corpus} is not here; run the demo from a checkout)")
    return 0


SUMMARY_WIDTH = 80  # a terminal's width: the label is cut, with an ellipsis, to fit


def summary_line(score: float, max_score: float, seconds: float, label: str) -> str:
    """'  18.50 / 20.00    1.4 s  buggy: ...', points to two decimals, at most 80 columns."""
    head = f"  {score:6.2f} / {max_score:<6.2f} {seconds:5.1f} s  "
    room = SUMMARY_WIDTH - len(head)
    return head + (label if len(label) <= room else label[: room - 3] + "...")
