"""The reference a grading reads is its context's, never module state: two contexts with two
reference folders, graded alternately in one process, each give their own result."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import REFERENCE

from autograder.checks import suite
from autograder.checks.framework import Student, run_check
from autograder.feedback.log import CallRecord
from autograder.grade import grade_submission
from autograder.isolation.worker import Worker
from autograder.staff import reference
from autograder.staff.context import staff_context
from autograder.staff.misconceptions import diagnose

BUG = '''

def add_bias(X):
    """The bias column FIRST: this copy of the reference disagrees with the true one."""
    return np.hstack([np.ones((X.shape[0], 1)), X])
'''


@pytest.fixture(scope="module")
def buggy_reference(tmp_path_factory):
    """A copy of reference_solution/ whose add_bias (task 1.1) puts the ones first."""
    copy = tmp_path_factory.mktemp("buggy") / "reference_solution"
    shutil.copytree(REFERENCE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    module = copy / "a1_perceptron" / "perceptron.py"
    module.write_text(module.read_text() + BUG)
    return copy


def _hidden_1_1(result) -> list[tuple[str, bool]]:
    (task,) = [t for a in result.assignments for t in a.tasks if t.task == "1.1"]
    return [(c.name, c.passed) for c in task.checks if c.hidden]


def test_two_references_graded_alternately_never_mix(buggy_reference):
    true, buggy = staff_context(REFERENCE), staff_context(buggy_reference)
    assert true.reference != buggy.reference
    submission = REFERENCE / "a1_perceptron"
    seen = []
    for context in (true, buggy, true, buggy):
        result = grade_submission(submission, context, tasks=["1.1"])
        assert result.reference == context.reference
        seen.append(_hidden_1_1(result))
    assert seen[0] == seen[2] and seen[1] == seen[3]
    assert seen[0] and all(passed for _, passed in seen[0])  # the true reference agrees
    assert not any(passed for _, passed in seen[1])  # the buggy one's expected values differ


def test_two_students_of_two_gradings_interleaved_on_one_worker(buggy_reference):
    """Check by check, alternating: each Student computes with its own context's reference
    (module state set by the last grading to start would give both the same verdict)."""
    true, buggy = staff_context(REFERENCE), staff_context(buggy_reference)
    (s,) = [s for s in suite(context=true) if s.assignment.id == "a1"]
    checks = [c for c in s.checks if c.hidden and c.task == "1.1"]
    assert checks
    with Worker(REFERENCE / "a1_perceptron", context=true) as worker:
        students = {name: Student(worker, "perceptron", assignment=s.assignment,
                                  reference_solution=context.reference_solution())
                    for name, context in (("true", true), ("buggy", buggy))}
        verdicts = [(name, run_check(check, students[name]).passed)
                    for check in checks for name in ("true", "buggy", "true", "buggy")]
    assert all(passed == (name == "true") for name, passed in verdicts), verdicts


def test_the_catalogue_diagnoses_with_the_gradings_reference(buggy_reference):
    """A diagnosis re-runs the reference on the failing input: the grading's own. The buggy
    copy puts the ones first, exactly the catalogue's add_bias_first: with it as the
    reference, matching that variant means nothing, so no diagnosis."""
    X = np.array([[2.0, 3.0], [-1.0, 0.5]])
    record = CallRecord("add_bias", (X,), result=np.hstack([np.ones((2, 1)), X]),
                        returned=True)
    true, buggy = reference.for_folder(REFERENCE), reference.for_folder(buggy_reference)

    def ask(probe):  # the student's ones-first add_bias on the separating inputs
        (inputs,) = probe.args
        return "ok", np.hstack([np.ones((len(inputs), 1)), inputs])

    found = [diagnose([record], "perceptron", "add_bias", ask, reference=ref)
             for ref in (true, buggy) * 2]
    assert [m.id if m else None for m in found] == ["add_bias_first", None] * 2
