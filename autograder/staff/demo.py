"""``autograder demo``: grade the reference, the generated stubs and one realistic bug per
assignment, and print a table for each (the main job a newcomer runs first)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the demo grades what the checkout bundles."""


def run(args: argparse.Namespace) -> int:
    from autograder.grade import grade_submission
    from autograder.report import console_table
    from autograder.staff.corpus import entries, materialize

    submissions = [
        ("reference solution", REPO_ROOT / "reference_solution"),
        ("generated stubs", REPO_ROOT / "assignments"),
    ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="backprop-lab-demo-") as tmp:
        seen = set()
        for entry in entries(REPO_ROOT / "tests" / "corpus" / "buggy"):
            if entry.folder in seen:
                continue  # one realistic bug per assignment keeps the demo short
            seen.add(entry.folder)
            submissions.append(
                (
                    f"buggy: {entry.description}",
                    materialize(entry, REPO_ROOT / "reference_solution", Path(tmp)),
                )
            )
        for label, path in submissions:
            print("=" * 78)
            print(f"{label}")
            print("=" * 78)
            result = grade_submission(path)
            print(console_table(result, details=label.startswith("buggy")))
            print()
            rows.append((label, result.score, result.max_score, result.seconds))
    print("Summary")
    for label, score, max_score, seconds in rows:
        print(f"  {score:>7g} / {max_score:<5g} {seconds:6.1f} s  {label}")
    return 0
