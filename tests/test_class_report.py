"""Class report, similarity and LMS export on a generated class graded once by grade-all.

The class (tests/generated_class.py): reference copies, corpus bugs, two independent correct
solutions, two near-copies with renamed variables, one student whose grading fails. The
counts are recomputed here straight from the gradebook with sqlite3, never from the report.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
from functools import partial
from pathlib import Path

import generated_class as klass
import pytest

from autograder.errors import GradingError
from autograder.staff import batch, class_report, class_report_html, lms
from autograder.staff.grading_task import resolve_reference

pytestmark = pytest.mark.slow  # grades 12 two-assignment submissions: 20 s on 2 cores


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    directory = klass.build_class(root / "submissions")
    gradebook, out = root / "gradebook.db", root / "out"
    grader = partial(klass.crash_or_grade, reference=resolve_reference(None))
    summary = batch.run_batch(directory, gradebook, jobs=2, only=klass.SCOPE, out_dir=out,
                              progress=False, grader=grader)
    assert summary.errors == 1
    return root, directory, gradebook, out


def _from_sqlite(gradebook):
    with sqlite3.connect(gradebook) as db:
        rows = db.execute("SELECT student, status, reason, result_json FROM grades").fetchall()
    return {student: (status, reason, json.loads(data)) for student, status, reason, data in rows}


def test_report_counts_equal_what_the_gradebook_holds(graded):
    _, directory, gradebook, out = graded
    rows = _from_sqlite(gradebook)
    report = class_report.build(gradebook, feedback_dir=out)
    assert [s.student for s in report.students] == sorted(rows)
    assert [s.student for s in report.errors] == [klass.CRASH_STUDENT]
    assert "crashed" in report.errors[0].reason
    passed, ran, diagnosed = {}, {}, {}
    for student, (status, _, data) in rows.items():
        if status != "graded":  # an error row has no score: the report lists it, never counts it
            continue
        for a in data["assignments"]:
            for t in a["tasks"]:
                for c in t["checks"]:
                    key = (a["id"], t["task"], c["name"])
                    ran[key] = ran.get(key, 0) + 1
                    passed[key] = passed.get(key, 0) + c["passed"]
                    for line in c["message"].splitlines():
                        if not c["passed"] and line.startswith("  diagnosis:"):
                            diagnosed.setdefault(line.split(":", 1)[1].strip(), set()).add(student)
    assert {(c.assignment, c.task, c.name): (c.ran, c.passed) for c in report.checks} == {
        k: (ran[k], passed[k]) for k in ran}
    assert {k: set(v) for k, v in report.misconceptions.items()} == diagnosed
    assert len(diagnosed) >= 3  # the bugs chosen are ones the catalogue knows
    ids = class_report.catalogue_ids()
    assert all(said in ids for said in diagnosed)  # each names a catalogued misconception
    for t in report.tasks:
        scores = {s: next(tt["max_points"] * sum(c["passed"] for c in tt["checks"])
                          / len(tt["checks"]) if tt["checks"] else 0.0
                          for a in d["assignments"] if a["id"] == t.assignment
                          for tt in a["tasks"] if tt["task"] == t.task)
                  for s, (status, _, d) in rows.items() if status == "graded"}
        assert t.scores == pytest.approx(scores, abs=1e-4)
        assert t.full == sum(v >= t.max_points - 1e-9 for v in scores.values())
    # the reference copies and the alternatives have full marks; every bug lost something
    totals = {s.student: s.score for s in report.students}
    for name in (*klass.REFERENCE_COPIES, *klass.ALTERNATIVES, *klass.RENAMES):
        assert totals[name] == report.students[0].max_score, name
    for name in klass.BUGGY:
        assert totals[name] < report.students[0].max_score, name


def test_failures_are_grouped_after_normalising_inputs():
    a = "f(x) is wrong.\n  reproduce (...):\n      f(x=np.array([1.0, 2.0]))\n  expected 3, got 2.5"
    b = "f(x) is wrong.\n  reproduce (...):\n      f(x=np.array([7.0]))\n  expected -1e-3, got 4"
    assert class_report.normalise(a) == class_report.normalise(b) == (
        "f(x) is wrong.\n expected N, got N")
    assert class_report.normalise("at index [0, 2]: [[1, 2], [3]]") == "at index […]: […]"


def test_terminal_summary_fits_80_columns_and_page_links_feedback(graded):
    root, _, gradebook, out = graded
    report = class_report.build(gradebook, feedback_dir=out)
    text = class_report.terminal_summary(report)
    print(text)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert len([ln for ln in text.splitlines() if ln.startswith(("a1:", "a2:"))]) == len(
        report.tasks)
    page = root / "report" / "class.html"
    page.parent.mkdir()
    html = class_report_html.render(report, page)
    assert html.count("<svg") == 1 + len(report.tasks)
    for s in report.students:
        assert f"href='../out/{s.student}/feedback.html'" in html
        assert (page.parent / f"../out/{s.student}/feedback.html").is_file()


def test_near_copies_are_the_top_pair_and_independent_solutions_stay_below(graded):
    pytest.importorskip("copydetect")
    from autograder.staff import similarity

    _, directory, _, _ = graded
    pairs = similarity.compare(directory, klass.REFERENCE, highlight=similarity.DISPLAY_T)
    top = pairs[0]
    assert {top.a, top.b} == set(klass.RENAMES) and top.flagged(similarity.DISPLAY_T)
    assert top.score > max(p.score for p in pairs[1:])
    one, two = klass.ALTERNATIVES
    shared = [p for p in pairs if {p.a, p.b} == {one, two}]
    assert shared and all(not p.flagged(similarity.DISPLAY_T) for p in shared)
    assert all(p.score == 0 for p in pairs if {p.a, p.b} == set(klass.REFERENCE_COPIES))
    assert "<mark>" in top.code_a and "<mark>" in top.code_b
    again = similarity.compare(directory, klass.REFERENCE, highlight=similarity.DISPLAY_T)
    assert [(p.a, p.b, p.module, p.score) for p in again] == [
        (p.a, p.b, p.module, p.score) for p in pairs]  # deterministic


def test_canvas_csv_round_trips_with_the_import_header(graded, tmp_path):
    _, directory, gradebook, _ = graded
    rows = _from_sqlite(gradebook)
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "Student", "ID", "SIS User ID", "SIS Login ID", "Section"])
        for i, name in enumerate(sorted(rows)):
            writer.writerow([name, f"Last{i}, First", 100 + i, f"S{i}", f"{name}@x", "L1"])
    out = tmp_path / "canvas.csv"
    n, missing, not_graded = lms.export(gradebook, roster, "canvas", out,
                                        columns={"a1": "Perceptron (4321)"})
    assert (n, missing, not_graded) == (len(rows), [], [klass.CRASH_STUDENT])
    with out.open(newline="") as handle:
        lines = list(csv.DictReader(handle))
        handle.seek(0)
        header = next(csv.reader(handle))
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5] == "Perceptron (4321)" and header[6].startswith("a2: ")
    possible = lines[0]
    assert possible["Student"].strip() == "Points Possible"
    by_id = {line["ID"]: line for line in lines[1:]}
    for i, name in enumerate(sorted(rows)):
        status, _, data = rows[name]
        line = by_id[str(100 + i)]
        assert line["Student"] == f"Last{i}, First" and line["SIS Login ID"] == f"{name}@x"
        for column, aid in ((header[5], "a1"), (header[6], "a2")):
            a = next(a for a in data["assignments"] if a["id"] == aid)
            maximum = sum(t["max_points"] for t in a["tasks"])
            assert float(possible[column]) == maximum
            if status == "error":
                assert line[column] == ""
            else:
                got = sum(t["max_points"] * sum(c["passed"] for c in t["checks"])
                          / len(t["checks"]) for t in a["tasks"] if t["checks"])
                assert float(line[column]) == pytest.approx(got, abs=0.005)


def test_moodle_csv_and_bad_rosters(graded, tmp_path):
    _, _, gradebook, _ = graded
    roster = tmp_path / "roster.csv"
    roster.write_text("student,Email address\nref_one,r1@x\nnobody,n@x\n")
    out = tmp_path / "moodle.csv"
    n, missing, _ = lms.export(gradebook, roster, "moodle", out)
    lines = list(csv.DictReader(out.open(newline="")))
    assert n == 2 and "copy_one" in missing
    assert [line["Email address"] for line in lines] == ["n@x", "r1@x"]
    assert lines[1][next(k for k in lines[1] if k.startswith("a1"))] == "15.00"
    assert all(v == "" for k, v in lines[0].items() if k != "Email address")
    roster.write_text("name,Email address\nx,y\n")
    with pytest.raises(GradingError, match="needs a 'student' column"):
        lms.export(gradebook, roster, "moodle", out)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless chromium is not installed (Debian:"
                    " apt-get install -y chromium); the screenshots need a real browser")
def test_pages_render_in_headless_chromium(graded, tmp_path):
    """class.html and similarity.html as a browser shows them (BACKPROP_LAB_SCREENSHOTS=DIR
    keeps the PNGs for a person to look at)."""
    pytest.importorskip("copydetect")
    from autograder.staff import similarity

    root, directory, gradebook, out = graded
    keep = os.environ.get("BACKPROP_LAB_SCREENSHOTS")
    shots = Path(keep) if keep else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page = root / "class.html"
    page.write_text(class_report_html.render(class_report.build(gradebook, feedback_dir=out),
                                             page))
    pairs = similarity.compare(directory, klass.REFERENCE, highlight=similarity.DISPLAY_T)
    (root / "similarity.html").write_text(similarity.render(pairs, similarity.DISPLAY_T))
    for name in ("class", "similarity"):
        png = shots / f"{name}.png"
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
             f"--screenshot={png}", "--window-size=1200,2400",
             (root / f"{name}.html").resolve().as_uri()],
            check=True, capture_output=True, timeout=120)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
