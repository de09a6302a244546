"""Hidden checks of A2: differential against the reference on hypothesis inputs.

The reference runs on the trusted side with the same catalogue functions (fixtures.py) the
worker hands to the student's code, so both see identical f and grad_f.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.a2 import (
    HESSIAN_ATOL,
    KINDS,
    carry_forward_gradient,
    carry_forward_hessian,
    descent,
    expect_choice,
    fn,
    judge_descent,
)
from autograder.checks.domains import given_as, keyword
from autograder.checks.framework import Registry, StudentFault, for_all
from autograder.checks.strategies import hnp, st
from autograder.compare import CheckFailure, assert_close, expect_array, expect_float, fmt_inputs
from autograder.sandboxed.fixtures import make_function
from autograder.sandboxed.protocol import FnRef

CHECKS = Registry(hidden=True)


def _ref(student):
    """The grading's reference gradient_descent module (the context's, carried by the Student)."""
    return student.reference_solution.load("gradient_descent")

DIFFERENCE_ATOL = 1e-7
"""Two central differences of the same f at the same h may sum in another order: rounding
~1e-16 * |f| / h ~ 1e-9 for |f| ~ 1e2, h = 1e-5; 1e-7 keeps a margin, any bug is >> 1e-4."""
GRADCHECK_ATOL = 1e-8
"""A correct gradient's check is pure rounding noise (~1e-11); only its being tiny matters."""


@st.composite
def catalogue_points(draw):
    """(name, params, x) of a smooth catalogue function and a point in its domain."""
    d = draw(st.integers(2, 4))
    x = draw(hnp.arrays(np.float64, d, elements=st.floats(-1.5, 1.5)))
    name = draw(st.sampled_from(["sum_sin", "rosenbrock", "quadratic"]))
    if name == "sum_sin":
        params = {"a": draw(hnp.arrays(np.float64, d, elements=st.floats(-3, 3))).tolist()}
    elif name == "quadratic":
        A = draw(hnp.arrays(np.float64, (d, d), elements=st.integers(-3, 3).map(float)))
        params = {
            "A": A.tolist(),
            "b": draw(hnp.arrays(np.float64, d, elements=st.floats(-2, 2))).tolist(),
        }
    else:
        params = {}
    return name, params, x


@st.composite
def stiff_points(draw):
    """("sum_sin", params, x) with some |a_i| in [20, 50]: third and fourth derivatives so big
    that the step h shows in the result (a wrong default h is seen)."""
    d = draw(st.integers(1, 3))
    a = draw(hnp.arrays(np.float64, d, elements=st.floats(20, 50) | st.floats(-50, -20)))
    x = draw(hnp.arrays(np.float64, d, elements=st.floats(-1.5, 1.5)))
    return "sum_sin", {"a": a.tolist()}, x


def points_for(function: str, *, stiff: bool = False):
    """Catalogue points (sometimes stiff ones) with x in a form ``function``'s domain allows."""
    base = st.one_of(catalogue_points(), stiff_points()) if stiff else catalogue_points()
    return base.flatmap(lambda c: given_as(function, "x", c[2]).map(lambda x: (c[0], c[1], x)))


def describe(case) -> str:
    name, params, x = case[:3]
    return f"f = {name}({params}), x = {np.round(x, 6).tolist()}"


@CHECKS.check(task="2.1", function="numerical_gradient", name="same as the reference")
@for_all(
    st.tuples(points_for("numerical_gradient", stiff=True),
              keyword("numerical_gradient", "h", st.sampled_from([1e-5, 1e-4, 1e-3]))),
    describe=lambda c: describe(c[0]) + f", {fmt_inputs(**c[1]) or 'default h'}",
)
def gradient_differential(student, case):
    (name, params, x), kwargs = case
    f, _ = make_function(name, params)
    expected = _ref(student).numerical_gradient(f, x, **kwargs)
    got = student.call("numerical_gradient", FnRef(name, "f", params), x, **kwargs)
    got = expect_array(got, np.shape(x), what="numerical_gradient(f, x, h)")
    assert_close(got, expected, what="numerical_gradient(f, x, h)", atol=DIFFERENCE_ATOL)


def _error_pairs():
    """(a, b) of one shape: vectors (N = 0, the documented empty case, up to 5) with entries
    at the 1e-8 floor, or two scalars (its domain: "arrays (or scalars)")."""
    entries = st.sampled_from([0.0, 1e-10, -3e-9, 1.0, -2.5]) | st.floats(-1e3, 1e3)
    vectors = st.integers(0, 5).flatmap(
        lambda n: st.tuples(*[hnp.arrays(np.float64, n, elements=entries)] * 2))
    scalars = st.tuples(entries, entries).flatmap(lambda ab: st.tuples(
        given_as("relative_error", "a", ab[0]), given_as("relative_error", "b", ab[1])))
    return st.one_of(vectors, scalars)


@CHECKS.check(task="2.2", function="relative_error", name="same as the reference")
@for_all(_error_pairs(), calls=lambda case: [("relative_error", case)])
def relative_error_differential(student, case):
    a, b = case
    expected = _ref(student).relative_error(a, b)
    got = expect_float(student.call("relative_error", a, b), what="relative_error")
    assert_close(got, expected, what="relative_error(a, b)", inputs=fmt_inputs(a=a, b=b))


@CHECKS.check(task="2.2", function="gradient_check", name="same as the reference")
@for_all(
    st.tuples(points_for("gradient_check", stiff=True), st.booleans(),
              keyword("gradient_check", "h", st.sampled_from([1e-4, 1e-3]))),
    max_examples=25,
    describe=lambda c: describe(c[0]) + (", wrong gradient" if c[1] else "")
    + (f", {fmt_inputs(**c[2])}" if c[2] else ""),
)
def gradient_check_differential(student, case):
    (name, params, x), wrong, kwargs = case
    grad_name, grad_params = name, params
    if wrong:
        grad_name = "wrong_grad"
        grad_params = {"base": name, "base_params": params, "coord": 0, "delta": 1.0}
    f, _ = make_function(name, params)
    _, grad = make_function(grad_name, grad_params)
    expected = _ref(student).gradient_check(f, grad, x, **kwargs)
    got = student.call(
        "gradient_check", FnRef(name, "f", params), FnRef(grad_name, "grad", grad_params), x,
        **kwargs,
    )
    got = expect_float(got, what="gradient_check")
    if not np.isclose(got, expected, rtol=1e-3, atol=GRADCHECK_ATOL):
        carry_forward_gradient(student, got, FnRef(name, "f", params), x,
                               kwargs.get("h", 1e-5), f, grad)
    assert_close(got, expected, what="gradient_check(f, grad_f, x)", rtol=1e-3, atol=GRADCHECK_ATOL)


@st.composite
def descent_cases(draw):
    """A quadratic, x0, a step (sometimes too big) and stopping options, from the domain:
    A positive definite (a minimum) or with a negative eigenvalue (f unbounded below: the
    run must stop as diverged once |f| > 1e12), x0 sometimes integer, each keyword given or
    left at its default (small steps need more than 100, often 1000, steps: a wrong
    default max_iters or eps shows)."""
    d = draw(st.integers(1, 3))
    B = draw(hnp.arrays(np.float64, (d, d), elements=st.floats(-2, 2)))
    A = B @ B.T + draw(st.floats(0.2, 2.0)) * np.eye(d)
    if draw(st.integers(0, 3)) == 0:  # unbounded below: flip the sign of an eigenvalue or all
        lam, Q = np.linalg.eigh(A)
        lam[: draw(st.integers(1, d))] *= -1.0
        A = Q @ np.diag(lam) @ Q.T
    params = {
        "A": A.tolist(),
        "b": draw(hnp.arrays(np.float64, d, elements=st.floats(-2, 2))).tolist(),
    }
    lam_max = float(np.abs(np.linalg.eigvalsh(A)).max())
    step = draw(st.floats(0.05, 2.4)) / lam_max  # above 2 / lam_max it diverges
    x0 = draw(hnp.arrays(np.float64, d, elements=st.floats(-3, 3)))
    kwargs = {}
    for name, values in (("criterion", st.sampled_from(["gradient", "value"])),
                         ("eps", st.sampled_from([1e-3, 1e-6, 1e-8])),
                         ("max_iters", st.integers(0, 400))):
        kwargs.update(draw(keyword("gradient_descent", name, values)))
    return params, draw(given_as("gradient_descent", "x0", x0)), step, kwargs


DESCENT_DEFAULTS = {"eps": 1e-8, "max_iters": 1000, "criterion": "gradient"}
"""gradient_descent's documented defaults, named in a message when a run used them."""

PICTURE = "a2_trajectory"
"""Student.record key: a run on lecture 000's f beside the reference's, for the report."""
PICTURE_RUN = ("lecture_2var", np.array([3.0, 3.0]), 0.2)
"""Lecture 000's worked example: f = x1^2 + x1 x2 + 4 x2^2 from (3, 3), eta = 0.2."""
PICTURE_MAX_POINTS = 200
"""Points kept per trajectory for the picture (the lecture's run takes about 60)."""


def record_trajectory(student) -> None:
    """Once per grading: the lecture's run, the student's and the reference's trajectory."""
    if PICTURE in student.artifacts:
        return
    student.artifacts[PICTURE] = None
    name, x0, step = PICTURE_RUN
    f_ref, grad_ref = fn(name)
    try:
        got = student.call("gradient_descent", f_ref, grad_ref, x0, step)
    except StudentFault as fault:
        if fault.fatal:
            raise
        return
    trajectory = got.get("trajectory") if isinstance(got, dict) else None
    if not isinstance(trajectory, np.ndarray) or trajectory.ndim != 2 or (
            trajectory.shape[1:] != (2,)) or trajectory.dtype.kind != "f":
        return
    f, grad = make_function(name)
    expected = _ref(student).gradient_descent(f, grad, x0, step)
    student.record(PICTURE, {
        "function": name, "params": {}, "x0": x0.tolist(), "step_size": step,
        "trajectories": {"yours": trajectory[:PICTURE_MAX_POINTS].tolist(),
                         "reference": expected["trajectory"][:PICTURE_MAX_POINTS].tolist()},
    })


@CHECKS.check(task="2.3", function="gradient_descent", name="same as the reference")
@for_all(
    descent_cases(),
    max_examples=40,
    describe=lambda c: (
        f"f = 0.5 x^T A x + b^T x with {c[0]}, x0 = {c[1].tolist()}, "
        f"step_size = {c[2]:.6g}, {fmt_inputs(**c[3])}"
    ),
)
def descent_differential(student, case):
    record_trajectory(student)
    params, x0, step, kwargs = case
    f, grad = make_function("quadratic", params)
    expected = _ref(student).gradient_descent(f, grad, x0, step, **kwargs)
    f_ref, grad_ref = fn("quadratic", params)
    got = descent(student, f_ref, grad_ref, x0, step, **kwargs)
    # Judged step by step: the first step that leaves the reference's run, else the stop.
    defaults = ", ".join(f"{k}={v!r}" for k, v in DESCENT_DEFAULTS.items() if k not in kwargs)
    judge_descent(got, expected, what="gradient_descent(...)",
                  why=f"the documented rule for criterion="
                  f"{kwargs.get('criterion', 'gradient')!r}"
                  + (f"; the defaults {defaults}" if defaults else ""))


@CHECKS.check(task="2.4", function="numerical_hessian", name="same as the reference")
@for_all(points_for("numerical_hessian", stiff=True), max_examples=25, describe=describe)
def hessian_differential(student, case):
    # The stiff points make the default h = 1e-4 observable (1e-3 is off by ~0.07 there).
    name, params, x = case
    f, _ = make_function(name, params)
    expected = _ref(student).numerical_hessian(f, x)
    got = student.call("numerical_hessian", FnRef(name, "f", params), x)
    got = expect_array(got, (x.size, x.size), what="numerical_hessian(f, x)")
    carry_forward_hessian(student, got, FnRef(name, "f", params), np.asarray(x, float))
    assert_close(got, expected, what="numerical_hessian(f, x)", rtol=1e-5, atol=HESSIAN_ATOL)


@st.composite
def symmetric_matrices(draw):
    """Small-integer symmetric matrices: singular (degenerate) ones are common."""
    d = draw(st.integers(1, 4))
    M = draw(hnp.arrays(np.float64, (d, d), elements=st.integers(-2, 2).map(float)))
    if draw(st.booleans()):
        M = M @ M.T * draw(st.sampled_from([1.0, -1.0]))  # semi-definite: min or max or degenerate
    return draw(given_as("classify_critical_point", "H", (M + M.T) / 2))


@st.composite
def near_tol_matrices(draw):
    """Q diag(lambda) Q^T with one eigenvalue of size 1e-9 or 1e-7, just below or above the
    default tol 1e-8: only the documented default classifies them right."""
    d = draw(st.integers(1, 3))
    lam = draw(hnp.arrays(np.float64, d, elements=st.floats(0.1, 10) | st.floats(-10, -0.1)))
    lam[0] = draw(st.sampled_from([1e-9, -1e-9, 1e-7, -1e-7, 5e-7]))
    Q, _ = np.linalg.qr(np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal((d, d)))
    H = Q @ np.diag(lam) @ Q.T
    return (H + H.T) / 2


@CHECKS.check(task="2.5", function="classify_critical_point", name="same as the reference")
@for_all(
    st.tuples(symmetric_matrices() | near_tol_matrices(),
              keyword("classify_critical_point", "tol", st.sampled_from([1e-6, 0.5]))),
    max_examples=60,
    describe=lambda c: f"H = {np.asarray(c[0]).tolist()}" + (
        f", {fmt_inputs(**c[1])}" if c[1] else ""),
    calls=lambda c: [("classify_critical_point", c[:1], c[1])],
)
def classify_differential(student, case):
    H, kwargs = case
    expected = _ref(student).classify_critical_point(H, **kwargs)
    got = expect_choice(student.call("classify_critical_point", H, **kwargs), KINDS,
                        what="classify_critical_point(H)")
    if got != expected:
        eigenvalues = np.linalg.eigvalsh(np.asarray(H, float))
        raise CheckFailure(
            f"classify_critical_point(H) returned {got!r}, expected {expected!r} "
            f"(eigenvalues {[float(f'{v:.6g}') for v in eigenvalues]}; tol "
            f"{kwargs.get('tol', 1e-8):g}{'' if kwargs else ', the default'})."
        )
