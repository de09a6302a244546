"""The A2 reference (gradient descent) against lecture 000's worked examples, by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

PATH = (
    Path(__file__).resolve().parents[1]
    / "reference_solution/a2_gradient_descent/gradient_descent.py"
)
_spec = importlib.util.spec_from_file_location("_reference_gradient_descent", PATH)
g = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(g)

# Central differences of a quadratic are exact up to rounding: |f| ~ 1e2 over h ~ 1e-5 gives
# errors ~ 1e-16 * 1e2 / 1e-5 = 1e-9; 1e-6 leaves three orders of margin.
QUADRATIC_ATOL = 1e-6
# A correct analytic gradient checked at h = 1e-5 has relative error ~1e-10 on smooth
# functions of order-1 values; CS231n calls < 1e-7 "probably right".
GRADCHECK_OK = 1e-7


def lecture_f3(x):
    """Lecture 000's 3-variable example with +x2^2 (the slide prints -x2^2, but its gradient,
    Hessian and minimum (-1, -1, -1) belong to +x2^2)."""
    x1, x2, x3 = x
    return x1**2 + x1 * (1 - x2) + x2**2 - x2 * x3 + x3**2 + x3


def lecture_f3_grad(x):
    x1, x2, x3 = x
    return np.array([2 * x1 + 1 - x2, -x1 + 2 * x2 - x3, -x2 + 2 * x3 + 1])


def lecture_f2(x):
    """f = x1^2 + x1 x2 + 4 x2^2, the step-size example of lecture 000."""
    return x[0] ** 2 + x[0] * x[1] + 4 * x[1] ** 2


def lecture_f2_grad(x):
    return np.array([2 * x[0] + x[1], x[0] + 8 * x[1]])


# ------------------------------------------------------------------ 2.1 numerical gradient


def test_numerical_gradient_of_lecture_example_vanishes_at_minus_ones():
    np.testing.assert_allclose(
        g.numerical_gradient(lecture_f3, np.array([-1.0, -1.0, -1.0])), 0.0, atol=QUADRATIC_ATOL
    )


def test_numerical_gradient_of_lecture_example_at_1_2_3():
    # By hand: (2 + 1 - 2, -1 + 4 - 3, -2 + 6 + 1) = (1, 0, 5).
    np.testing.assert_allclose(
        g.numerical_gradient(lecture_f3, np.array([1.0, 2.0, 3.0])), [1, 0, 5], atol=QUADRATIC_ATOL
    )


def test_the_slides_minus_x2_squared_has_no_critical_point_at_minus_ones():
    # With the printed -x2^2, df/dx2 = -x1 - 2 x2 - x3 = 4 at (-1, -1, -1): the slide's typo.
    def slide_f(x):
        return x[0] ** 2 + x[0] * (1 - x[1]) - x[1] ** 2 - x[1] * x[2] + x[2] ** 2 + x[2]

    np.testing.assert_allclose(
        g.numerical_gradient(slide_f, np.array([-1.0, -1.0, -1.0])), [0, 4, 0], atol=QUADRATIC_ATOL
    )


def test_numerical_gradient_is_central_not_one_sided():
    # ((x+h)^3 - (x-h)^3) / 2h = 3x^2 + h^2 exactly; the one-sided quotient is 3x^2 + 3xh + h^2.
    h = 1e-3
    got = g.numerical_gradient(lambda x: x[0] ** 3, np.array([2.0]), h=h)
    assert got[0] == pytest.approx(12.0 + h**2, abs=1e-9)


def test_numerical_gradient_does_not_mutate_x_and_rejects_bad_h():
    x = np.array([1.0, 2.0, 3.0])
    g.numerical_gradient(lecture_f3, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        g.numerical_gradient(lecture_f3, x, h=0.0)


SMOOTH = [
    # (f, analytic gradient), gradients derived by hand
    (lambda x: np.sum(np.sin(x)) + x[0] * x[1], lambda x: np.cos(x) + np.r_[x[1], x[0], 0.0]),
    (lambda x: np.exp(x[0]) * x[2] ** 2, lambda x: np.r_[np.exp(x[0]) * x[2] ** 2, 0.0,
                                                           2 * np.exp(x[0]) * x[2]]),
    (lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + x[2],  # Rosenbrock
     lambda x: np.r_[-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
                     200 * (x[1] - x[0] ** 2), 1.0]),
]  # fmt: skip


@pytest.mark.parametrize("case", range(len(SMOOTH)))
def test_numerical_matches_analytic_gradient_on_smooth_functions(case):
    f, grad = SMOOTH[case]
    rng = np.random.default_rng(case)
    for _ in range(5):
        x = rng.uniform(-1.5, 1.5, size=3)
        assert g.gradient_check(f, grad, x) < GRADCHECK_OK


# ------------------------------------------------------------------ 2.2 relative error


def test_relative_error_hand_values():
    assert g.relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0])) == pytest.approx(0.2)
    assert g.relative_error(np.zeros(3), np.zeros(3)) == 0.0  # the 1e-8 floor avoids 0/0
    # |0 - 1e-9| / max(1e-8, 1e-9) = 0.1, not 1 (which an unguarded denominator gives).
    assert g.relative_error(np.array([0.0]), np.array([1e-9])) == pytest.approx(0.1)


def test_relative_error_rejects_shape_mismatch():
    with pytest.raises(ValueError):
        g.relative_error(np.zeros(2), np.zeros(3))


def test_gradient_check_flags_a_gradient_missing_the_cross_term():
    # Wrong gradient (2 x1, 8 x2) at (3, 3): (6, 24) vs (9, 27) -> max(3/15, 3/51) = 0.2.
    def wrong(x):
        return np.array([2 * x[0], 8 * x[1]])

    x = np.array([3.0, 3.0])
    assert g.gradient_check(lecture_f2, wrong, x) == pytest.approx(0.2, rel=1e-6)
    assert g.gradient_check(lecture_f2, lecture_f2_grad, x) < GRADCHECK_OK


# ------------------------------------------------------------------ 2.3 gradient descent

X0 = np.array([3.0, 3.0])


@pytest.mark.parametrize(
    ("eta", "first_step"),
    [(0.1, [2.1, 0.3]), (0.2, [1.2, -2.4])],  # (3, 3) - eta * (9, 27), by hand
)
def test_lecture_step_sizes_converge_to_origin(eta, first_step):
    x0 = X0.copy()
    result = g.gradient_descent(lecture_f2, lecture_f2_grad, x0, eta)
    np.testing.assert_array_equal(x0, X0)
    assert result["converged"] is True and result["reason"] == "gradient"
    traj, values = result["trajectory"], result["values"]
    assert traj.shape == (result["iterations"] + 1, 2)
    assert values.shape == (result["iterations"] + 1,)
    np.testing.assert_array_equal(traj[0], X0)
    assert values[0] == 54.0  # 9 + 9 + 36
    np.testing.assert_allclose(traj[1], first_step, rtol=1e-12)
    np.testing.assert_allclose(traj[-1], [0.0, 0.0], atol=1e-7)
    assert np.linalg.norm(lecture_f2_grad(traj[-1])) < 1e-8
    assert np.linalg.norm(lecture_f2_grad(traj[-2])) >= 1e-8  # stopped at the first such point
    assert np.all(np.diff(values) < 0)


def test_step_size_above_two_over_lambda_max_diverges():
    # Hessian [[2, 1], [1, 8]]: trace 10, det 15 -> lambda = 5 +- sqrt(10); 2 / lambda_max
    # = 0.2450, so 0.24 still converges and the lecture-adjacent 0.25 diverges.
    assert g.gradient_descent(lecture_f2, lecture_f2_grad, X0, 0.24)["converged"] is True
    result = g.gradient_descent(lecture_f2, lecture_f2_grad, X0, 0.25)
    assert result["converged"] is False and result["reason"] == "diverged"
    assert result["iterations"] < 1000
    assert abs(result["values"][-1]) > 1e12
    assert np.all(np.abs(result["values"][:-1]) <= 1e12)


def test_each_step_is_x_minus_eta_times_gradient():
    result = g.gradient_descent(lecture_f2, lecture_f2_grad, X0, 0.1, max_iters=7)
    traj = result["trajectory"]
    for k in range(len(traj) - 1):
        np.testing.assert_allclose(
            traj[k + 1], traj[k] - 0.1 * lecture_f2_grad(traj[k]), rtol=1e-12
        )
    np.testing.assert_allclose(result["values"], [lecture_f2(x) for x in traj], rtol=1e-12)


def test_max_iters_stops_with_k_steps():
    result = g.gradient_descent(lecture_f2, lecture_f2_grad, X0, 0.1, max_iters=5)
    assert result["iterations"] == 5 and result["trajectory"].shape == (6, 2)
    assert result["reason"] == "max_iters" and result["converged"] is False


def test_start_at_the_minimum_takes_no_step():
    result = g.gradient_descent(lecture_f2, lecture_f2_grad, np.zeros(2), 0.1)
    assert result["iterations"] == 0 and result["reason"] == "gradient"
    assert result["trajectory"].shape == (1, 2)


def test_value_criterion_stops_when_f_stops_changing():
    result = g.gradient_descent(lecture_f2, lecture_f2_grad, X0, 0.1, eps=1e-8, criterion="value")
    values = result["values"]
    assert result["reason"] == "value" and result["converged"] is True
    assert abs(values[-1] - values[-2]) < 1e-8
    assert np.all(np.abs(np.diff(values[:-1])) >= 1e-8)


def test_value_criterion_is_fooled_by_eta_025_on_the_lecture_example():
    # (3, 3) - 0.25 (9, 27) = (0.75, -3.75): f = 0.5625 - 2.8125 + 56.25 = 54 = f(3, 3).
    result = g.gradient_descent(lecture_f2, lecture_f2_grad, X0, 0.25, criterion="value")
    assert result["iterations"] == 1 and result["reason"] == "value"
    np.testing.assert_allclose(result["trajectory"][1], [0.75, -3.75])


def test_gradient_descent_finds_the_lecture_minimum():
    result = g.gradient_descent(lecture_f3, lecture_f3_grad, np.zeros(3), 0.1)
    assert result["converged"] is True
    np.testing.assert_allclose(result["trajectory"][-1], [-1.0, -1.0, -1.0], atol=1e-7)
    assert result["values"][-1] == pytest.approx(-1.0)  # 1 - 1 - 1 + 1 - 1 + 1 - 1


@pytest.mark.parametrize(
    "kwargs",
    [{"step_size": 0.0}, {"step_size": 0.1, "criterion": "loss"}, {"step_size": 0.1, "eps": -1}],
)
def test_gradient_descent_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        g.gradient_descent(lecture_f2, lecture_f2_grad, X0, **kwargs)


# ------------------------------------------------------------------ 2.4 / 2.5 Hessian

LECTURE_HESSIAN = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]])


def test_numerical_hessian_of_the_lecture_example():
    H = g.numerical_hessian(lecture_f3, np.array([-1.0, -1.0, -1.0]))
    np.testing.assert_array_equal(H, H.T)
    # Quadratic: exact up to rounding ~ 1e-16 * |f| / h^2 = 1e-8.
    np.testing.assert_allclose(H, LECTURE_HESSIAN, atol=1e-6)
    # Tridiagonal (2, -1): eigenvalues 2 - 2 cos(k pi / 4) = 2 - sqrt2, 2, 2 + sqrt2.
    np.testing.assert_array_equal(np.round(np.linalg.eigvalsh(H), 3), [0.586, 2.0, 3.414])


def test_numerical_hessian_of_a_non_quadratic():
    # f = x0^2 x1: H = [[2 x1, 2 x0], [2 x0, 0]] = [[4, 2], [2, 0]] at (1, 2).
    # Truncation error O(h^2) with third derivatives ~ 2 and h = 1e-4: far below 1e-5.
    H = g.numerical_hessian(lambda x: x[0] ** 2 * x[1], np.array([1.0, 2.0]))
    np.testing.assert_allclose(H, [[4.0, 2.0], [2.0, 0.0]], atol=1e-5)


@pytest.mark.parametrize(
    ("H", "kind"),
    [
        (LECTURE_HESSIAN, "minimum"),
        (-LECTURE_HESSIAN, "maximum"),
        (np.diag([1.0, -1.0]), "saddle"),
        (np.diag([1.0, -1.0, 0.0]), "saddle"),
        (np.diag([1.0, 0.0]), "degenerate"),
        (np.diag([-1.0, 1e-10]), "degenerate"),  # |1e-10| <= tol = 1e-8 counts as 0
        (np.array([[2.0, 1.0], [1.0, 8.0]]), "minimum"),
    ],
)
def test_classify_critical_point(H, kind):
    assert g.classify_critical_point(H) == kind


def test_classify_rejects_non_square():
    with pytest.raises(ValueError):
        g.classify_critical_point(np.ones((2, 3)))
