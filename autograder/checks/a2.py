"""Visible checks of A2 (gradient descent): lecture 000's worked examples and invariants.

Test functions cross the sandbox as ``FnRef`` markers (fixtures.py's catalogue, with exact
gradients and Hessians). Expected values are the lecture's numbers, derived by hand in the
comments, or computed here: central differences (compare.central_difference), CS231n's
relative error (compare.rel_error), the descent step x - eta grad f(x).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.checks.framework import Assignment, Registry, Task, for_all
from autograder.compare import (
    CheckFailure,
    assert_close,
    central_difference,
    expect_array,
    expect_bool,
    expect_dict,
    expect_float,
    expect_int,
    fmt_inputs,
    rel_error,
)
from autograder.sandboxed.fixtures import make_function, make_hessian
from autograder.sandboxed.protocol import FnRef

ASSIGNMENT = Assignment(
    id="a2",
    folder="a2_gradient_descent",
    module="gradient_descent",
    title="Gradients, gradient descent and the Hessian",
    tasks=(
        Task("2.1", "numerical_gradient: central differences", 3, ("numerical_gradient",)),
        Task("2.2", "relative error and gradient check", 3, ("relative_error", "gradient_check")),
        Task("2.3", "gradient_descent with its stopping rules", 6, ("gradient_descent",)),
        Task("2.4", "numerical_hessian", 3, ("numerical_hessian",)),
        Task("2.5", "classify_critical_point", 3, ("classify_critical_point",)),
    ),
)
CHECKS = Registry()

NUMERIC_ATOL = 1e-6
"""Slack against an exact derivative for a central difference with the default h: for the
quadratics used here the truncation error is 0 and rounding is ~1e-16 * |f| / h ~ 1e-9."""
HESSIAN_ATOL = 1e-4
"""Slack of a central-difference Hessian (h = 1e-4) against the exact one: rounding is
~1e-16 * |f| / h^2 ~ 1e-8 * |f|, truncation ~h^2 * f'''' ~ 1e-6 for Rosenbrock near (1, 1)."""
GRADCHECK_OK = 1e-7
"""CS231n: a relative error below 1e-7 means the analytic gradient is right."""
GRADCHECK_WRONG = 1e-2
"""The planted wrong gradients (one entry off by ~1/3 of the gradient's size or more) have relative
error ~0.1 or more; a gradient check must see them at once."""
LECTURE_3DP = 5e-4
"""The lecture prints eigenvalues to three decimals (0.586, 3.414): half a unit of the last."""
DIVERGENCE_LIMIT = 1e12
"""DESIGN.md: a value above 1e12 in size (or not finite) stops the run as diverged."""

LECTURE_2 = FnRef("lecture_2var", "f", {})
LECTURE_2_GRAD = FnRef("lecture_2var", "grad", {})
LECTURE_3 = FnRef("lecture_3var", "f", {})
LECTURE_3_GRAD = FnRef("lecture_3var", "grad", {})
LECTURE_HESSIAN = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]])
GD_KEYS = ("trajectory", "values", "iterations", "converged", "reason")
X0 = np.array([3.0, 3.0])


def fn(name: str, params: dict | None = None) -> tuple[FnRef, FnRef]:
    """The (f, grad_f) markers of a catalogue function, for student.call."""
    return FnRef(name, "f", params or {}), FnRef(name, "grad", params or {})


def descent(student, f: FnRef, grad: FnRef, x0: np.ndarray, step: float, **kwargs) -> dict:
    """Call gradient_descent and validate the shapes and types of its result."""
    what = f"gradient_descent({f.name}, x0, step_size={step})"
    got = expect_dict(
        student.call_unmutated("gradient_descent", f, grad, x0, step, **kwargs), GD_KEYS, what=what
    )
    k = expect_int(got["iterations"], what=f"{what}['iterations']")
    if np.shape(got["trajectory"])[:1] == (k,):
        raise CheckFailure(
            f"{what}: trajectory has {k} points for {k} iterations; it must start with x0, "
            f"so k steps give k + 1 points (x0, x1, ..., xk) and k + 1 values."
        )
    expect_array(got["trajectory"], (k + 1, x0.size), what=f"{what}['trajectory']", finite=False)
    expect_array(got["values"], (k + 1,), what=f"{what}['values']", finite=False)
    expect_bool(got["converged"], what=f"{what}['converged']")
    if got["reason"] not in ("gradient", "value", "max_iters", "diverged"):
        raise CheckFailure(f"{what}['reason'] is {got['reason']!r}, not one of the four reasons.")
    trajectory = got["trajectory"]
    if k > 0 and np.all(trajectory == trajectory[-1]) and not np.array_equal(x0, trajectory[-1]):
        raise CheckFailure(
            f"{what}: all {k + 1} rows of trajectory are the same point, the last one"
            f" ({trajectory[-1].tolist()}), not x0 = {x0.tolist()} and the steps after it:"
            " the list holds one array k + 1 times, changed in place after it was appended."
        )
    if not np.array_equal(trajectory[0], x0):
        raise CheckFailure(
            f"{what}: trajectory[0] is {trajectory[0].tolist()}, expected x0 = {x0.tolist()}."
        )
    return got


points = hnp.arrays(np.float64, st.integers(2, 4), elements=st.floats(-2, 2))


# ---------------------------------------------------------------- 2.1 numerical_gradient


@CHECKS.check(task="2.1", function="numerical_gradient", name="lecture example, by hand")
def gradient_lecture(student):
    # grad f = (2x1 + 1 - x2, -x1 + 2x2 - x3, -x2 + 2x3 + 1): (1, 0, 5) at (1, 2, 3), 0 at -1s.
    for x, expected in (([1.0, 2.0, 3.0], [1.0, 0.0, 5.0]), ([-1.0, -1.0, -1.0], [0.0] * 3)):
        x = np.array(x)
        got = student.call_unmutated("numerical_gradient", LECTURE_3, x)
        got = expect_array(got, (3,), what="numerical_gradient(f, x)")
        assert_close(
            got, expected, what="numerical_gradient(f, x)", atol=NUMERIC_ATOL,
            inputs=f"f = lecture 000's x1^2 + x1(1 - x2) + x2^2 - x2 x3 + x3^2 + x3, x = {x}",
            hint="central difference: (f(x + h e_i) - f(x - h e_i)) / (2h)",
        )  # fmt: skip


@CHECKS.check(task="2.1", function="numerical_gradient", name="central, not one-sided, in h")
@for_all(points, max_examples=20)
def gradient_is_central(student, x):
    # With a large h a one-sided quotient differs from the central one by ~h f''/2.
    h = 1e-2
    f, _ = make_function("rosenbrock")
    got = expect_array(
        student.call_unmutated("numerical_gradient", FnRef("rosenbrock", "f", {}), x, h=h),
        x.shape,
        what="numerical_gradient(f, x, h=0.01)",
    )
    assert_close(
        got, central_difference(f, x, h), what="numerical_gradient(f, x, h=0.01)",
        inputs=f"f = rosenbrock, x = {x}",
        hint="use (f(x + h e_i) - f(x - h e_i)) / (2h) for each coordinate i",
    )  # fmt: skip


# ---------------------------------------------------------------- 2.2 relative error, check


@CHECKS.check(task="2.2", function="relative_error", name="hand values and the 1e-8 floor")
def relative_error_hand(student):
    cases = [  # (a, b, expected, why)
        ([1.0, 2.0], [1.0, 3.0], 0.2, "max(0/2, 1/5)"),
        ([0.0, 0.0], [0.0, 0.0], 0.0, "0 / max(1e-8, 0) = 0, not 0/0"),
        ([0.0], [1e-9], 0.1, "1e-9 / max(1e-8, 1e-9) = 0.1"),
        ([-1.0, 4.0], [1.0, 4.0], 1.0, "|-1 - 1| / (|-1| + |1|) = 1"),
    ]
    for a, b, expected, why in cases:
        a, b = np.array(a), np.array(b)
        got = expect_float(
            student.call_unmutated("relative_error", a, b),
            what=f"relative_error(a, b) for {fmt_inputs(a=a, b=b)},",
        )
        assert_close(
            got, expected, what="relative_error(a, b)", inputs=fmt_inputs(a=a, b=b),
            hint=f"{why}: max over entries of |a - b| / max(1e-8, |a| + |b|)",
        )  # fmt: skip


@CHECKS.check(task="2.2", function="relative_error", name="agrees with CS231n's rel_error")
@for_all(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=st.floats(-100, 100)),
            hnp.arrays(np.float64, n, elements=st.floats(-100, 100)),
        )
    )
)
def relative_error_property(student, case):
    a, b = case
    got = expect_float(student.call("relative_error", a, b), what="relative_error")
    assert_close(got, rel_error(a, b), what="relative_error(a, b)", inputs=fmt_inputs(a=a, b=b))


@CHECKS.check(task="2.2", function="gradient_check", name="passes right, flags wrong gradients")
def gradient_check_catalogue(student):
    rng = np.random.default_rng(2)
    for name, params, delta in (
        ("sum_sin", {"a": [1.0, 2.0, 0.5]}, 1.0),
        ("rosenbrock", {}, 100.0),
    ):
        x = rng.uniform(-1.5, 1.5, size=3)
        f, grad = fn(name, params)
        got = expect_float(
            student.call_unmutated("gradient_check", f, grad, x), what="gradient_check"
        )
        if got >= GRADCHECK_OK:
            raise CheckFailure(
                f"gradient_check(f, grad_f, x) returned {got:.3g} for a CORRECT gradient "
                f"(f = {name}, x = {x}); expected < {GRADCHECK_OK:g}."
            )
        wrong = FnRef(
            "wrong_grad", "grad", {"base": name, "base_params": params, "coord": 1, "delta": delta}
        )
        base_f, _ = make_function(name, params)
        _, wrong_grad = make_function(
            "wrong_grad", {"base": name, "base_params": params, "coord": 1, "delta": delta}
        )
        expected = rel_error(wrong_grad(x), central_difference(base_f, x))
        got = expect_float(student.call("gradient_check", f, wrong, x), what="gradient_check")
        assert_close(
            got, expected, what="gradient_check(f, grad_f, x)", rtol=1e-4,
            inputs=f"f = {name}, grad_f = its gradient with {delta:g} added to entry 1, x = {x}",
            hint="relative_error(grad_f(x), numerical_gradient(f, x, h))",
        )  # fmt: skip
        if expected < GRADCHECK_WRONG:  # guards this check's own premise, not the student
            raise AssertionError("the planted wrong gradient is not wrong enough")


# ---------------------------------------------------------------- 2.3 gradient_descent


@CHECKS.check(task="2.3", function="gradient_descent", name="lecture: eta 0.1, 0.2 converge")
def descent_lecture_converges(student):
    # From (3, 3): grad = (9, 27), so x1 = (3, 3) - eta (9, 27) and f(x0) = 9 + 9 + 36 = 54.
    for eta, first in ((0.1, [2.1, 0.3]), (0.2, [1.2, -2.4])):
        got = descent(student, LECTURE_2, LECTURE_2_GRAD, X0, eta)
        what = f"gradient_descent(x1^2 + x1 x2 + 4 x2^2, x0 = (3, 3), step_size={eta})"
        if got["reason"] != "gradient" or got["converged"] is not True:
            raise CheckFailure(
                f"{what}: expected converged True with reason 'gradient', got "
                f"{got['converged']} / {got['reason']!r} after {got['iterations']} steps."
            )
        traj = got["trajectory"]
        assert_close(
            traj[1], first, what=f"{what}: the first step", hint="x1 = x0 - eta * grad f(x0)"
        )
        assert_close(traj[-1], [0.0, 0.0], what=f"{what}: the last point", atol=1e-7)
        assert_close(got["values"][0], 54.0, what=f"{what}: values[0] = f(x0)")


@CHECKS.check(task="2.3", function="gradient_descent", name="eta = 0.25 > 2/lambda_max diverges")
def descent_diverges(student):
    # Hessian [[2, 1], [1, 8]]: lambda = 5 +- sqrt(10), 2 / lambda_max = 0.245 < 0.25.
    got = descent(student, LECTURE_2, LECTURE_2_GRAD, X0, 0.25)
    values = got["values"]
    if got["reason"] != "diverged" or got["converged"] is not False:
        raise CheckFailure(
            "gradient_descent(x1^2 + x1 x2 + 4 x2^2, x0 = (3, 3), step_size=0.25): expected "
            f"reason 'diverged' and converged False, got {got['reason']!r} / {got['converged']}"
            f" after {got['iterations']} steps (last value {values[-1]:.3g}); stop as soon "
            "as |f| > 1e12 or f is not finite."
        )
    last_ok = np.isfinite(values[-1]) and abs(values[-1]) <= DIVERGENCE_LIMIT
    if last_ok or np.any(~np.isfinite(values[:-1]) | (np.abs(values[:-1]) > DIVERGENCE_LIMIT)):
        raise CheckFailure(
            "gradient_descent with step_size=0.25 should stop at the FIRST value above 1e12 "
            f"and include it; values end with {values[-3:]}."
        )


@CHECKS.check(task="2.3", function="gradient_descent", name="each step is x - eta grad f(x)")
@for_all(st.tuples(points, st.floats(0.01, 0.3)), max_examples=20)
def descent_steps(student, case):
    x0, eta = case
    f, grad = fn("sum_sin", {"a": [1.0, -0.5, 2.0, 0.3][: x0.size]})
    f_py, grad_py = make_function("sum_sin", {"a": [1.0, -0.5, 2.0, 0.3][: x0.size]})
    got = descent(student, f, grad, x0, eta, max_iters=5)
    traj = got["trajectory"]
    for k in range(len(traj) - 1):
        assert_close(
            traj[k + 1], traj[k] - eta * grad_py(traj[k]),
            what=f"gradient_descent: step {k + 1} of the trajectory",
            hint="x_{k+1} = x_k - step_size * grad_f(x_k) (descent: minus the gradient)",
        )  # fmt: skip
    assert_close(
        got["values"], [f_py(x) for x in traj], what="gradient_descent: values = f(trajectory)"
    )


@CHECKS.check(task="2.3", function="gradient_descent", name="stopping rules")
def descent_stopping(student):
    cases = [
        # (x0, step, kwargs, iterations, reason, why)
        (X0, 0.1, {"max_iters": 5}, 5, "max_iters", "max_iters = 5 steps, 6 points"),
        (np.zeros(2), 0.1, {}, 0, "gradient", "grad f(x0) = 0: no step at all"),
        # (3, 3) - 0.25 (9, 27) = (0.75, -3.75) where f = 0.5625 - 2.8125 + 56.25 = 54 = f(x0).
        (X0, 0.25, {"criterion": "value"}, 1, "value", "|f(x1) - f(x0)| = |54 - 54| < eps"),
    ]
    for x0, step, kwargs, iterations, reason, why in cases:
        got = descent(student, LECTURE_2, LECTURE_2_GRAD, x0, step, **kwargs)
        if got["iterations"] != iterations or got["reason"] != reason:
            raise CheckFailure(
                f"gradient_descent(x1^2 + x1 x2 + 4 x2^2, x0 = {x0}, step_size={step}, "
                f"{fmt_inputs(**kwargs)}): expected {iterations} iterations, reason "
                f"{reason!r} ({why}); got {got['iterations']}, {got['reason']!r}."
            )
    got = descent(student, LECTURE_2, LECTURE_2_GRAD, X0, 0.1, criterion="value", eps=1e-8)
    diffs = np.abs(np.diff(got["values"]))
    if got["reason"] != "value" or diffs[-1] >= 1e-8 or np.any(diffs[:-1] < 1e-8):
        raise CheckFailure(
            "gradient_descent(..., step_size=0.1, criterion='value', eps=1e-8) should stop "
            "right after the first step with |f(x_{k+1}) - f(x_k)| < eps; got reason "
            f"{got['reason']!r} with last changes {diffs[-3:]}."
        )


@CHECKS.check(task="2.3", function="gradient_descent", name="finds the lecture's (-1, -1, -1)")
def descent_lecture_minimum(student):
    got = descent(student, LECTURE_3, LECTURE_3_GRAD, np.zeros(3), 0.1)
    what = "gradient_descent(lecture 000's 3-variable f, x0 = 0, step_size=0.1)"
    assert_close(got["trajectory"][-1], [-1.0, -1.0, -1.0], what=f"{what}: the minimum", atol=1e-7)
    assert_close(got["values"][-1], -1.0, what=f"{what}: f at the minimum")  # 1-1-1+1-1+1-1


# ---------------------------------------------------------------- 2.4 numerical_hessian


@CHECKS.check(task="2.4", function="numerical_hessian", name="lecture Hessian and eigenvalues")
def hessian_lecture(student):
    x = np.array([-1.0, -1.0, -1.0])
    got = student.call_unmutated("numerical_hessian", LECTURE_3, x)
    got = expect_array(got, (3, 3), what="numerical_hessian(f, x)")
    what = "numerical_hessian(lecture 000's 3-variable f, (-1, -1, -1))"
    if not np.array_equal(got, got.T):
        raise CheckFailure(f"{what} is not symmetric: compute H[i, j] for i <= j and mirror it.")
    assert_close(
        got, LECTURE_HESSIAN, what=what, atol=HESSIAN_ATOL,
        hint="H[i, j] = (f(x+h e_i+h e_j) - f(x+h e_i-h e_j) - f(x-h e_i+h e_j) + f(x-h e_i-h e_j))"
        " / (4 h^2)",
    )  # fmt: skip
    # Tridiagonal (2, -1): eigenvalues 2 - sqrt(2), 2, 2 + sqrt(2) = 0.586, 2, 3.414.
    assert_close(
        np.linalg.eigvalsh(got), [0.586, 2.0, 3.414], what=f"the eigenvalues of {what}",
        atol=LECTURE_3DP, rtol=0.0,
    )  # fmt: skip


@CHECKS.check(task="2.4", function="numerical_hessian", name="matches the exact Hessian")
@for_all(points, max_examples=15)
def hessian_rosenbrock(student, x):
    # Rosenbrock entries reach ~1e3 here; HESSIAN_ATOL relative to that scale.
    got = student.call("numerical_hessian", FnRef("rosenbrock", "f", {}), x)
    got = expect_array(got, (x.size, x.size), what="numerical_hessian(f, x)")
    exact = make_hessian("rosenbrock")(x)
    assert_close(
        got, exact, what="numerical_hessian(f, x)", inputs=f"f = rosenbrock, x = {x}",
        rtol=1e-5, atol=HESSIAN_ATOL,
    )  # fmt: skip


# ---------------------------------------------------------------- 2.5 classify_critical_point


@CHECKS.check(task="2.5", function="classify_critical_point", name="the four kinds, by hand")
def classify_hand(student):
    cases = [
        (LECTURE_HESSIAN, "minimum", "eigenvalues 0.586, 2, 3.414 all positive"),
        (-LECTURE_HESSIAN, "maximum", "all eigenvalues negative"),
        (np.diag([1.0, -1.0]), "saddle", "one positive and one negative eigenvalue"),
        (np.diag([2.0, -3.0, 0.0]), "saddle", "both signs, even with a zero eigenvalue"),
        (np.diag([1.0, 0.0]), "degenerate", "a zero eigenvalue and no negative one"),
        (np.array([[2.0, 1.0], [1.0, 8.0]]), "minimum", "lambda = 5 +- sqrt(10) > 0"),
        (np.array([[0.0, 1.0], [1.0, 0.0]]), "saddle", "lambda = +-1 (zero diagonal!)"),
    ]
    for H, expected, why in cases:
        got = student.call_unmutated("classify_critical_point", H)
        if got != expected:
            raise CheckFailure(
                f"classify_critical_point(H) returned {got!r}, expected {expected!r} ({why})."
                f"\n  input: H = {H.tolist()}\n  hint: use the eigenvalues "
                "(np.linalg.eigvalsh), not the diagonal."
            )


@st.composite
def hessians(draw):
    """(H (d, d), eigenvalues) with H = Q diag(eigenvalues) Q^T, eigenvalues away from 0."""
    d = draw(st.integers(1, 4))
    eig = draw(
        hnp.arrays(np.float64, d, elements=st.one_of(st.floats(0.1, 10), st.floats(-10, -0.1)))
    )
    seed = draw(st.integers(0, 2**16))
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return Q @ np.diag(eig) @ Q.T, eig


@CHECKS.check(task="2.5", function="classify_critical_point", name="by eigenvalue signs")
@for_all(hessians(), describe=lambda case: f"H with eigenvalues {case[1]}")
def classify_property(student, case):
    H, eig = case
    H = (H + H.T) / 2
    expected = "minimum" if np.all(eig > 0) else "maximum" if np.all(eig < 0) else "saddle"
    got = student.call("classify_critical_point", H)
    if got != expected:
        raise CheckFailure(
            f"classify_critical_point(H) returned {got!r}, expected {expected!r} for a "
            f"Hessian with eigenvalues {np.round(eig, 3).tolist()}."
        )
