"""The nbgrader round trip with real nbgrader: build, release, fetch, submit, collect,
autograde, push the kit's grades, feedback, export; the export must equal the kit's grades.

Four students play in one temporary exchange: the reference module, a corpus bug, a module
with a syntax error, and a stub whose notebook patches the graded cells' helper so that the
kernel reports full points. nbgrader's own commands run as subprocesses with every Jupyter
directory in the temporary folder.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, REFERENCE

from autograder.staff.nbgrader_course import isolated_jupyter_env

FOLDER = "a1_perceptron"
KIT_ID = "a1"
MODULE = "perceptron.py"
COURSE_ID = "bpl-test"
COMMAND_TIMEOUT = 300  # seconds; one nbgrader command here takes 3-20 s
SCORE_TOLERANCE = 1e-6  # the gradebook sums the same rounded task scores as the kit

PATCH_CELL = (
    "import autograder.nbgrader_cells as _cells\n"
    # A negative number earns full points in nbgrader (one above the cell's points would
    # fail the whole submission instead): the cheapest way to claim every point.
    "_cells.task_score = lambda *args, **kwargs: -1.0\n"
)


TIMINGS: dict[str, float] = {}


def _run(args: list[str], cwd: Path, env: dict, check: bool = True):
    started = time.perf_counter()
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
    )
    name = " ".join(a for a in args[2:5] if not a.startswith("-"))
    TIMINGS[name] = TIMINGS.get(name, 0.0) + time.perf_counter() - started
    if check and done.returncode != 0:
        raise AssertionError(f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def _nbgrader(*args: str, cwd: Path, env: dict, check: bool = True):
    return _run([sys.executable, "-m", "nbgrader", *args], cwd, env, check)


def _parallel(commands: list[tuple[list[str], Path]], env: dict) -> None:
    """Run nbgrader commands of different students at once (each pays ~3 s of start-up)."""
    procs = [
        (
            args,
            subprocess.Popen(
                [sys.executable, "-m", "nbgrader", *args],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for args, cwd in commands
    ]
    for args, proc in procs:
        out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
        assert proc.returncode == 0, f"nbgrader {args} failed:\n{out}\n{err}"


def _buggy_entry():
    from autograder.staff.corpus import entries

    found = [e for e in entries(CORPUS / "buggy") if e.folder == FOLDER]
    return found[0] if found else None


def _student_modules(tmp: Path) -> dict[str, Path]:
    """Student id -> a kit-style submission root holding a1_perceptron/perceptron.py."""
    from autograder.staff.corpus import materialize
    from autograder.staff.stubs import make_stub

    roots: dict[str, Path] = {}
    reference = (REFERENCE / FOLDER / MODULE).read_text()

    def write(student: str, text: str) -> None:
        folder = tmp / "kit" / student / FOLDER
        folder.mkdir(parents=True)
        (folder / MODULE).write_text(text)
        roots[student] = folder.parent

    write("alice_reference", reference)
    entry = _buggy_entry()
    if entry is not None:
        root = materialize(entry, REFERENCE, tmp / "corpus")
        write("bob_buggy", (root / FOLDER / MODULE).read_text())
    write("carol_syntax", reference.replace("def predict(", "def predict(:", 1))
    write("dave_patcher", make_stub(reference, MODULE, 1))
    return roots


def _patch_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell(PATCH_CELL))
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    """Run the whole round trip once; the tests below read what it left behind."""
    tmp = tmp_path_factory.mktemp("nbgrader")
    env = isolated_jupyter_env(tmp)
    course, exchange = tmp / "course", tmp / "exchange"
    exchange.mkdir()
    _run(
        [
            sys.executable,
            "-m",
            "autograder",
            "nbgrader",
            "course",
            "--out",
            str(course),
            "--course-id",
            COURSE_ID,
            "--exchange",
            str(exchange),
            "--assignment",
            KIT_ID,
        ],
        tmp,
        env,
    )
    # The students' side reads the generated student config from JUPYTER_CONFIG_DIR.
    shutil.copy(course / "for_students" / "nbgrader_config.py", env["JUPYTER_CONFIG_DIR"])
    _nbgrader("generate_assignment", FOLDER, cwd=course, env=env)
    _nbgrader("release_assignment", FOLDER, cwd=course, env=env)

    modules = _student_modules(tmp)
    homes = {student: tmp / "home" / student for student in modules}
    for home in homes.values():
        home.mkdir(parents=True)
    _parallel([(["fetch_assignment", FOLDER], home) for home in homes.values()], env)
    for student, home in homes.items():
        shutil.copy(modules[student] / FOLDER / MODULE, home / FOLDER / MODULE)
    _patch_notebook(homes["dave_patcher"] / FOLDER / f"{FOLDER}.ipynb")
    # nbgrader's submit makes its course cache folder with isdir-then-makedirs: parallel
    # submits race there (FileExistsError), so it exists before they start.
    (Path(env["JUPYTER_DATA_DIR"]) / "nbgrader_cache" / COURSE_ID).mkdir(parents=True,
                                                                          exist_ok=True)
    _parallel(
        [(["submit", FOLDER, "--student", student], home) for student, home in homes.items()],
        env,
    )

    _nbgrader("collect", FOLDER, "--CollectApp.check_owner=False", cwd=course, env=env)
    # autograde exits 1 when any submission failed; the gradebook is what counts.
    _nbgrader("autograde", FOLDER, cwd=course, env=env, check=False)
    kernel_scores = _gradebook_scores(course, "auto_score")
    push = _run(
        [
            sys.executable,
            "-m",
            "autograder",
            "nbgrader",
            "push-grades",
            "--course",
            str(course),
            "--assignment",
            FOLDER,
        ],
        tmp,
        env,
    )
    _nbgrader("generate_feedback", FOLDER, cwd=course, env=env)
    _nbgrader("export", "--to", str(tmp / "grades.csv"), cwd=course, env=env)
    with open(tmp / "grades.csv", newline="") as fh:
        exported = {row["student_id"]: row for row in csv.DictReader(fh)}
    print("nbgrader round trip, seconds:", {k: round(v, 1) for k, v in TIMINGS.items()})
    return {
        "tmp": tmp,
        "course": course,
        "exchange": exchange,
        "modules": modules,
        "kernel_scores": kernel_scores,
        "push_output": push.stdout,
        "exported": exported,
    }


def _gradebook_scores(course: Path, column: str) -> dict[str, dict[str, float | None]]:
    """student -> grade id -> the column's value, read with nbgrader's own API."""
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float | None]] = {}
    with Gradebook(f"sqlite:///{course}/gradebook.db", COURSE_ID) as gb:
        for submission in gb.assignment_submissions(FOLDER):
            notebook = gb.find_submission_notebook(FOLDER, FOLDER, submission.student.id)
            scores[submission.student.id] = {g.name: getattr(g, column) for g in notebook.grades}
    return scores


@pytest.fixture(scope="module")
def kit_grades(trip):
    """What `autograder grade` gives each student's files (hidden checks included)."""
    from autograder.grade import grade_submission

    return {
        student: grade_submission(root, only=[KIT_ID]) for student, root in trip["modules"].items()
    }


def _solution_lines() -> set[str]:
    """Stripped lines of the reference's solution blocks that appear nowhere else in it."""
    from autograder.staff.stubs import find_blocks

    text = (REFERENCE / FOLDER / MODULE).read_text()
    lines = text.splitlines()
    inside: set[int] = set()
    for block in find_blocks(text, MODULE, 1):
        inside.update(range(block.begin, block.end - 1))  # 0-based indexes of the body
    solution = {lines[i].strip() for i in inside}
    elsewhere = {line.strip() for i, line in enumerate(lines) if i not in inside}
    return {s for s in solution - elsewhere if s and not s.startswith("#")}


@pytest.mark.slow
def test_release_holds_no_reference_code(trip):
    solution = _solution_lines()
    assert len(solution) > 10, "the reference should have solution code to look for"
    released = trip["exchange"] / COURSE_ID / "outbound" / FOLDER
    files = [p for p in released.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {MODULE, f"{FOLDER}.ipynb"}
    for path in files:
        text = path.read_text(errors="replace")
        if path.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        leaked = solution & {line.strip() for line in text.splitlines()}
        assert not leaked, f"{path.name} holds reference solution lines: {sorted(leaked)[:5]}"


@pytest.mark.slow
def test_release_has_one_graded_cell_per_task(trip):
    from autograder.checks import suite

    tasks = {s.assignment.id: s.assignment for s in suite(include_hidden=False)}[KIT_ID].tasks
    nb = json.loads(
        (trip["exchange"] / COURSE_ID / "outbound" / FOLDER / f"{FOLDER}.ipynb").read_text()
    )
    graded = {
        c["metadata"]["nbgrader"]["grade_id"]: c
        for c in nb["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
    }
    assert sorted(graded) == sorted("task_" + t.id.replace(".", "_") for t in tasks)
    for t in tasks:
        cell = graded["task_" + t.id.replace(".", "_")]
        assert cell["metadata"]["nbgrader"]["points"] == t.points
        assert "".join(cell["source"]).splitlines()[-1].startswith("float(")


@pytest.mark.slow
def test_autograde_kept_the_students_modules(trip):
    for student, root in trip["modules"].items():
        autograded = trip["course"] / "autograded" / student / FOLDER / MODULE
        assert autograded.read_text() == (root / FOLDER / MODULE).read_text(), student


@pytest.mark.slow
def test_kernel_scores_use_partial_credit_and_the_patch_fools_the_kernel(trip):
    scores, exported = trip["kernel_scores"], trip["exported"]
    max_score = float(exported["alice_reference"]["max_score"])
    assert sum(scores["alice_reference"].values()) == pytest.approx(max_score)
    assert sum(scores["carol_syntax"].values()) == 0.0
    # The threat this design answers: the patched kernel claims every point.
    assert sum(scores["dave_patcher"].values()) == pytest.approx(max_score)


@pytest.mark.slow
def test_graded_cells_write_nothing_to_stderr(trip):
    for student in trip["modules"]:
        nb = json.loads(
            (trip["course"] / "autograded" / student / FOLDER / f"{FOLDER}.ipynb").read_text()
        )
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade"):
                names = [o.get("name") for o in cell["outputs"] if o["output_type"] == "stream"]
                assert "stderr" not in names, (student, "".join(cell["source"]))
                assert all(o["output_type"] != "error" for o in cell["outputs"]), student


@pytest.mark.slow
def test_check_cells_print_the_table_and_neither_fail_nor_write_to_stderr(trip):
    """The notebook's own check("1.3") cells ran under autograde beside the graded cells
    (whose scores the tests above read): a table each, no error, nothing on stderr."""
    for student in trip["modules"]:
        nb = json.loads(
            (trip["course"] / "autograded" / student / FOLDER / f"{FOLDER}.ipynb").read_text()
        )
        cells = [c for c in nb["cells"] if c["cell_type"] == "code"
                 and "from autograder.notebook import check" in "".join(c["source"])]
        assert len(cells) == 5, student  # one per task of a1
        for cell in cells:
            assert all(o["output_type"] == "stream" and o["name"] == "stdout"
                       for o in cell["outputs"]), (student, cell["outputs"])
            text = "".join("".join(o["text"]) for o in cell["outputs"])  # str or lines
            assert "Total: " in text and "could not run" not in text, (student, text)


@pytest.mark.slow
def test_export_equals_the_kits_grades(trip, kit_grades):
    exported = trip["exported"]
    assert set(exported) == set(trip["modules"])
    for student, result in kit_grades.items():
        row = exported[student]
        assert float(row["score"]) == pytest.approx(result.score, abs=SCORE_TOLERANCE), student
        assert float(row["max_score"]) == pytest.approx(result.max_score), student
    reference = kit_grades["alice_reference"]
    assert float(exported["alice_reference"]["score"]) == reference.max_score > 0
    assert float(exported["dave_patcher"]["score"]) == 0.0  # its TRUE grade: a stub
    assert float(exported["carol_syntax"]["score"]) == 0.0


@pytest.mark.slow
def test_buggy_student_loses_points_in_the_export(trip, kit_grades):
    if "bob_buggy" not in trip["modules"]:
        pytest.skip(f"tests/corpus/buggy/ has no entry for {FOLDER} yet")
    score = float(trip["exported"]["bob_buggy"]["score"])
    assert 0.0 < score < kit_grades["alice_reference"].max_score


@pytest.mark.slow
def test_feedback_shows_the_kits_grade_and_report(trip, kit_grades):
    for student in ("alice_reference", "dave_patcher"):
        result = kit_grades[student]
        html = (trip["course"] / "feedback" / student / FOLDER / f"{FOLDER}.html").read_text()
        # nbgrader's own score line, read from the gradebook, and the kit's report (comment).
        assert f"{FOLDER} (Score: {float(result.score)} / {float(result.max_score)})" in html
        assert f"Total: {result.score:.2f} / {result.max_score:.2f} points" in html
    dave = (trip["course"] / "feedback" / "dave_patcher" / FOLDER / f"{FOLDER}.html").read_text()
    assert "Task 1.1: implement add_bias" in dave  # a failed check's message, in full


@pytest.mark.slow
def test_push_grades_is_repeatable(trip):
    before = _gradebook_scores(trip["course"], "manual_score")
    done = _run(
        [
            sys.executable,
            "-m",
            "autograder",
            "nbgrader",
            "push-grades",
            "--course",
            str(trip["course"]),
            "--student",
            "alice_reference",
        ],
        trip["tmp"],
        isolated_jupyter_env(trip["tmp"]),
    )
    assert "alice_reference" in done.stdout and "dave_patcher" not in done.stdout
    assert _gradebook_scores(trip["course"], "manual_score") == before


def test_course_source_holds_stubs_config_and_one_graded_cell_per_task(tmp_path):
    """Fast: the built course for every assignment with checks, without running nbgrader."""
    import nbformat
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.staff.nbgrader_course import assignments, build_course, grade_id
    from autograder.staff.stubs import make_stub

    build_course(tmp_path, exchange=str(tmp_path / "exchange"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    chosen = assignments()
    assert chosen, "no assignment has checks yet"
    assert config.Autograde.exclude_overwriting == {a.folder: [f"{a.module}.py"] for a in chosen}
    for a in chosen:
        source = tmp_path / "source" / a.folder
        reference = (REFERENCE / a.folder / f"{a.module}.py").read_text()
        number = int(a.id[1:])
        assert (source / f"{a.module}.py").read_text() == make_stub(reference, a.module, number)
        nb = nbformat.read(source / f"{a.folder}.ipynb", as_version=4)
        graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert [c.metadata.nbgrader.grade_id for c in graded] == [grade_id(t.id) for t in a.tasks]
        assert [c.metadata.nbgrader.points for c in graded] == [t.points for t in a.tasks]


def test_course_refuses_to_overwrite_without_force(tmp_path):
    from autograder.staff.nbgrader_course import CourseError, build_course

    build_course(tmp_path)
    with pytest.raises(CourseError, match="--force"):
        build_course(tmp_path)
    build_course(tmp_path, force=True)
