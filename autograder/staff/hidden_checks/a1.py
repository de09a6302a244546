"""Hidden checks of A1: differential against the reference perceptron on hypothesis inputs.

Inputs use small integers so that w . x = 0 (the boundary case) is frequent and every sum
is exact: student and reference must agree exactly, not just closely.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.a1 import train_result, update_cases, weights_and_points
from autograder.checks.domains import given_as, keyword
from autograder.checks.framework import Registry, StudentFault, for_all
from autograder.checks.strategies import hnp, st
from autograder.compare import CheckFailure, assert_close, expect_array, expect_float, fmt_inputs
from autograder.data import make_separable

CHECKS = Registry(hidden=True)


def _ref(student):
    """The grading's reference perceptron module (the context's, carried by the Student)."""
    return student.reference_solution.load("perceptron")

small_ints = st.integers(-3, 3).map(float)


@st.composite
def datasets(draw, separable: bool):
    """(Xb (n, k) with a last column of ones, y (n,) in +-1, kwargs): Xb and y in the forms
    train_perceptron's domain allows, max_epochs given or left at its default (100, which a
    non-separable set reaches: a wrong default shows)."""
    n, d = draw(st.integers(1, 8)), draw(st.integers(1, 3))
    X = draw(hnp.arrays(np.float64, (n, d), elements=small_ints))
    Xb = np.hstack([X, np.ones((n, 1))])
    if separable:  # label by a random integer plane, dropping points on it
        w = draw(hnp.arrays(np.float64, d + 1, elements=small_ints))
        score = Xb @ w
        keep = score != 0
        if not keep.any():
            keep[:] = True
            score = np.ones(n)
        Xb, y = Xb[keep], np.where(score[keep] > 0, 1.0, -1.0)
    else:
        y = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([1.0, -1.0])))
        if draw(st.booleans()):  # a point given both labels: never separable, so a run at
            Xb, y = np.vstack([Xb, Xb[:1]]), np.append(y, -y[0])  # the default goes all the way
    kwargs = draw(keyword("train_perceptron", "max_epochs", st.integers(1, 12)))
    return (draw(given_as("train_perceptron", "Xb", Xb)),
            draw(given_as("train_perceptron", "y", y)), kwargs)


@CHECKS.check(task="1.1", function="add_bias", name="same as the reference")
@for_all(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=7),
                    elements=st.floats(-1e3, 1e3)).flatmap(
    lambda X: given_as("add_bias", "X", X)), calls=lambda X: [("add_bias", (X,))])  # fmt: skip
def add_bias_differential(student, X):
    expected = _ref(student).add_bias(X)
    got = expect_array(student.call("add_bias", X), expected.shape, what="add_bias(X)")
    assert_close(got, expected, what="add_bias(X)", inputs=fmt_inputs(X=X))


@CHECKS.check(task="1.2", function="predict", name="same as the reference")
@for_all(weights_and_points(), max_examples=60, calls=lambda case: [("predict", case)])
def predict_differential(student, case):
    w, Xb = case
    expected = _ref(student).predict(w, Xb)
    got = expect_array(student.call("predict", w, Xb), expected.shape, what="predict(w, Xb)")
    assert_close(got, expected, what="predict(w, Xb)", inputs=fmt_inputs(w=w, Xb=Xb))


@CHECKS.check(task="1.3", function="perceptron_update", name="same as the reference")
@for_all(update_cases(), max_examples=60, calls=lambda case: [("perceptron_update", case)])
def update_differential(student, case):
    w, x, y = case
    expected = _ref(student).perceptron_update(w, x, y)
    got = student.call_unmutated("perceptron_update", w, x, y)
    got = expect_array(got, expected.shape, what="perceptron_update(w, x, y)")
    assert_close(got, expected, what="perceptron_update(w, x, y)", inputs=fmt_inputs(w=w, x=x, y=y))


def _compare_training(student, case):
    Xb, y, kwargs = case
    expected = _ref(student).train_perceptron(Xb, y, **kwargs)
    got = train_result(student, Xb, y, **kwargs)
    inputs = fmt_inputs(Xb=Xb, y=y, **kwargs)
    what = "train_perceptron(Xb, y" + (", max_epochs)" if kwargs else ") (default max_epochs)")
    for key in ("mistakes_per_epoch", "converged", "updates"):
        if got[key] != expected[key]:
            raise CheckFailure(
                f"{what}['{key}'] is wrong.\n  input: {inputs}\n  expected {expected[key]}, "
                f"got {got[key]}"
            )
    assert_close(got["weights"], expected["weights"], what=f"{what}['weights']", inputs=inputs)


PICTURE = "a1_boundary"
"""Student.record key: a 2-D run of train_perceptron beside the reference's, for the report."""


def record_boundary(student) -> None:
    """Once per grading: train on 40 separable 2-D points and keep both runs as plain data.

    The call is the contract's own (train_perceptron on separable data); if it does not
    return a well-formed result nothing is recorded and the check's own calls judge it."""
    if PICTURE in student.artifacts:
        return
    student.artifacts[PICTURE] = None
    X, y, _ = make_separable(n=40, d=2, margin=0.15, seed=3)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    try:
        got = student.call("train_perceptron", Xb, y, max_epochs=50)
    except StudentFault as fault:
        if fault.fatal:
            raise
        return
    expected = _ref(student).train_perceptron(Xb, y, max_epochs=50)
    weights = got.get("weights") if isinstance(got, dict) else None
    mistakes = got.get("mistakes_per_epoch") if isinstance(got, dict) else None
    if not isinstance(weights, np.ndarray) or weights.shape != (3,) or not isinstance(
            mistakes, list) or not all(isinstance(m, int) for m in mistakes):
        return
    student.record(PICTURE, {
        "points": X.tolist(), "labels": y.tolist(),
        "weights": {"yours": weights.tolist(), "reference": expected["weights"].tolist()},
        "mistakes": {"yours": mistakes, "reference": expected["mistakes_per_epoch"]},
    })


@CHECKS.check(task="1.4", function="train_perceptron", name="same as reference, separable")
@for_all(datasets(separable=True), max_examples=40,
         calls=lambda c: [("train_perceptron", c[:2], c[2])])
def train_differential_separable(student, case):
    record_boundary(student)
    _compare_training(student, case)


@CHECKS.check(task="1.4", function="train_perceptron", name="same as reference, any labels")
@for_all(datasets(separable=False), max_examples=40,
         calls=lambda c: [("train_perceptron", c[:2], c[2])])
def train_differential_any(student, case):
    _compare_training(student, case)


@st.composite
def separable_with_w_star(draw):
    """(Xb, y, w_star) with w_star separating the points (margin > 0)."""
    Xb, y, _ = draw(datasets(separable=True))
    w_star = draw(hnp.arrays(np.float64, Xb.shape[1], elements=st.floats(-3, 3)))
    margins = Xb @ w_star
    keep = np.abs(margins) > 1e-3
    if not keep.any():
        w_star = np.zeros(Xb.shape[1])
        w_star[-1] = 1.0
        keep = np.ones(len(Xb), bool)
        margins = Xb @ w_star
    y = np.where(margins[keep] > 0, 1.0, -1.0)
    return (Xb[keep], draw(given_as("mistake_bound", "y", y)), w_star)


@CHECKS.check(task="1.5", function="mistake_bound", name="same as the reference")
@for_all(separable_with_w_star(), calls=lambda case: [("mistake_bound", case)])
def bound_differential(student, case):
    Xb, y, w_star = case
    expected = _ref(student).mistake_bound(Xb, y, w_star)
    got = expect_float(student.call("mistake_bound", Xb, y, w_star), what="mistake_bound")
    assert_close(
        got, expected, what="mistake_bound(Xb, y, w_star)",
        inputs=fmt_inputs(Xb=Xb, y=y, w_star=w_star),
    )  # fmt: skip
