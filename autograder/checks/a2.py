"""Visible checks of A2 (gradient descent): lecture 000's worked examples and invariants.

Test functions cross the sandbox as ``FnRef`` markers (fixtures.py's catalogue, with exact
gradients and Hessians). Expected values are the lecture's numbers, derived by hand in the
comments, or computed here: central differences (compare.central_difference), CS231n's
relative error (compare.rel_error), the descent step x - eta grad f(x).
"""

from __future__ import annotations

import numpy as np

from autograder.checks.framework import (
    Assignment,
    CarriedForward,
    Registry,
    StudentFault,
    Task,
    for_all,
)
from autograder.checks.strategies import hnp, st
from autograder.compare import (
    CheckFailure,
    assert_close,
    central_difference,
    describe_type,
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


HESSIAN_CARRIED_RTOL = 1e-6
"""A numerical_hessian built from the student's own numerical_gradient, against the same
differences taken here from that gradient: equal up to rounding of the subtraction."""


def carry_forward_hessian(student, got: np.ndarray, f: FnRef, x: np.ndarray,
                          h: float = 1e-4) -> None:
    """Raise CarriedForward when a Hessian is exactly the (symmetrised) central difference of
    the student's OWN wrong numerical_gradient (task 2.1): (g(x + h e_j) - g(x - h e_j)) / 2h,
    the inner gradient with the same h or its documented default 1e-5."""
    f_py, _ = make_function(f.name, f.params)
    try:
        here = student.call("numerical_gradient", f, x, h)
        if not _right_gradient(here, f_py, x, h):
            for inner in (h, 1e-5):
                columns = []
                for e in h * np.eye(x.size):
                    plus = student.call("numerical_gradient", f, x + e, inner)
                    minus = student.call("numerical_gradient", f, x - e, inner)
                    if not all(_plain_vector(g, x.shape) for g in (plus, minus)):
                        return
                    columns.append((plus - minus) / (2 * h))
                H = np.array(columns).T
                carried = (H + H.T) / 2
                scale = max(1.0, float(np.max(np.abs(carried))))
                if np.allclose(got, carried, rtol=HESSIAN_CARRIED_RTOL,
                               atol=HESSIAN_CARRIED_RTOL * scale):
                    raise CarriedForward(
                        "numerical_hessian agrees with the central difference of your"
                        " numerical_gradient (task 2.1): its points are lost there, not here."
                    )
    except StudentFault as fault:
        if fault.fatal:
            raise


def _plain_vector(value, shape) -> bool:
    return (isinstance(value, np.ndarray) and value.shape == shape and value.dtype.kind == "f"
            and bool(np.all(np.isfinite(value))))


def _right_gradient(value, f_py, x, h) -> bool:
    """Whether the student's numerical_gradient is the central difference here."""
    return _plain_vector(value, x.shape) and bool(
        np.allclose(value, central_difference(f_py, x, h), rtol=1e-6, atol=NUMERIC_ATOL))


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
    expect_choice(got["reason"], ("gradient", "value", "max_iters", "diverged"),
                  what=f"{what}['reason']")
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

CARRIED_RTOL = 1e-4
"""gradient_check against relative_error(grad_f(x), the student's own numerical_gradient):
both sides compute the same quotient of the same numbers, so only rounding differs."""


RIGHT_RTOL = 1e-8
"""A student's numerical_gradient counts as the central difference (nothing to carry
forward) within this: rounding of the same differences is ~1e-11 |f|, any bug far more."""


def carry_forward_gradient(student, got: float, f: FnRef, x: np.ndarray, h: float,
                           f_py, grad_py) -> None:
    """Raise CarriedForward when a wrong gradient_check result is exactly the relative error
    against the student's OWN numerical_gradient (task 2.1, which lost its points for it).

    Returns at once when their numerical_gradient is right here (nothing to carry)."""
    try:
        theirs = student.call("numerical_gradient", f, x, h)
    except StudentFault as fault:
        if fault.fatal:
            raise
        return
    if not (isinstance(theirs, np.ndarray) and theirs.shape == x.shape
            and theirs.dtype.kind == "f" and np.all(np.isfinite(theirs))):
        return
    # "Right" only up to rounding: a gradient_check is judged to ~1e-8, and a one-sided
    # difference is off by just h f''/2 ~ 5e-6 where f'' ~ 1 (still a task 2.1 bug).
    if np.allclose(theirs, central_difference(f_py, x, h), rtol=RIGHT_RTOL, atol=RIGHT_RTOL):
        return
    carried = rel_error(grad_py(x), theirs)
    if abs(got - carried) <= CARRIED_RTOL * abs(carried) + 1e-12:
        raise CarriedForward(
            "gradient_check agrees with your numerical_gradient (task 2.1): its points are"
            " lost there, not here."
        )


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
    cases = [(np.array(a), np.array(b), expected, why) for a, b, expected, why in cases] + [
        (1.0, 3.0, 0.5, "scalars, as the docstring allows: |1 - 3| / (1 + 3)"),
        (3, 1, 0.5, "Python ints: |3 - 1| / (3 + 1)"),
    ]
    for a, b, expected, why in cases:
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
    ),
    calls=lambda case: [("relative_error", case)],
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
        f_py, grad_py = make_function(name, params)
        if got >= GRADCHECK_OK:
            carry_forward_gradient(student, got, f, x, 1e-5, f_py, grad_py)
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
        if not np.isclose(got, expected, rtol=1e-4, atol=0.0):
            carry_forward_gradient(student, got, f, x, 1e-5, base_f, wrong_grad)
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
    carry_forward_hessian(student, got, LECTURE_3, x)
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
    carry_forward_hessian(student, got, FnRef("rosenbrock", "f", {}), x)
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
        got = expect_choice(student.call_unmutated("classify_critical_point", H), KINDS,
                            what="classify_critical_point(H)")
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
@for_all(hessians(), describe=lambda case: f"H with eigenvalues {case[1]}",
         calls=lambda case: [("classify_critical_point", case[:1])])
def classify_property(student, case):
    H, eig = case
    H = (H + H.T) / 2
    expected = "minimum" if np.all(eig > 0) else "maximum" if np.all(eig < 0) else "saddle"
    got = expect_choice(student.call("classify_critical_point", H), KINDS,
                        what="classify_critical_point(H)")
    if got != expected:
        raise CheckFailure(
            f"classify_critical_point(H) returned {got!r}, expected {expected!r} for a "
            f"Hessian with eigenvalues {np.round(eig, 3).tolist()}."
        )


# ---------------------------------------------------------------- documented edges, keywords
# Each check below exercises one documented rule at its boundary, one keyword parameter
# with a non-default value, or one way the callables the grader passes misbehave within
# what the docs allow (f and grad_f may write to their argument; f may be NaN at a finite
# point). tests/test_contracts.py fails when a keyword or a documented Raises has no check.

KINDS = ("minimum", "maximum", "saddle", "degenerate")
REASONS = ("gradient", "value", "max_iters", "diverged")


def expect_choice(got, choices, *, what: str) -> str:
    """``got`` if it is one of the documented strings, else a CheckFailure saying what it is."""
    if not isinstance(got, str) or got not in choices:
        shown = repr(got) if isinstance(got, str) else describe_type(got)
        raise CheckFailure(f"{what} returned {shown}, expected one of {list(choices)}.")
    return got


def descent_replay(f, grad, x0, step, eps=1e-8, max_iters=1000, criterion="gradient") -> dict:
    """The documented stopping rules, derived here from the docstring: the expected run."""
    trajectory, values = [np.array(x0, dtype=float)], [f(np.array(x0, dtype=float))]
    reason = None
    if not np.isfinite(values[0]) or abs(values[0]) > DIVERGENCE_LIMIT:
        reason = "diverged"
    while reason is None:
        x = trajectory[-1]
        g = np.asarray(grad(x.copy()), dtype=float)
        if criterion == "gradient" and np.linalg.norm(g) < eps:
            reason = "gradient"
        elif len(trajectory) - 1 == max_iters:
            reason = "max_iters"
        else:
            trajectory.append(x - step * g)
            values.append(f(trajectory[-1].copy()))
            if not np.isfinite(values[-1]) or abs(values[-1]) > DIVERGENCE_LIMIT:
                reason = "diverged"
            elif criterion == "value" and abs(values[-1] - values[-2]) < eps:
                reason = "value"
    return {"trajectory": np.array(trajectory), "values": np.array(values),
            "iterations": len(trajectory) - 1, "reason": reason}


def judge_descent(got: dict, expected: dict, *, what: str, why: str) -> None:
    """Step by step: where the student's run leaves the documented one, and which rule."""
    k_got, k_exp = got["iterations"], expected["iterations"]
    shared = min(k_got, k_exp) + 1
    for k in range(1, shared):
        assert_close(got["trajectory"][k], expected["trajectory"][k],
                     what=f"{what}: x_{k}", hint="x_{k+1} = x_k - step_size * grad_f(x_k)")
    if (k_got, got["reason"]) != (k_exp, expected["reason"]):
        raise CheckFailure(
            f"{what}: expected to stop after {k_exp} steps with reason {expected['reason']!r}"
            f" ({why}); got {k_got} steps and reason {got['reason']!r}."
        )
    if got["converged"] is not (expected["reason"] in ("gradient", "value")):
        raise CheckFailure(f"{what}: converged is {got['converged']} for reason {got['reason']!r}.")
    finite = np.isfinite(expected["values"])
    if not np.array_equal(np.isfinite(got["values"]), finite):
        raise CheckFailure(f"{what}: values should be {expected['values'].tolist()}, got "
                           f"{got['values'].tolist()}.")
    assert_close(got["values"][finite], expected["values"][finite], what=f"{what}: values")


@CHECKS.check(task="2.2", function="gradient_check", name="uses its h (keyword)")
def gradient_check_uses_h(student):
    # Central differences of Rosenbrock with h = 0.01 are off by ~h^2 f''' ~ 1e-4 relative:
    # a gradient_check that ignores h (always 1e-5) reports ~1e-10 instead.
    x, h = np.array([0.5, -0.3, 0.8]), 1e-2
    f, grad = fn("rosenbrock")
    f_py, grad_py = make_function("rosenbrock")
    expected = rel_error(grad_py(x), central_difference(f_py, x, h))
    got = expect_float(student.call("gradient_check", f, grad, x, h=h), what="gradient_check")
    if not np.isclose(got, expected, rtol=1e-3, atol=0.0):
        carry_forward_gradient(student, got, f, x, h, f_py, grad_py)
    assert_close(
        got, expected, what="gradient_check(f, grad_f, x, h=0.01)", rtol=1e-3,
        inputs=f"f = rosenbrock, x = {x}", hint="pass h on to numerical_gradient(f, x, h)",
    )  # fmt: skip


@CHECKS.check(task="2.2", function="gradient_check", name="f and grad_f get copies")
def gradient_check_passes_copies(student):
    # The catalogue's "scribbler" writes 2x + 1 into its argument after reading it. The docs
    # promise copies are passed, so the check must be the one at x itself.
    params = {"base": "lecture_3var", "base_params": {}}
    f, grad = FnRef("scribbler", "f", params), FnRef("scribbler", "grad", params)
    f_py, grad_py = make_function("lecture_3var")
    x = np.array([0.5, -1.0, 2.0])
    expected = rel_error(grad_py(x), central_difference(f_py, x))
    got = expect_float(student.call("gradient_check", f, grad, x), what="gradient_check")
    if not abs(got - expected) <= GRADCHECK_OK:
        carry_forward_gradient(student, got, f, x, 1e-5, f_py, grad_py)
    assert_close(
        got, expected, what="gradient_check(f, grad_f, x)", atol=GRADCHECK_OK, rtol=0.0,
        inputs=f"f and grad_f = lecture 000's 3-variable f and its gradient, both writing"
        f" 2x + 1 into their argument, x = {x}",
        hint="pass a copy (x.copy()) to grad_f and to numerical_gradient",
    )  # fmt: skip


@CHECKS.check(task="2.3", function="gradient_descent", name="comparisons at exactly eps")
def descent_boundaries(student):
    # f = 0.5 ||x||^2, grad = x. (1) ||grad f(x0)|| = ||(3, 4)|| = 5 = eps exactly: "< eps"
    # is false, so one step to (1.5, 2) (norm 2.5 < 5) and stop. (2) f(2) = 2, f(1) = 0.5,
    # f(0.5) = 0.125: |f(x1) - f(x0)| = 1.5 = eps exactly does not stop; 0.375 < 1.5 does.
    # (3) max_iters = 0: x0 alone. (4) d = 1, N = 1 point in the trajectory's second axis.
    identity = {"A": [[1.0, 0.0], [0.0, 1.0]]}
    cases = [  # (params, x0, step, kwargs, why)
        (identity, [3.0, 4.0], 0.5, {"eps": 5.0}, "||grad f(x0)|| = eps is not < eps"),
        ({"A": [[1.0]]}, [2.0], 0.5, {"eps": 1.5, "criterion": "value"},
         "|f(x1) - f(x0)| = eps is not < eps"),
        (identity, [3.0, 4.0], 0.5, {"max_iters": 0}, "max_iters = 0: no step"),
        (identity, [3.0, 4.0], 0.5, {"max_iters": 0, "eps": 6.0}, "x0 already meets it"),
        ({"A": [[2.0]]}, [1e6], 0.25, {"max_iters": 0},
         "f(x0) = 1e12 exactly is not |f| > 1e12: not diverged"),
    ]
    for params, x0, step, kwargs, why in cases:
        x0 = np.array(x0)
        f, grad = fn("quadratic", params)
        f_py, grad_py = make_function("quadratic", params)
        got = descent(student, f, grad, x0, step, **kwargs)
        what = f"gradient_descent(0.5 ||x||^2, x0 = {x0.tolist()}, step_size={step}, " \
               f"{fmt_inputs(**kwargs)})"
        judge_descent(got, descent_replay(f_py, grad_py, x0, step, **kwargs), what=what, why=why)


@CHECKS.check(task="2.3", function="gradient_descent", name="f and grad_f get copies")
def descent_passes_copies(student):
    # The catalogue's "scribbler" writes 2x + 1 into its argument after reading it. The docs
    # promise copies are passed, so the run must be the clean one.
    params = {"base": "lecture_2var", "base_params": {}}
    f, grad = FnRef("scribbler", "f", params), FnRef("scribbler", "grad", params)
    f_py, grad_py = make_function("lecture_2var")
    got = descent(student, f, grad, X0, 0.1, max_iters=20)
    judge_descent(
        got, descent_replay(f_py, grad_py, X0, 0.1, max_iters=20),
        what="gradient_descent with an f and grad_f that write to their argument",
        why="pass copies (x.copy()) to f and grad_f: they may change what they are given",
    )


@CHECKS.check(task="2.3", function="gradient_descent", name="NaN at a finite point: diverged")
def descent_nan_value(student):
    # 0.5 x^2 from 4 with step 0.5: 4, 2, 1, ... f is NaN where x < 1.5, so at x2 = 1: stop
    # there, reason "diverged", x2 included, although x2 itself is finite.
    params = {"base": "quadratic", "base_params": {"A": [[1.0]]}, "below": 1.5}
    f, grad = FnRef("nan_below", "f", params), FnRef("nan_below", "grad", params)
    f_py, grad_py = make_function("nan_below", params)
    x0 = np.array([4.0])
    for kwargs in ({}, {"criterion": "value"}):
        got = descent(student, f, grad, x0, 0.5, **kwargs)
        judge_descent(
            got, descent_replay(f_py, grad_py, x0, 0.5, **kwargs),
            what=f"gradient_descent(f NaN where x < 1.5, x0 = 4, step 0.5, {fmt_inputs(**kwargs)})",
            why="a value that is not finite stops the run as diverged, that point included",
        )


@CHECKS.check(task="2.1", function="numerical_gradient", name="d = 1, f writing to its argument")
def gradient_edges(student):
    params = {"base": "sum_sin", "base_params": {"a": [2.0]}}
    f_py, _ = make_function("sum_sin", {"a": [2.0]})
    for f, x, why in (
        (FnRef("sum_sin", "f", {"a": [2.0]}), np.array([0.3]), "d = 1"),
        (FnRef("scribbler", "f", params), np.array([0.3]), "f writes 2x + 1 into its argument"),
    ):
        got = expect_array(student.call("numerical_gradient", f, x, 1e-3), (1,),
                           what="numerical_gradient(f, x, h=1e-3)")
        assert_close(
            got, central_difference(f_py, x, 1e-3), what="numerical_gradient(f, x, h=1e-3)",
            inputs=f"f = sin(2x) + x^2 / 2 ({why}), x = {x}",
            hint="give f a fresh array for each evaluation (x + h e_i), never x itself",
        )  # fmt: skip


def four_point_hessian(f, x: np.ndarray, h: float) -> np.ndarray:
    """The docstring's formula, derived here: [f(++)-f(+-)-f(-+)+f(--)] / (4 h^2)."""
    d = x.size
    E = h * np.eye(d)
    H = np.empty((d, d))
    for i in range(d):
        for j in range(d):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j])
                       + f(x - E[i] - E[j])) / (4 * h * h)
    return (H + H.T) / 2


def three_point_diagonal(f, x: np.ndarray, h: float) -> np.ndarray:
    """The Hessian's diagonal by (f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h^2."""
    E = h * np.eye(x.size)
    return np.array([(f(x + e) - 2 * f(x) + f(x - e)) / (h * h) for e in E])


SAME_ORDER_SLACK = 0.1
"""Share of the spread between the second-order formulas that is also accepted around them
(mixtures, rounding): far less than the distance from them to the exact Hessian (a third of
the spread and more), which is what a Hessian that ignores h gives."""


def assert_second_order_hessian(got: np.ndarray, f, x: np.ndarray, h: float, *, what: str,
                                inputs: str) -> None:
    """The docstring's "H_ij ~ ..." admits every central difference of its order with step
    h: on the diagonal anything between the four-point value (steps 2h) and the three-point
    one (steps h), with SAME_ORDER_SLACK of that spread either side; off the diagonal the
    four-point value, up to rounding."""
    four = four_point_hessian(f, x, h)
    three = four.copy()
    three[np.diag_indices(x.size)] = three_point_diagonal(f, x, h)
    low, high = np.minimum(four, three), np.maximum(four, three)
    slack = 1e-7 + SAME_ORDER_SLACK * (high - low)
    outside = ~((got >= low - slack) & (got <= high + slack))
    if not outside.any():
        return
    i, j = (int(k) for k in np.argwhere(outside)[0])
    accepted = (f"between {low[i, j] - slack[i, j]:.6g} and {high[i, j] + slack[i, j]:.6g}"
                if i == j else f"{four[i, j]:.6g}")
    raise CheckFailure(
        f"{what} is wrong.\n  input: {inputs}\n  at index [{i}, {j}]: expected {accepted}"
        f" (central differences of the documented order with this h), got {got[i, j]:.6g}"
        f" ({int(outside.sum())} of {got.size} entries outside)\n"
        "  hint: use the h you are given in every shift"
    )


@CHECKS.check(task="2.4", function="numerical_hessian", name="uses its h (keyword); d = 1")
def hessian_uses_h(student):
    # sum_sin with a = 3: the second-order formulas with h = 0.05 are off the exact Hessian
    # by h^2 a^4 |sin| / 12 (three points) to / 3 (four points, steps 2h on the diagonal):
    # ~0.01-0.07, far above rounding; one that ignores h (1e-4) is off by ~1e-7 only.
    for x in (np.array([0.4, -0.2]), np.array([0.7])):
        params = {"a": [3.0] * x.size}
        f_py, _ = make_function("sum_sin", params)
        got = expect_array(
            student.call("numerical_hessian", FnRef("sum_sin", "f", params), x, h=0.05),
            (x.size, x.size), what="numerical_hessian(f, x, h=0.05)",
        )
        carry_forward_hessian(student, got, FnRef("sum_sin", "f", params), x, 0.05)
        assert_second_order_hessian(
            got, f_py, x, 0.05, what="numerical_hessian(f, x, h=0.05)",
            inputs=f"f = sum(sin(3 x_i)) + ||x||^2 / 2, x = {x}",
        )  # fmt: skip


@CHECKS.check(task="2.5", function="classify_critical_point", name="symmetric part; tol keyword")
def classify_edges(student):
    cases = [  # (H, kwargs, expected, why)
        ([[1.0, 4.0], [0.0, 1.0]], {}, "saddle",
         "only (H + H^T) / 2 = [[1, 2], [2, 1]] matters: eigenvalues 3 and -1"),
        ([[1.0, -3.0], [3.0, 1.0]], {}, "minimum", "(H + H^T) / 2 = I"),
        ([[1e-3, 0.0], [0.0, 1.0]], {"tol": 1e-2}, "degenerate", "|1e-3| <= tol = 1e-2"),
        ([[1e-3, 0.0], [0.0, 1.0]], {}, "minimum", "1e-3 > the default tol 1e-8"),
        ([[0.25, 0.0], [0.0, -1.0]], {"tol": 0.25}, "degenerate",
         "|lambda| = tol counts as zero (and -1 alone is not a saddle)"),
        ([[-4.0]], {"tol": 0.5}, "maximum", "d = 1"),
        ([[0.25, 0.0], [0.0, 1.0]], {"tol": 0.25}, "degenerate", "lambda = tol is zero, not > 0"),
        ([[-0.25, 0.0], [0.0, -1.0]], {"tol": 0.25}, "degenerate",
         "lambda = -tol is zero, not < 0"),
        ([[1.0, 0.0], [0.0, -0.25]], {"tol": 0.25}, "degenerate",
         "-tol counts as zero, so not a saddle"),
        ([[1.2e-8, 0.0], [0.0, 1.0]], {}, "minimum", "1.2e-8 > the default tol 1e-8"),
    ]
    for H, kwargs, expected, why in cases:
        H = np.array(H)
        what = f"classify_critical_point(H, {fmt_inputs(**kwargs)})" if kwargs else \
            "classify_critical_point(H)"
        got = expect_choice(student.call("classify_critical_point", H, **kwargs), KINDS,
                            what=what)
        if got != expected:
            raise CheckFailure(
                f"{what} returned {got!r}, expected {expected!r} ({why}).\n"
                f"  input: H = {H.tolist()}"
            )
