"""Grading is one call over a GradingContext, a plain value: it pickles, and a fresh
process grading the unpickled context gives the same result as this one."""

from __future__ import annotations

import pickle
import subprocess
import sys

from conftest import REFERENCE

from autograder.context import GradingContext, student_context
from autograder.grade import grade_submission
from autograder.staff.context import staff_context


def _verdicts(result) -> list:
    """Everything a grading decides (not its timings)."""
    return [(t.assignment, t.task, t.score, [(c.name, c.passed, c.message) for c in t.checks])
            for a in result.assignments for t in a.tasks]


def test_a_staff_context_pickles_as_plain_data():
    context = staff_context(reference=REFERENCE)
    assert context.reference == str(REFERENCE.resolve())
    assert context.include_hidden
    again = pickle.loads(pickle.dumps(context))
    assert again == context
    assert isinstance(again, GradingContext)


def test_the_students_context_names_no_hidden_check_and_no_reference():
    context = student_context()
    assert not context.include_hidden
    assert context.reference is None and context.explain is None
    assert "staff" not in repr(context)


def test_a_fresh_process_grades_an_unpickled_context_identically(tmp_path):
    context = staff_context(reference=REFERENCE)
    here = grade_submission(REFERENCE / "a1_perceptron", context)
    assert any(c.hidden for a in here.assignments for t in a.tasks for c in t.checks)
    (tmp_path / "context.pickle").write_bytes(pickle.dumps(context))
    script = (
        "import pickle, sys\n"
        "from autograder.grade import grade_submission\n"
        "context = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "result = grade_submission(sys.argv[2], context)\n"
        "sys.stdout.buffer.write(pickle.dumps(result))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "context.pickle"),
         str(REFERENCE / "a1_perceptron")],
        capture_output=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    there = pickle.loads(done.stdout)
    assert _verdicts(there) == _verdicts(here)
    assert there.reference == here.reference == context.reference


def test_an_uninstalled_checkout_still_finds_the_staff_context(monkeypatch):
    """Run from PYTHONPATH (a checkout, Gradescope's container) there is no installed
    metadata: the pyproject's declared entry point must still give the hidden checks."""
    import importlib.metadata

    from autograder.context import default_context

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    context = default_context()
    assert context.include_hidden and context.reference
