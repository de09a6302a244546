"""grade-all: error rows, resume after a kill, regrading changed work, CSV, nbgrader layout.

The first tests run the batch machinery with a stand-in grader (fast, no sandbox); the
kill-and-resume test grades 50 real a1-only submissions through the command line.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grade import CheckResult, GradingError, NotGraded, SubmissionResult
from autograder.staff import batch
from autograder.staff.corpus import entries, materialize, read_entry
from autograder.staff.gradebook import SCHEMA, Gradebook, Row, export_csv, iter_rows
from autograder.staff.grading_task import error_result
from autograder.staff.layout import Submission, discover

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
CORPUS = REPO / "tests" / "corpus"

CLASS_SIZE = 50
"""The done-when of the issue: a class of 50 survives a kill half way."""

KILL_AFTER_ROWS = 12
"""Rows in the gradebook before the batch is SIGKILLed: well into the run, far from its end."""

SUBPROCESS_TIMEOUT = 600
"""Seconds a whole grade-all run of the class may take before the test gives up (the run
itself takes far less; this only bounds a hang)."""

BOUNDARY_BUG = """\
# target: a1_perceptron/perceptron.py
# bug: predicts +1 on the boundary (w . x = 0), which must count as -1
# loses: 1.2
# names: predict
def predict(w, Xb):
    return np.where(np.asarray(Xb, dtype=float) @ np.asarray(w, dtype=float) >= 0, 1.0, -1.0)
"""


# --------------------------------------------------------------------------- stand-in grader


def fake_grader(path: str, only: list[str], slot: int) -> dict:
    """Grades by directive in perceptron.py: SCORE=k (k of 5 tasks pass), RAISE, DIE."""
    from autograder.checks import suite

    text = (Path(path) / "a1_perceptron" / "perceptron.py").read_text()
    log = os.environ.get("FAKE_GRADER_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write(Path(path).name + "\n")
    if "DIE" in text:
        os.kill(os.getpid(), signal.SIGKILL)
    if "RAISE" in text:
        raise RuntimeError("boom in the grader")
    if "NOTGRADED" in text:
        raise NotGraded("the reference solution is missing at /nowhere")
    passing = int(text.split("SCORE=")[1].split()[0])
    a1 = next(s for s in suite(include_hidden=False) if s.assignment.id == "a1")
    result = error_result(Submission("x", Path(path), Path(path)), ["a1"], "")
    for i, task in enumerate(result.assignments[0].tasks):
        task.note = ""
        task.checks = [CheckResult("c", task.title, False, i < passing)]
    assert a1.assignment.tasks  # the point table exists
    return result.to_dict()


def all_pass_grader(path: str, only: list[str], slot: int) -> dict:
    """Every task of every assignment in ``only`` passes (for multi-assignment scopes)."""
    result = error_result(Submission("x", Path(path), Path(path)), only, "")
    for a in result.assignments:
        a.note = ""
        for task in a.tasks:
            task.note, task.checks = "", [CheckResult("c", task.title, False, True)]
    return result.to_dict()


def _class(root: Path, directives: dict[str, str]) -> Path:
    for student, directive in directives.items():
        folder = root / student / "a1_perceptron"
        folder.mkdir(parents=True)
        (folder / "perceptron.py").write_text(f"# {directive}\n")
    return root


def _rows(gradebook: Path) -> dict[str, Row]:
    return {row.student: row for row in iter_rows(gradebook)}


def _run(tmp_path: Path, directory: Path, **kwargs) -> batch.BatchSummary:
    return batch.run_batch(
        directory,
        tmp_path / "gradebook.db",
        only=["a1"],
        progress=False,
        grader=fake_grader,
        **kwargs,
    )


def test_a_raising_or_dying_grader_still_leaves_an_error_row(tmp_path):
    directory = _class(
        tmp_path / "class", {"ann": "SCORE=5", "bob": "SCORE=2", "cid": "DIE", "dee": "RAISE"}
    )
    summary = _run(tmp_path, directory, jobs=2, out_dir=tmp_path / "out")
    rows = _rows(tmp_path / "gradebook.db")
    assert sorted(rows) == ["ann", "bob", "cid", "dee"]
    assert (summary.graded, summary.errors) == (4, 2)
    assert rows["ann"].status == "graded" and rows["ann"].score == rows["ann"].max_score > 0
    assert 0 < rows["bob"].score < rows["bob"].max_score
    assert rows["cid"].status == "error" and "SIGKILL" in rows["cid"].reason
    assert rows["dee"].status == "error" and "boom in the grader" in rows["dee"].reason
    for row in rows.values():  # every row holds a full, readable SubmissionResult
        result = SubmissionResult.from_dict(json.loads(row.result_json))
        assert result.max_score == row.max_score and result.score == row.score
    assert "SIGKILL" in (tmp_path / "out" / "cid" / "feedback.md").read_text()
    assert json.loads((tmp_path / "out" / "bob" / "results.json").read_text())["tests"]


def test_resume_skips_unchanged_and_regrades_changed_submissions(tmp_path, monkeypatch):
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    directory = _class(tmp_path / "class", {f"s{i}": "SCORE=1" for i in range(4)})
    _run(tmp_path, directory, jobs=2)
    first = _rows(tmp_path / "gradebook.db")
    assert sorted(log.read_text().split()) == ["s0", "s1", "s2", "s3"]

    (directory / "s2" / "a1_perceptron" / "perceptron.py").write_text("# SCORE=4\n")
    log.unlink()
    summary = _run(tmp_path, directory, jobs=2)
    second = _rows(tmp_path / "gradebook.db")
    assert log.read_text().split() == ["s2"]  # graded once, the others skipped
    assert (summary.skipped, summary.graded) == (3, 1)
    assert sorted(second) == sorted(first)
    assert second["s2"].score > first["s2"].score
    assert second["s2"].content_hash != first["s2"].content_hash
    assert second["s0"] == first["s0"]

    log.unlink()
    _run(tmp_path, directory, jobs=1)
    assert not log.exists()  # nothing changed: nothing graded


def test_csv_has_one_column_per_task_and_the_right_values(tmp_path):
    directory = _class(tmp_path / "class", {"ann": "SCORE=5", "bob": "SCORE=2", "cid": "RAISE"})
    _run(tmp_path, directory, jobs=2)
    out = tmp_path / "class.csv"
    assert export_csv(tmp_path / "gradebook.db", out) == 3
    with out.open() as handle:
        table = list(csv.DictReader(handle))
    rows = _rows(tmp_path / "gradebook.db")
    tasks = [t for t in rows["ann"].result().assignments[0].tasks]
    header = list(table[0])
    assert header == [
        "student",
        "total",
        "max",
        *(f"a1:{t.task}" for t in tasks),
        "status",
        "reason",
    ]
    by_student = {line["student"]: line for line in table}
    assert [line["student"] for line in table] == ["ann", "bob", "cid"]
    for student, row in rows.items():
        line = by_student[student]
        assert float(line["total"]) == pytest.approx(row.score)
        assert float(line["max"]) == pytest.approx(row.max_score)
        for t in row.result().assignments[0].tasks:
            assert float(line[f"a1:{t.task}"]) == pytest.approx(t.score)
    assert float(by_student["bob"]["a1:1.1"]) == tasks[0].max_points
    assert float(by_student["bob"]["a1:1.5"]) == 0
    assert by_student["cid"]["status"] == "error" and "boom" in by_student["cid"]["reason"]


def test_export_csv_command_reads_an_existing_gradebook(tmp_path):
    directory = _class(tmp_path / "class", {"ann": "SCORE=3"})
    _run(tmp_path, directory)
    out = tmp_path / "export.csv"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade-all", "--export-csv", str(out),
         "--gradebook", str(tmp_path / "gradebook.db")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_text().splitlines()[1].startswith("ann,")


def test_nbgrader_submitted_layout_is_detected(tmp_path):
    course = tmp_path / "course"
    alice = course / "submitted" / "alice" / "a1_perceptron"
    alice.mkdir(parents=True)
    (alice / "perceptron.py").write_text("# SCORE=5\n")
    (alice / "timestamp.txt").write_text("2024-01-01 00:00:00\n")
    bob = course / "submitted" / "bob" / "a1"  # an nbgrader assignment named differently
    bob.mkdir(parents=True)
    (bob / "perceptron.py").write_text("# SCORE=1\n")
    (course / "gradebook.db").write_text("")  # nbgrader's: not ours, not looked at
    for given in (course, course / "submitted"):
        layout, subs = discover(given, tmp_path / f"staging-{given.name}")
        assert layout == "nbgrader"
        assert [s.student for s in subs] == ["alice", "bob"]
        assert subs[0].path == course / "submitted" / "alice"
        assert (subs[1].path / "a1_perceptron" / "perceptron.py").read_text() == "# SCORE=1\n"
    summary = _run(tmp_path, course)
    assert summary.layout == "nbgrader" and summary.graded == 2
    rows = _rows(tmp_path / "gradebook.db")
    assert rows["alice"].score > rows["bob"].score > 0


def test_plain_folders_layout_and_refusals(tmp_path):
    directory = _class(tmp_path / "class", {"ann": "SCORE=1"})
    assert discover(directory)[0] == "folders"
    with pytest.raises(GradingError, match="ONE submission"):
        discover(directory / "ann")
    foreign = tmp_path / "nbgrader.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE student (id TEXT)")
    with pytest.raises(GradingError, match="another program's database"):
        Gradebook(foreign)


# --------------------------------------------------------------------------- real grading


def _variants(tmp_path: Path) -> dict[str, Path]:
    """One-assignment (a1) submissions: reference, corpus bugs, syntax error, endless import."""
    built = tmp_path / "variants"
    variants = {"reference": built / "reference"}
    shutil.copytree(
        REFERENCE / "a1_perceptron",
        built / "reference" / "a1_perceptron",
        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"),
    )
    bug = tmp_path / "boundary_bug.py"
    bug.write_text(BOUNDARY_BUG)
    corpus = [read_entry(bug)] + [
        e for e in entries(CORPUS / "buggy") if e.folder == "a1_perceptron"
    ][:3]
    for entry in corpus:
        variants[entry.name] = materialize(entry, REFERENCE, built)
    for name, tail in (
        ("syntax_error", "\ndef broken(:\n    pass\n"),
        ("endless_import", "\nwhile True:\n    pass\n"),
    ):
        folder = built / name / "a1_perceptron"
        shutil.copytree(
            REFERENCE / "a1_perceptron", folder, ignore=shutil.ignore_patterns("*.ipynb")
        )
        module = folder / "perceptron.py"
        module.write_text(module.read_text() + tail)
        variants[name] = built / name
    return variants


def _grade_all(directory: Path, gradebook: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade-all", str(directory), "--jobs", "2",
         "--assignment", "a1", "--gradebook", str(gradebook)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )  # fmt: skip


def _count(gradebook: Path) -> int:
    if not gradebook.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # the table is not created yet


def _task_scores(row: Row) -> list[tuple[str, float]]:
    return [(t.task, t.score) for a in row.result().assignments for t in a.tasks]


@pytest.mark.slow  # about 75 s: 100 real gradings on 2 cores
def test_a_class_of_50_survives_sigkill_half_way_and_matches_an_uninterrupted_run(tmp_path):
    variants = _variants(tmp_path)
    names = [n for n in variants if n != "endless_import"]  # the slow one appears once only
    directory = tmp_path / "class"
    plan = {}
    for i in range(CLASS_SIZE):
        variant = "endless_import" if i == CLASS_SIZE // 2 else names[i % len(names)]
        plan[f"student{i:02d}"] = variant
        shutil.copytree(variants[variant], directory / f"student{i:02d}")

    # Uninterrupted: one submission of each variant.
    expected_dir = tmp_path / "expected"
    expected_dir.mkdir()
    for name, path in variants.items():
        shutil.copytree(path, expected_dir / name)
    batch.run_batch(expected_dir, tmp_path / "expected.db", jobs=2, only=["a1"], progress=False)
    expected = {row.student: row for row in iter_rows(tmp_path / "expected.db")}
    assert expected["reference"].score == expected["reference"].max_score > 0
    assert (
        expected["syntax_error"].score == 0
        and "SyntaxError" in expected["syntax_error"].result().assignments[0].note
    )
    assert 0 < expected["boundary_bug"].score < expected["boundary_bug"].max_score

    gradebook = tmp_path / "gradebook.db"
    first = _grade_all(directory, gradebook, start_new_session=True)
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT
    while _count(gradebook) < KILL_AFTER_ROWS and first.poll() is None:
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.communicate()
    before = _count(gradebook)
    assert KILL_AFTER_ROWS <= before < CLASS_SIZE, "the kill must land half way"

    second = _grade_all(directory, gradebook)
    out, err = second.communicate(timeout=SUBPROCESS_TIMEOUT)
    assert second.returncode == 0, err
    assert f"{CLASS_SIZE - before} graded now" in out  # nothing graded twice
    assert f"{before} already recorded" in out

    with sqlite3.connect(gradebook) as db:
        students = [r[0] for r in db.execute("SELECT student FROM grades")]
    assert len(students) == CLASS_SIZE == len(set(students))
    rows = {row.student: row for row in iter_rows(gradebook)}
    for student, variant in plan.items():
        assert _task_scores(rows[student]) == _task_scores(expected[variant]), (student, variant)
        assert rows[student].status == expected[variant].status


# --------------------------------------------------------------------------- scopes and outputs


def _csv(path: Path) -> list[dict]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_a_not_graded_submission_is_an_error_row_never_a_score(tmp_path):
    directory = _class(tmp_path / "class", {"ann": "NOTGRADED", "bob": "SCORE=5"})
    summary = _run(tmp_path, directory, out_dir=tmp_path / "out")
    rows = _rows(tmp_path / "gradebook.db")
    assert summary.errors == 1 and rows["bob"].status == "graded"
    assert rows["ann"].status == "error" and rows["ann"].reason.startswith("not graded:")
    line = {r["student"]: r for r in _csv_export(tmp_path)}["ann"]
    assert line["status"] == "error" and "reference solution is missing" in line["reason"]
    assert "Grading failed: not graded" in (tmp_path / "out" / "ann" / "feedback.md").read_text()


def _csv_export(tmp_path: Path, **scope) -> list[dict]:
    out = tmp_path / "export.csv"
    export_csv(tmp_path / "gradebook.db", out, **scope)
    return _csv(out)


def test_student_option_grades_only_those_students(tmp_path, monkeypatch):
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    directory = _class(tmp_path / "class", {"ann": "SCORE=1", "bob": "SCORE=2", "cid": "SCORE=3"})
    summary = _run(tmp_path, directory, students=["bob", "cid"])
    assert sorted(log.read_text().split()) == ["bob", "cid"]
    assert (summary.total, summary.graded) == (2, 2)
    assert sorted(_rows(tmp_path / "gradebook.db")) == ["bob", "cid"]
    with pytest.raises(GradingError, match="for student\\(s\\) zed"):
        _run(tmp_path, directory, students=["zed"])


def test_csv_exports_follow_the_scope_asked_for(tmp_path):
    directory = _class(tmp_path / "class", {"ann": "", "bob": ""})
    book = tmp_path / "gradebook.db"
    batch.run_batch(directory, book, only=["a1", "a2"], progress=False, grader=all_pass_grader)
    whole = _csv_export(tmp_path)
    assert {c.split(":")[0] for c in whole[0] if ":" in c} == {"a1", "a2"}
    a1_only = _csv_export(tmp_path, assignments=["a1"], students=["bob"])
    assert [r["student"] for r in a1_only] == ["bob"]
    assert {c.split(":")[0] for c in a1_only[0] if ":" in c} == {"a1"}
    a1_max = sum(t.max_points for t in _rows(book)["bob"].result().assignments[0].tasks)
    assert float(a1_only[0]["total"]) == float(a1_only[0]["max"]) == a1_max


def test_out_writes_each_students_folder_afresh(tmp_path):
    directory = _class(tmp_path / "class", {"ann": "SCORE=5"})
    out = tmp_path / "out"
    _run(tmp_path, directory, out_dir=out)
    (out / "ann" / "a4_training_curve.svg").write_text("<svg>an old run's plot</svg>")
    (directory / "ann" / "a1_perceptron" / "perceptron.py").write_text("# SCORE=2\n")
    _run(tmp_path, directory, out_dir=out)
    assert sorted(p.name for p in (out / "ann").iterdir()) == [
        "feedback.html", "feedback.md", "results.json"
    ]


def test_grade_all_command_scopes_csv_and_refuses_bad_outputs_before_grading(tmp_path):
    """Real grading of two a1 submissions after an all-assignment row exists: --csv holds a1."""
    directory = tmp_path / "class"
    for student in ("ann", "bob"):
        shutil.copytree(REFERENCE / "a1_perceptron", directory / student / "a1_perceptron",
                        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    book = tmp_path / "gradebook.db"
    batch.run_batch(directory, book, only=["a1", "a2"], progress=False, grader=all_pass_grader)

    def grade_all(*args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
        return subprocess.run(
            [sys.executable, "-m", "autograder", "grade-all", str(directory), "--gradebook",
             str(book), "--no-progress", *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, env=env,
        )

    bad = grade_all("--assignment", "a1", "--csv", "/etc/passwd/grades.csv")
    assert bad.returncode == 2 and "--csv /etc/passwd/grades.csv" in bad.stderr
    no_ref = grade_all("--assignment", "a1", "--reference", str(tmp_path / "class"))
    assert no_ref.returncode == 3 and no_ref.stderr.count("\n") == 1
    assert "not graded" in no_ref.stderr
    refused = _rows(book)  # one row each, a2 kept beside the refused a1
    assert sorted(refused) == ["ann", "bob"]
    assert all(r.status == "error" and "not graded" in r.reason and r.scope == "a1,a2"
               for r in refused.values())  # an error row each, never a score
    done = grade_all("--assignment", "a1", "--student", "bob", "--csv", str(tmp_path / "g.csv"))
    assert done.returncode == 0, done.stderr
    table = _csv(tmp_path / "g.csv")
    assert [r["student"] for r in table] == ["bob"]
    assert {c.split(":")[0] for c in table[0] if ":" in c} == {"a1"}
    assert float(table[0]["total"]) == float(table[0]["max"]) > 0
    assert json.loads(_rows(book)["bob"].result_json)["reference"] == str(REFERENCE.resolve())
    bob = _rows(book)["bob"]  # the whole, current result: a1 graded now, a2 kept
    assert (bob.status, bob.scope) == ("graded", "a1,a2")


# --------------------------------------------------------------------------- nbgrader push-grades


def test_nbgrader_push_grades_with_jobs_writes_each_students_grades(tmp_path, monkeypatch):
    """push-grades --jobs 2 on a gradebook made with nbgrader's own API: three students."""
    nbgrader_api = pytest.importorskip("nbgrader.api")
    # nbgrader creates its database with the `alembic` script of the Python it runs in.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    from autograder.checks import suite
    from autograder.staff.nbgrader_course import grade_id

    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'bpl-test'\n"
    )
    a1 = next(s.assignment for s in suite(include_hidden=False) if s.assignment.id == "a1")
    folder = a1.folder
    with nbgrader_api.Gradebook(f"sqlite:///{course}/gradebook.db", course_id="bpl-test") as gb:
        gb.add_assignment(folder)
        gb.update_or_create_notebook(folder, folder)
        for task in a1.tasks:
            gb.add_grade_cell(grade_id(task.id), folder, folder, max_score=float(task.points),
                              cell_type="code")
        for student in ("ann", "bob", "cid"):
            gb.add_student(student)
            gb.add_submission(folder, student)
    submitted = course / "submitted"
    shutil.copytree(REFERENCE / folder, submitted / "ann" / folder,
                    ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    entry = CORPUS / "buggy" / "a1_predict_zero_is_positive.py"
    bob = materialize(read_entry(entry), REFERENCE, tmp_path / "bugs")
    shutil.copytree(bob / folder, submitted / "bob" / folder)
    (submitted / "cid").mkdir()  # collected nothing: every task 0, with the reason

    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "nbgrader", "push-grades", "--course", str(course),
         "--jobs", "2"],
        cwd=tmp_path, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with nbgrader_api.Gradebook(f"sqlite:///{course}/gradebook.db", course_id="bpl-test") as gb:
        scores = {
            student: {t.id: gb.find_grade(grade_id(t.id), folder, folder, student).manual_score
                      for t in a1.tasks}
            for student in ("ann", "bob", "cid")
        }
    assert scores["ann"] == {t.id: float(t.points) for t in a1.tasks}
    lost = {t for t, score in scores["bob"].items() if score < dict(
        (t.id, t.points) for t in a1.tasks)[t]}
    assert "1.2" in lost and lost <= set(read_entry(entry).loses)
    assert set(scores["cid"].values()) == {0.0}
    assert sorted(line.split()[1] for line in done.stdout.splitlines()
                  if line.startswith(folder)) == ["ann", "bob", "cid"]


# --------------------------------------------------------------------------- incremental regrades


def logging_all_pass_grader(path: str, only: list[str], slot: int) -> dict:
    """all_pass_grader that appends "<student> <assignments>" to $FAKE_GRADER_LOG."""
    with open(os.environ["FAKE_GRADER_LOG"], "a") as handle:
        handle.write(f"{Path(path).name} {','.join(only)}\n")
    return all_pass_grader(path, only, slot)


def test_a_regrade_grades_only_the_changed_assignment_and_keeps_the_others(
    tmp_path, monkeypatch
):
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    directory = _class(tmp_path / "class", {"ann": "", "bob": ""})
    for student in ("ann", "bob"):
        (directory / student / "a2_gradient_descent").mkdir()
        (directory / student / "a2_gradient_descent" / "gradient_descent.py").write_text("#\n")
    book, out = tmp_path / "gradebook.db", tmp_path / "out"
    kwargs = dict(progress=False, grader=logging_all_pass_grader, out_dir=out)
    batch.run_batch(directory, book, **kwargs)
    before = _rows(book)
    assert sorted(log.read_text().splitlines()) == ["ann a1,a2", "bob a1,a2"]

    log.unlink()
    (directory / "bob" / "a1_perceptron" / "perceptron.py").write_text("# fixed\n")
    summary = batch.run_batch(directory, book, only=["a1"], students=["bob"], **kwargs)
    assert log.read_text().splitlines() == ["bob a1"] and summary.graded == 1
    after = _rows(book)
    assert sorted(after) == ["ann", "bob"] and after["ann"] == before["ann"]  # one row each
    assert after["bob"].scope == "a1,a2" and after["bob"].max_score == before["bob"].max_score
    assert after["bob"].graded_at > before["bob"].graded_at
    pages = {s: json.loads((out / s / "results.json").read_text()) for s in ("ann", "bob")}
    assert len(pages["bob"]["tests"]) == len(pages["ann"]["tests"])  # a1 and a2 on bob's page
    assert pages["bob"]["score"] == after["bob"].score

    log.unlink()
    batch.run_batch(directory, book, **kwargs)  # nothing changed: nothing graded
    assert not log.exists()


def test_a_schema_1_gradebook_is_migrated_to_one_row_per_student(tmp_path, monkeypatch):
    """Two schema-1 rows for bob (scopes a1,a2 then a1) become one row, a1 from the later."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA.replace("PRIMARY KEY (student)", "PRIMARY KEY (student, scope)"))
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    sub = Submission("bob", tmp_path, tmp_path)
    for scope, when, passing in (("a1,a2", "2026-01-01", True), ("a1", "2026-01-02", False)):
        result = SubmissionResult.from_dict(all_pass_grader(str(tmp_path), scope.split(","), 0))
        for a in result.assignments:
            for t in a.tasks:
                t.checks = [CheckResult("c", t.title, False, passing)]
        db.execute(
            "INSERT INTO grades VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            ("bob", scope, str(sub.source), "h", "graded", "", result.score, result.max_score,
             0.0, when, json.dumps(result.to_dict())),
        )
    db.commit()
    db.close()
    (row,) = iter_rows(path)
    assert row.scope == "a1,a2"
    by_id = {a.id: a for a in row.result().assignments}
    assert by_id["a1"].score == 0 and by_id["a2"].score == by_id["a2"].max_score > 0
    assert row.score == by_id["a2"].max_score
    directory = _class(tmp_path / "class", {"bob": ""})
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_GRADER_LOG", str(log))
    batch.run_batch(directory, path, only=["a1"], progress=False, grader=logging_all_pass_grader)
    assert log.read_text().splitlines() == ["bob a1"]  # no hashes in schema 1: regraded
