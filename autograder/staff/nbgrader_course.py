"""``autograder nbgrader``: build an nbgrader course from the kit, and push the kit's grades in.

``course --out DIR`` writes ``nbgrader_config.py``, ``source/<folder>/`` per assignment (the
notebook with one graded cell per task, the STUB modules, never the reference) and a
``for_students/nbgrader_config.py``.

``push-grades --course DIR`` grades every collected submission with the kit, out of process,
and writes each task's points into nbgrader's gradebook as the grade cell's ``manual_score``
(see docs/NBGRADER.md for why manual, not auto): the kernel that ran the graded cells also
ran the student's cells, so its numbers are not trusted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from autograder.checks.framework import Assignment

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_COURSE_ID = "backprop-lab"
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"  # nbgrader's own default Exchange.root

CELL_TIMEOUT_SECONDS = 300
"""nbgrader's Execute.timeout per cell. The first graded cell grades the whole module with
the visible checks (a few seconds for the reference; A4 trains small networks); nbgrader's
default of 30 s is too tight for a slow but correct A4 on a loaded machine, and 300 s still
stops an endless loop well within a class-sized autograde run."""

NBGRADER_SCHEMA_VERSION = 3  # the cell-metadata schema of nbgrader 0.9
NOTES_STUB = "# (your notes for the grader, as comments)"
REPORT_CELL_ID = "kit_report"
"""Grade id of the notebook's free-text cell whose comment carries the kit's full report."""


# ---------------------------------------------------------------------------------------------
# Which assignments, and how a task maps to a grade cell


def assignments(names: list[str] | None = None) -> list[Assignment]:
    """The kit's assignments (all, or those named "a1" / "a1_perceptron"), in order."""
    from autograder.checks import suite

    known = [s.assignment for s in suite(include_hidden=False)]
    if not names:
        return known
    chosen = []
    for name in names:
        match = [a for a in known if name in (a.id, a.folder)]
        if not match:
            choices = ", ".join(a.folder for a in known) or "none: no checks module is installed"
            raise CourseError(f"unknown assignment {name!r}; choose from {choices}.")
        chosen += [a for a in match if a not in chosen]
    return chosen


def grade_id(task_id: str) -> str:
    """nbgrader grade id of a task's graded cell: "1.3" -> "task_1_3"."""
    return "task_" + task_id.replace(".", "_")


class CourseError(Exception):
    """A problem with the instructor's input: one clear line, exit status 2."""


# ---------------------------------------------------------------------------------------------
# Building the course


def _nbgrader_meta(cell_id: str, *, grade: bool, solution: bool, locked: bool, points=None):
    meta = {
        "grade": grade,
        "grade_id": cell_id,
        "locked": locked,
        "schema_version": NBGRADER_SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def graded_cell_source(a: Assignment, task_id: str) -> str:
    """The code of the graded cell of one task; its last line is a float expression."""
    task = a.task(task_id)
    return (
        f"# Task {task.id}: {task.title} ({task.points:g} points). Runs the kit's visible checks\n"
        f"# of this task on {a.module}.py (out of process) and prints what failed.\n"
        "from autograder.nbgrader_cells import task_score\n"
        "\n"
        f'float(task_score("{a.id}", "{task.id}"))'
    )


def grading_cells(a: Assignment) -> list:
    """A header, one graded cell per task, then the report cell's header and the report cell."""
    from nbformat import v4

    table = "\n".join(f"| {t.id} | {t.title} | {t.points:g} |" for t in a.tasks)
    header = v4.new_markdown_cell(
        "## Grading\n\n"
        "Each graded cell (one per task) runs the visible checks of its task on your"
        f" `{a.module}.py` and shows the points they give. Your grade comes from the kit's own"
        " grading of the module you submit, hidden checks included; editing or patching the"
        " graded cells changes nothing.\n\n"
        "| task | function | points |\n|---|---|---|\n" + table,
        metadata=_nbgrader_meta("grading_header", grade=False, solution=False, locked=True),
    )
    cells = [header]
    for t in a.tasks:
        cells.append(
            v4.new_code_cell(
                graded_cell_source(a, t.id),
                metadata=_nbgrader_meta(
                    grade_id(t.id), grade=True, solution=False, locked=True, points=t.points
                ),
            )
        )
    cells.append(
        v4.new_markdown_cell(
            "### Notes for the grader (optional)\n\nWrite anything the grader should know as"
            " comments in the cell below. The grader's full report on your module (every failed"
            " check, hidden ones included) is attached to that cell in your feedback.",
            metadata=_nbgrader_meta("kit_report_header", grade=False, solution=False, locked=True),
        )
    )
    cells.append(
        v4.new_code_cell(
            "### BEGIN SOLUTION\n### END SOLUTION",
            metadata=_nbgrader_meta(REPORT_CELL_ID, grade=False, solution=True, locked=False),
        )
    )
    return cells


def _heading(cell) -> str:
    first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
    return first if cell.cell_type == "markdown" and first.startswith("## ") else ""


def place_grading_cells(nb, a: Assignment) -> None:
    """Put each task's graded cell at the end of its "## Task N.M" section.

    A notebook without such a heading for every task gets all its graded cells at the end,
    after the "## Grading" table; the table and the report cell always close the notebook.
    """
    header, *graded, report_header, report = grading_cells(a)
    starts = {}
    for index, cell in enumerate(nb.cells):
        for t in a.tasks:
            if _heading(cell).startswith(f"## Task {t.id}") and t.id not in starts:
                starts[t.id] = index
    if len(starts) < len(a.tasks):
        nb.cells.extend([header, *graded, report_header, report])
        return
    ends = {}
    for t in a.tasks:
        end = starts[t.id] + 1
        while end < len(nb.cells) and not _heading(nb.cells[end]):
            end += 1
        ends[t.id] = end
    # Insert from the bottom up (later tasks first) so earlier indexes stay valid.
    order = sorted(range(len(a.tasks)), key=lambda i: (ends[a.tasks[i].id], i), reverse=True)
    for i in order:
        nb.cells.insert(ends[a.tasks[i].id], graded[i])
    nb.cells.extend([header, report_header, report])


def course_notebook(a: Assignment, notebook_json: bytes | None):
    """The assignment's notebook with the grading cells appended (a minimal one if none)."""
    import nbformat
    from nbformat import v4

    if notebook_json is None:
        nb = v4.new_notebook()
        nb.cells.append(
            v4.new_markdown_cell(
                f"# {a.title}\n\nImplement the functions of `{a.module}.py` (in this folder)."
            )
        )
    else:
        nb = nbformat.reads(notebook_json.decode("utf-8"), as_version=4)
    for cell in nb.cells:
        if "BEGIN SOLUTION" in cell.source or "nbgrader" in cell.metadata:
            raise CourseError(
                f"{a.folder}.ipynb already holds nbgrader markup or a solution marker; the kit's"
                " notebooks must hold neither (solutions live in the modules)."
            )
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    place_grading_cells(nb, a)
    nb.metadata.setdefault(
        "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"}
    )
    nbformat.validate(nb)
    return nb


def assignment_files(a: Assignment, reference_root: Path) -> dict[str, bytes]:
    """File name -> bytes of source/<folder>/: stub modules made from the reference, notebook.

    The stubs are generated here from the reference's solution markers (the same code as
    ``autograder make-stubs``), so a stale or missing ``assignments/`` cannot leak anything.
    """
    import nbformat

    from autograder.staff.stubs import expected_outputs

    generated = expected_outputs(reference_root, only=[a.folder])
    files: dict[str, bytes] = {}
    notebook: bytes | None = None
    for rel, data in generated.items():
        name = rel.relative_to(a.folder).as_posix()
        if rel.suffix == ".py":
            files[name] = data
        elif name == f"{a.folder}.ipynb":
            notebook = data
    if f"{a.module}.py" not in files:
        raise CourseError(f"reference_solution/{a.folder}/{a.module}.py is missing.")
    nb = course_notebook(a, notebook)
    files[f"{a.folder}.ipynb"] = nbformat.writes(nb).encode("utf-8")
    for path in sorted((reference_root / a.folder).iterdir()):
        # Data the notebook reads from its own folder (anything but code, notebooks, caches).
        if path.is_file() and path.suffix not in (".py", ".ipynb", ".pyc"):
            files[path.name] = path.read_bytes()
    return files


def config_text(course_id: str, exchange: str, chosen: list[Assignment], modules: dict) -> str:
    """The course's nbgrader_config.py."""
    exclude = {a.folder: modules[a.folder] for a in chosen}
    lines = [
        '"""nbgrader configuration of a Backprop Lab course (`autograder nbgrader course`)."""',
        "",
        "c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file",
        "",
        f"c.CourseDirectory.course_id = {course_id!r}",
        "# Where release_assignment / fetch / submit / collect meet; students need the same value.",
        f"c.Exchange.root = {exchange!r}",
        "",
        "# Students edit these modules beside the notebook. nbgrader's autograde replaces every",
        "# file of source/<assignment>/ in the submission with the source copy (here: the stub)",
        "# unless it is listed here.",
        f"c.Autograde.exclude_overwriting = {exclude!r}",
        "",
        "# A graded cell runs the kit's visible checks; the default 30 s is too tight for A4.",
        f"c.Execute.timeout = {CELL_TIMEOUT_SECONDS}",
        "c.Execute.interrupt_on_timeout = True",
        "",
        "# The only solution cell of the kit's notebooks is the free-text notes cell that carries",
        "# the kit's report (solutions live in the modules): a comment, not a failing stub.",
        f"c.ClearSolutions.code_stub = {{'python': {NOTES_STUB!r}}}",
        "",
        "",
    ]
    return "\n".join(lines)


def student_config_text(course_id: str, exchange: str) -> str:
    """The students' nbgrader_config.py (in ~/.jupyter/ or the folder they work in)."""
    return "\n".join(
        [
            '"""Student side of a Backprop Lab nbgrader course: fetch and submit."""',
            "",
            "c = get_config()  # noqa: F821",
            f"c.CourseDirectory.course_id = {course_id!r}",
            f"c.Exchange.root = {exchange!r}",
            "",
        ]
    )


def build_course(
    out: Path,
    *,
    course_id: str = DEFAULT_COURSE_ID,
    exchange: str = DEFAULT_EXCHANGE,
    names: list[str] | None = None,
    force: bool = False,
    reference_root: Path | None = None,
) -> list[Path]:
    """Write the course into ``out``; return the files written. Refuses to overwrite
    an existing ``nbgrader_config.py`` or ``source/<folder>/`` unless ``force``."""
    from autograder.staff.stubs import StubError

    reference_root = reference_root or REPO_ROOT / "reference_solution"
    chosen = assignments(names)
    if not chosen:
        raise CourseError("no assignment has a checks module yet: nothing to build.")
    out = Path(out)
    config = out / "nbgrader_config.py"
    if not force:
        taken = [config] if config.exists() else []
        taken += [out / "source" / a.folder for a in chosen if (out / "source" / a.folder).exists()]
        if taken:
            raise CourseError(
                f"{', '.join(map(str, taken))} already exist(s); pass --force to replace."
            )
    try:
        contents = {a.folder: assignment_files(a, reference_root) for a in chosen}
    except StubError as error:
        raise CourseError(str(error)) from None
    modules = {
        folder: sorted(name for name in files if name.endswith(".py"))
        for folder, files in contents.items()
    }
    written = []
    for folder, files in contents.items():
        target = out / "source" / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, data in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
            written.append(target / name)
    config.write_text(config_text(course_id, exchange, chosen, modules))
    student = out / "for_students" / "nbgrader_config.py"
    student.parent.mkdir(parents=True, exist_ok=True)
    student.write_text(student_config_text(course_id, exchange))
    return [config, student, *written]


# ---------------------------------------------------------------------------------------------
# Pushing the kit's grades into the gradebook


@dataclass
class Pushed:
    """One submission's grades as written: student, assignment, points, max points, note."""

    student: str
    assignment: str
    score: float
    max_score: float
    note: str = ""
    graded: bool = True
    """False when the kit could not grade it: nothing was written, ``note`` says why."""


def course_settings(course: Path) -> tuple[str, str]:
    """(course_id, db_url) from the course's nbgrader_config.py, with nbgrader's defaults."""
    from traitlets.config.loader import PyFileConfigLoader

    course = Path(course)
    if not (course / "nbgrader_config.py").is_file():
        raise CourseError(f"{course} has no nbgrader_config.py: is it an nbgrader course folder?")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    course_id = config.CourseDirectory.get("course_id", "") or "default_course"
    db_url = (
        config.CourseDirectory.get("db_url", "") or f"sqlite:///{course.resolve()}/gradebook.db"
    )
    return course_id, db_url


def _copy_submission(folder: Path, a: Assignment, tmp: Path) -> Path:
    """A private copy of a collected folder, laid out as a kit submission (tmp/<folder>/)."""
    target = tmp / a.folder
    shutil.copytree(
        folder,
        target,
        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__", "*.html"),
    )
    return tmp


def push_grades(
    course: Path,
    *,
    names: list[str] | None = None,
    source: str = "submitted",
    students: list[str] | None = None,
    progress=None,
    jobs: int = 1,
) -> list[Pushed]:
    """Grade every recorded submission with the kit and store each task as manual_score.

    ``jobs`` grading processes run in parallel (grade-all's pool, one sandbox slot each);
    this process alone writes nbgrader's gradebook, as each submission finishes. A
    submission the kit could not grade (a fault of the grader) gets no score written: its
    Pushed has ``graded=False`` and the reason."""
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.grade import SubmissionResult
    from autograder.report import markdown_feedback
    from autograder.staff.batch import run_pool
    from autograder.staff.grading_task import grade_one, resolve_reference
    from autograder.staff.layout import Submission

    course = Path(course)
    course_id, db_url = course_settings(course)
    grader = partial(grade_one, reference=resolve_reference(None))
    pushed: list[Pushed] = []
    with Gradebook(db_url, course_id) as gb, tempfile.TemporaryDirectory(
        prefix="backprop-lab-push-"
    ) as tmp:
        recorded = {x.name for x in gb.assignments}
        chosen = [a for a in assignments(names) if names or a.folder in recorded]
        for a in chosen:
            if a.folder not in recorded:
                raise CourseError(
                    f"{a.folder} is not in the gradebook: run `nbgrader generate_assignment"
                    f" {a.folder}` and `nbgrader autograde {a.folder}` first."
                )
            _check_cells(gb, a)
            todo = []
            for submission in gb.assignment_submissions(a.folder):
                student = submission.student.id
                if students and student not in students:
                    continue
                folder = course / source / student / a.folder
                staged = Path(tmp) / a.folder / student
                staged.mkdir(parents=True)
                if folder.is_dir():  # else graded as missing: every task 0, with the reason
                    _copy_submission(folder, a, staged)
                todo.append(Submission(student, staged, folder))

            def write(sub: Submission, status: str, reason: str, data: dict | None, a=a) -> None:
                if status != "graded" or data is None:
                    item = Pushed(sub.student, a.folder, 0.0, a.max_points, reason, graded=False)
                else:
                    result = SubmissionResult.from_dict(data)
                    result.submission = f"{sub.student}, {a.folder}"
                    graded = result.assignments[0]
                    for task in graded.tasks:
                        grade = gb.find_grade(grade_id(task.task), a.folder, a.folder, sub.student)
                        grade.manual_score = task.score
                        grade.needs_manual_grade = False
                    try:
                        comment = gb.find_comment(REPORT_CELL_ID, a.folder, a.folder, sub.student)
                        comment.manual_comment = markdown_feedback(result)
                    except MissingEntry:
                        pass  # a notebook built without the report cell: grades only
                    gb.db.commit()
                    item = Pushed(
                        sub.student, a.folder, graded.score, graded.max_score, graded.note
                    )
                pushed.append(item)
                if progress:
                    progress(item)

            run_pool(todo, [a.id], max(1, jobs), grader, write)
    return pushed


def _check_cells(gb, a: Assignment) -> None:
    """The gradebook's grade cells must be the kit's tasks with the kit's points."""
    notebook = gb.find_notebook(a.folder, a.folder)
    cells = {cell.name: cell.max_score for cell in notebook.grade_cells}
    wanted = {grade_id(t.id): float(t.points) for t in a.tasks}
    if cells != wanted:
        raise CourseError(
            f"the gradebook's grade cells of {a.folder} ({cells}) are not the kit's tasks"
            f" ({wanted}): rebuild source/ with `autograder nbgrader course --force` and run"
            " `nbgrader generate_assignment --force`."
        )


# ---------------------------------------------------------------------------------------------
# Command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``autograder nbgrader course ...`` and ``autograder nbgrader push-grades ...``."""
    sub = parser.add_subparsers(dest="nbgrader_command", metavar="SUBCOMMAND")
    course = sub.add_parser("course", help="write an nbgrader course (config, source/) to DIR")
    course.add_argument("--out", required=True, help="the course folder to write")
    course.add_argument("--course-id", default=DEFAULT_COURSE_ID, help="nbgrader course id")
    course.add_argument(
        "--exchange", default=DEFAULT_EXCHANGE, help=f"Exchange.root (default {DEFAULT_EXCHANGE})"
    )
    course.add_argument(
        "--assignment", action="append", metavar="aN", help="only this one (repeatable)"
    )
    course.add_argument("--force", action="store_true", help="replace an existing config/source")
    push = sub.add_parser("push-grades", help="grade collected submissions; write the gradebook")
    push.add_argument("--course", required=True, help="the nbgrader course folder")
    push.add_argument(
        "--assignment", action="append", metavar="aN", help="only this one (repeatable)"
    )
    push.add_argument("--student", action="append", help="only this student (repeatable)")
    push.add_argument(
        "--jobs", "-j", type=int, default=1, help="grading processes in parallel (default 1)"
    )
    push.add_argument(
        "--from",
        dest="source",
        choices=("submitted", "autograded"),
        default="submitted",
        help="which copy of the files to grade (default: submitted, as collected)",
    )


def run(args: argparse.Namespace) -> int:
    """Dispatch the sub-command; a CourseError is one line on stderr and status 2."""
    try:
        if args.nbgrader_command == "course":
            written = build_course(
                Path(args.out),
                course_id=args.course_id,
                exchange=args.exchange,
                names=args.assignment,
                force=args.force,
            )
            for path in written:
                print(f"wrote {path}")
            folders = sorted({p.parent.name for p in written if p.parent.parent.name == "source"})
            print(f"\nNext: cd {args.out} && nbgrader generate_assignment {folders[0]}")
            return 0
        if args.nbgrader_command == "push-grades":

            if args.jobs < 1:
                raise CourseError("--jobs must be at least 1.")

            def show(item: Pushed) -> None:
                note = f"  ({item.note.splitlines()[0]})" if item.note else ""
                points = (f"{item.score:.2f} / {item.max_score:.2f}" if item.graded
                          else "NOT GRADED")
                print(f"{item.assignment}  {item.student:<20} {points}{note}")

            pushed = push_grades(
                Path(args.course),
                names=args.assignment,
                source=args.source,
                students=args.student,
                progress=show,
                jobs=args.jobs,
            )
            if not pushed:
                print("no submission in the gradebook: run `nbgrader autograde` first.")
            failed = [item for item in pushed if not item.graded]
            if failed:
                print(f"{len(failed)} submission(s) not graded (no score written): see above.",
                      file=sys.stderr)
                return 3
            return 0
    except CourseError as error:
        print(f"autograder nbgrader: {error}", file=sys.stderr)
        return 2
    print("usage: autograder nbgrader {course,push-grades} ... (see --help)", file=sys.stderr)
    return 2


def isolated_jupyter_env(tmp: Path) -> dict[str, str]:
    """os.environ with Jupyter's and IPython's config, data and runtime dirs under ``tmp``,
    so an nbgrader run (a test, a benchmark) neither reads nor writes the user's own."""
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        path = Path(tmp) / "jupyter" / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env.pop("JUPYTER_PATH", None)
    return env
