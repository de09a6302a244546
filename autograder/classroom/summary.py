"""``python -m autograder.classroom.summary``: visible checks, console table, Markdown summary.

Run by the GitHub Classroom workflow on every push. It prints the console table to the log
and appends a Markdown score table to ``--summary FILE`` (default: ``$GITHUB_STEP_SUMMARY``
when set). Exit status 0 whenever grading ran, whatever the score: a red run should mean
the checks could not run, not that work is unfinished; ``--strict`` exits 1 below full marks.
``--output FILE`` (default: ``$GITHUB_OUTPUT`` when set) appends ``result=<payload>``: the
per-task points Classroom's reporter action reads (``autograder.classroom.reporter``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder.classroom import reporter
from autograder.grade import GradingError, SubmissionResult, grade_submission
from autograder.report import points

FOLDERS = ("a1_perceptron", "a2_gradient_descent", "a3_backprop", "a4_mlp")


def find_root(start: Path) -> Path:
    """The folder holding the assignment folders: ``start`` or ``start/assignments``."""
    for candidate in (start, start / "assignments"):
        if any((candidate / folder).is_dir() for folder in FOLDERS):
            return candidate
    raise GradingError(f"no assignment folder under {start} or {start}/assignments.")


def markdown_summary(result: SubmissionResult) -> str:
    """The score table per task, and each failing task's first message, for a step summary."""
    lines = [
        f"## Backprop Lab: {points(result.score)} / {points(result.max_score)} points"
        " (visible checks)",
        "",
        "| task | what | points | checks passed | first failure |",
        "|---|---|---|---|---|",
    ]
    for a in result.assignments:
        for t in a.tasks:
            first = t.first_failure().strip().splitlines()
            failure = first[0].replace("|", "\\|")[:120] if first else ""
            lines.append(
                f"| {t.task} | `{t.title}` | {points(t.score)} / {points(t.max_points)}"
                f" | {t.passed} / {len(t.checks)} | {failure} |"
            )
    lines += [
        "",
        "Hidden checks run at grading time on other inputs: passing these is necessary,"
        " not sufficient.",
        "",
    ]
    return "\n".join(lines)


def _write_output(path: Path | None, data: dict) -> None:
    """Append ``result=<base64 JSON>`` to a GitHub Actions output file (one line)."""
    if path:
        with Path(path).open("a") as handle:
            handle.write(f"result={reporter.encode(data)}\n")


def main(argv: list[str] | None = None) -> int:
    from autograder.report import console_table

    parser = argparse.ArgumentParser(prog="python -m autograder.classroom.summary")
    parser.add_argument("assignment", nargs="*", help="a1 .. a4 (default: every one present)")
    parser.add_argument("--path", type=Path, default=Path.cwd(), help="repository root")
    parser.add_argument(
        "--summary",
        type=Path,
        default=os.environ.get("GITHUB_STEP_SUMMARY") or None,
        help="append the Markdown table here (default: $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=os.environ.get("GITHUB_OUTPUT") or None,
        help="append result=<Classroom payload> here (default: $GITHUB_OUTPUT)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 below full marks")
    args = parser.parse_args(argv)
    try:
        root = find_root(args.path)
        result = grade_submission(root, include_hidden=False, only=args.assignment or None)
    except GradingError as error:
        print(f"autograder: {error}", file=sys.stderr)
        _write_output(args.output, reporter.error_payload(str(error)))
        return 2
    print(console_table(result))
    _write_output(args.output, reporter.payload(result))
    if args.summary:
        with Path(args.summary).open("a") as handle:
            handle.write(markdown_summary(result))
    return 1 if args.strict and result.score < result.max_score else 0


if __name__ == "__main__":
    raise SystemExit(main())
