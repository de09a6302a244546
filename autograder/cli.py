"""The ``autograder`` command: grade and check, plus the commands an installation registers.

Every command returns an exit status; a problem with the user's input is one clear line on
stderr and status 2, never a traceback from inside the kit.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from autograder import __version__

FEEDBACK_SUFFIXES = (".md", ".html", ".htm")
"""What --feedback can write: Markdown (with SVG plots beside it) or self-contained HTML."""


def require_writable(option: str, path: Path | str, *, directory: bool = False) -> None:
    """Refuse, before any grading, an output path that cannot be written (one line naming the
    option), so an hour of grading is never lost to a typo in the last step."""
    from autograder.grade import GradingError

    path = Path(path)

    def refuse(why: str) -> None:
        raise GradingError(f"{option} {path}: cannot be written ({why}).")

    if path.exists():
        if directory and not path.is_dir():
            refuse("it is a file, not a directory")
        if not directory and path.is_dir():
            refuse("it is a directory")
        if not os.access(path, os.W_OK):
            refuse("permission denied")
        return
    ancestor = path.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        refuse(f"{ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        refuse(f"cannot create files in {ancestor}")


def require_feedback_path(path: Path | str) -> None:
    """--feedback writes Markdown or HTML, chosen by the suffix; anything else is refused."""
    from autograder.grade import GradingError

    if Path(path).suffix.lower() not in FEEDBACK_SUFFIXES:
        raise GradingError(
            f"--feedback {path}: the report is Markdown or HTML; name the file .md or .html."
        )
    require_writable("--feedback", path)


def _grade(args: argparse.Namespace) -> int:
    from autograder.assignment_pool import resolve_jobs
    from autograder.grade import GradingError, grade_submission
    from autograder.report import console_table, write_feedback, write_results_json

    if args.jobs < 0:
        raise GradingError(f"--jobs {args.jobs}: give 1 or more processes, or 0 for one per core.")
    if args.results:
        require_writable("--results", args.results)
    if args.feedback:
        require_feedback_path(args.feedback)
    result = grade_submission(
        Path(args.submission),
        include_hidden=not args.visible_only,
        only=args.assignment or None,
        reference=args.reference,
        jobs=resolve_jobs(args.jobs),
    )
    print(console_table(result, details=not args.quiet))
    if result.reference:
        print(f"Reference solution: {result.reference}")
    if args.results:
        write_results_json(result, Path(args.results))
        print(f"\nresults.json written to {args.results}")
    if args.feedback:
        written = write_feedback(result, Path(args.feedback))
        print("Feedback written to " + ", ".join(str(p) for p in written))
    return 0


def _assignment_folders() -> dict[str, str]:
    """Folder name -> assignment id ("a1_perceptron" -> "a1"), from the visible checks."""
    from autograder.checks import suite

    return {s.assignment.folder: s.assignment.id for s in suite(include_hidden=False)}


def find_assignments(start: Path | None = None) -> tuple[Path, str | None]:
    """(the folder holding the assignment folders, the assignment when ``start`` is inside
    one), searched from ``start`` (default: here) up through its parents, also trying each
    one's ``assignments/``: so ``check`` works from anywhere inside the bundle or checkout.
    GradingError says where it looked when there is none."""
    from autograder.grade import GradingError

    folders = _assignment_folders()
    here = Path(start or Path.cwd()).absolute()

    def holds(directory: Path) -> bool:
        return any((directory / f).is_dir() for f in folders)

    for directory in (here, *here.parents):
        if directory.name in folders and directory.is_dir():
            return directory.parent, folders[directory.name]
        if holds(directory):
            return directory, None
        if holds(directory / "assignments"):
            return directory / "assignments", None
    raise GradingError(
        f"no assignment folder ({', '.join(f + '/' for f in folders)}) found in {here},"
        f" its assignments/ or any parent folder up to /. Run this inside the folder you got"
        " (the bundle or your Classroom repository), or pass --path DIR."
    )


def _check(args: argparse.Namespace) -> int:
    from autograder.grade import GradingError, grade_submission

    folders = _assignment_folders()
    ids = {aid: folder for folder, aid in folders.items()}
    wanted = None
    if args.assignment:
        name = args.assignment.rstrip("/")
        wanted = folders.get(name) or (name if name in ids else f"a{name}")
        if wanted not in ids:
            raise GradingError(
                f"unknown assignment {args.assignment!r}: choose from {sorted(ids)}."
            )
    if args.task:
        task_assignment = "a" + args.task.split(".")[0]
        if wanted and wanted != task_assignment:
            raise GradingError(f"task {args.task} is not part of {wanted}.")
        wanted = task_assignment
    if args.path:
        root, inside = Path(args.path), None
        if root.name in folders:
            root, inside = root.parent, folders[root.name]
    else:
        root, inside = find_assignments()
    wanted = wanted or inside
    if wanted and not (root / ids.get(wanted, "")).is_dir():
        raise GradingError(f"{root} has no {ids.get(wanted, wanted)}/ folder.")
    result = grade_submission(
        root,
        include_hidden=False,
        only=[wanted] if wanted else None,
        tasks=[args.task] if args.task else None,
    )
    print(check_report(result, quiet=args.quiet))
    return 0


VISIBLE_ONLY = ("These are the visible checks. Grading also runs hidden checks on other inputs,"
                "\nso a pass here is necessary, not sufficient.")


def check_report(result, quiet: bool = False) -> str:
    """What ``autograder check`` prints: the table, the checks that passed, every failure
    (a check stopped by a stub's NotImplementedError as one line). ``quiet``: the table and
    one line per failed check."""
    from autograder.report import console_table, failure_sections, failure_summaries

    parts = [console_table(result, details=False)]
    if quiet:
        failures = failure_summaries(result)
        if failures:
            parts += ["", "What to fix:", *failures]
        return "\n".join(parts)
    passed = passed_checks(result)
    if passed:
        parts += ["", "Passed:", *passed]
    failures = failure_sections(result, short_stubs=True)
    if failures:
        parts += ["", "What to fix:", *failures]
    return "\n".join([*parts, "", VISIBLE_ONLY])


def passed_checks(result) -> list[str]:
    """One short line per task with passing checks: '  1.4  2/4: name; name'."""
    lines = []
    for a in result.assignments:
        for t in a.tasks:
            names = [c.name for c in t.checks if c.passed]
            if names:
                lines.append(f"  {t.task:<5} {len(names)}/{len(t.checks)}: " + "; ".join(names))
    return lines


def build_parser(command: str | None = "") -> argparse.ArgumentParser:
    """The parser; a staff command's own options are added (its module imported) only when
    ``command`` is that command or "" (every one: the default), so ``check`` and ``grade``
    import nothing staff-side, and ``autograder --help`` lists them all from their help line."""
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
    grade.add_argument(
        "--jobs", "-j", type=int, default=1, metavar="N",
        help="grade up to N assignments at once, each in its own process (0: one per core;"
        " default 1); the output is the same",
    )
    grade.add_argument(
        "--reference",
        type=Path,
        metavar="DIR",
        help="the reference solution for the hidden checks (default: $BACKPROP_LAB_REFERENCE,"
        " else reference_solution/ in the current directory or a parent, else this checkout's)"
        if command in ("", "grade", None) and reference_context_installed()
        else argparse.SUPPRESS,  # the student bundle has none; `check` never shows it
    )
    grade.set_defaults(func=_grade)

    check = commands.add_parser("check", help="students: run the visible checks on your work")
    check.add_argument(
        "assignment", nargs="?", help="a1, a2, a3 or a4 (default: the one you are in, or all)"
    )
    check.add_argument("--task", metavar="N.M", help="only this task's checks, e.g. 1.4")
    check.add_argument(
        "--path", help="your assignments folder (default: found from here and its parents)"
    )
    check.add_argument(
        "--quiet", action="store_true",
        help="only the table and one line per failed check",
    )
    check.set_defaults(func=_check)

    if command in BUILT_IN:
        return parser  # the registered commands are neither run nor listed
    for name, entry in registered_commands().items():
        sub = commands.add_parser(name, help=entry.help)
        if command in ("", name):  # only the command being run imports its module
            module = importlib.import_module(entry.module)
            module.add_arguments(sub)
            sub.set_defaults(func=module.run)
    return parser


BUILT_IN = ("grade", "check")
"""The commands every installation has (the student bundle has only these)."""

COMMANDS_GROUP = "backprop_lab.commands"
"""The entry point group of the commands an installation adds (pyproject.toml); each entry
loads to an object with ``module`` (add_arguments(parser), run(args)) and ``help``."""


def registered_commands() -> dict:
    """Name -> command of every registered command whose module is installed (none in the
    student bundle, whose pyproject declares no such group); the first of a name wins."""
    from autograder.context import registered

    found = {}
    for point in registered(COMMANDS_GROUP):
        if point.name in found:
            continue  # declared in the installed metadata and the pyproject alike
        try:
            found[point.name] = point.load()
        except ImportError:
            continue  # registered but absent (a bundle built from a stale checkout)
    return found


def reference_context_installed() -> bool:
    """Whether a staff context (hidden checks, a reference) is registered and its module is
    present: never in the student bundle, where ``grade --reference`` means nothing."""
    from importlib.util import find_spec

    from autograder.context import ENTRY_POINT_GROUP, registered

    for point in registered(ENTRY_POINT_GROUP):
        try:
            if find_spec(point.module) is not None:
                return True
        except (ImportError, ValueError):  # a parent package absent: the bundle
            continue
    return False


def detect_sandbox_soon() -> None:
    """Probe the sandbox (bwrap runs a Python importing numpy, ~0.2 s) in a thread while this
    process imports the checks: the probe's process runs on another core meanwhile."""
    import threading

    def detect() -> None:
        from autograder.isolation import sandbox

        sandbox.detect()

    threading.Thread(target=detect, name="bplab-detect", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((word for word in argv if not word.startswith("-")), None)
    helping = "-h" in argv or "--help" in argv
    if command in ("check", "grade") and not helping:
        # What the early thread runs is imported here first: two threads importing at once
        # can see a module half-initialised (dataclasses reading typing, seen in the
        # Gradescope emulation). Without numpy these cost a few ms.
        import autograder.context  # noqa: F401
        import autograder.isolation.sandbox  # noqa: F401
        import autograder.isolation.worker  # noqa: F401
    if command == "check" and not helping:
        launch_early_worker()
    elif command == "grade" and not helping:
        detect_sandbox_soon()
    try:
        return _run(argv, command)
    finally:
        if command == "check":
            from autograder.isolation import early_worker

            early_worker.close_unused()


def launch_early_worker() -> None:
    """``check``: the sandbox probed and the first worker launched in a thread while this
    process imports the checks (early_worker.py), for the context ``check`` grades with."""
    from autograder.isolation import early_worker

    def visible_context():  # the one scan of the installed metadata runs in this thread
        from autograder.context import SUBMISSION_BUDGET_SECONDS, default_context

        return default_context(False, None, SUBMISSION_BUDGET_SECONDS)

    early_worker.launch_soon(visible_context)


def _run(argv: list[str], command: str | None) -> int:
    from autograder.grade import GradingError, NotGraded

    parser = build_parser(command)
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
