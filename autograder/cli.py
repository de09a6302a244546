"""The ``autograder`` command: grade and check, plus the staff commands when installed.

Every command returns an exit status; a problem with the user's input is one clear line on
stderr and status 2, never a traceback from inside the kit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from autograder import __version__


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



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Backprop Lab: grade neural-network assignments out of process.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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

    for name, (module_name, help_text) in staff_commands().items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=help_text)
        module.add_arguments(sub)
        sub.set_defaults(func=module.run)
    return parser


def staff_commands() -> dict[str, tuple[str, str]]:
    """The staff commands, when autograder/staff/ is installed (never in the student bundle)."""
    try:
        from autograder.staff import COMMANDS
    except ModuleNotFoundError as error:
        if error.name not in ("autograder.staff",):
            raise
        return {}
    return COMMANDS


def main(argv: list[str] | None = None) -> int:
    from autograder.grade import GradingError, NotGraded

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
    except NotGraded as error:
        print(f"autograder: {error}", file=sys.stderr)
        return NotGraded.EXIT_STATUS
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
