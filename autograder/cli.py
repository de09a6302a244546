"""The ``autograder`` command: grade, check, demo, make-stubs, and the instructor's commands.

Every command returns an exit status; a problem with the user's input is one clear line on
stderr and status 2, never a traceback from inside the kit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Instructor commands live in their own modules; each has add_arguments(parser) and run(args).
EXTRA_COMMANDS = {
    "grade-all": ("autograder.batch", "grade a class: parallel, resumable, SQLite gradebook, CSV"),
    "release": ("autograder.release", "write the student bundle (no reference, no hidden checks)"),
    "gradescope": ("autograder.gradescope", "build the Gradescope autograder zip"),
    "nbgrader": ("autograder.nbgrader_course", "nbgrader course: build it, or push grades into it"),
}


def _grade(args: argparse.Namespace) -> int:
    from autograder.grade import grade_submission
    from autograder.report import console_table, write_feedback, write_results_json

    result = grade_submission(
        Path(args.submission), include_hidden=not args.visible_only, only=args.assignment or None
    )
    print(console_table(result, details=not args.quiet))
    if args.results:
        write_results_json(result, Path(args.results))
        print(f"\nresults.json written to {args.results}")
    if args.feedback:
        written = write_feedback(result, Path(args.feedback))
        print("Feedback written to " + ", ".join(str(p) for p in written))
    return 0


def _find_student_root(path: str | None) -> Path:
    if path:
        return Path(path)
    here = Path.cwd()
    for candidate in (here, here / "assignments", here.parent):
        if any(
            (candidate / f).is_dir()
            for f in ("a1_perceptron", "a2_gradient_descent", "a3_backprop", "a4_mlp")
        ):
            return candidate
    return here


def _check(args: argparse.Namespace) -> int:
    from autograder.grade import grade_submission
    from autograder.report import console_table

    root = _find_student_root(args.path)
    only = None
    if args.assignment:
        only = [args.assignment if args.assignment.startswith("a") else f"a{args.assignment}"]
    result = grade_submission(root, include_hidden=False, only=only)
    print(console_table(result))
    print(
        "\nThese are the visible checks. Grading also runs hidden checks on other inputs,"
        "\nso a pass here is necessary, not sufficient."
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from autograder.corpus import entries, materialize
    from autograder.grade import grade_submission
    from autograder.report import console_table

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


def _make_stubs(args: argparse.Namespace) -> int:
    from autograder.stubs import make_stubs

    return make_stubs(REPO_ROOT, check_only=args.check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Backprop Lab: grade neural-network assignments out of process.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    grade = commands.add_parser("grade", help="grade one submission directory")
    grade.add_argument("submission", help="a directory laid out like assignments/")
    grade.add_argument("--results", help="write Gradescope's results.json here")
    grade.add_argument("--feedback", help="write a feedback report here (.md or .html)")
    grade.add_argument(
        "--assignment",
        action="append",
        metavar="aN",
        help="grade this assignment even if missing (repeatable)",
    )
    grade.add_argument("--visible-only", action="store_true", help="skip the hidden checks")
    grade.add_argument("--quiet", action="store_true", help="table only, no failure details")
    grade.set_defaults(func=_grade)

    check = commands.add_parser("check", help="students: run the visible checks on your work")
    check.add_argument("assignment", nargs="?", help="a1, a2, a3 or a4 (default: all present)")
    check.add_argument("--path", help="your assignments folder (default: found from here)")
    check.set_defaults(func=_check)

    demo = commands.add_parser("demo", help="grade the bundled example submissions")
    demo.set_defaults(func=_demo)

    stubs = commands.add_parser("make-stubs", help="generate assignments/ from the reference")
    stubs.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")
    stubs.set_defaults(func=_make_stubs)

    for name, (module_name, help_text) in EXTRA_COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            sub.set_defaults(func=lambda args, n=name: _unavailable(n))
            continue
        module.add_arguments(sub)
        sub.set_defaults(func=module.run)
    return parser


def _unavailable(name: str) -> int:
    print(f"autograder: '{name}' is not available in this installation.", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    from autograder.grade import GradingError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("autograder"):
            raise
        print(f"autograder: '{args.command}' needs {error.name}, which this installation"
              " (a student bundle?) does not include.", file=sys.stderr)
        return 2
    except GradingError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a path the user gave cannot be read or written
        where = f": {error.filename}" if error.filename else ""
        print(f"autograder: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted.", file=sys.stderr)
        return 130
