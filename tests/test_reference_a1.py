"""The A1 reference (perceptron) against hand-traced examples and lecture 000's bound."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autograder.data import make_separable, make_xor

PATH = Path(__file__).resolve().parents[1] / "reference_solution/a1_perceptron/perceptron.py"
_spec = importlib.util.spec_from_file_location("_reference_perceptron", PATH)
p = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(p)


def test_add_bias_appends_ones_as_last_column():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = X.copy()
    np.testing.assert_array_equal(p.add_bias(X), [[1, 2, 1], [3, 4, 1]])
    np.testing.assert_array_equal(X, before)


def test_add_bias_rejects_a_vector():
    with pytest.raises(ValueError, match="2-D"):
        p.add_bias(np.array([1.0, 2.0]))


def test_predict_is_sign_with_zero_mapped_to_minus_one():
    w = np.array([1.0, -1.0, 0.0])
    Xb = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 1.0]])  # w.x = 1, -1, 0
    out = p.predict(w, Xb)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [1.0, -1.0, -1.0])


@pytest.mark.parametrize(
    ("w", "x", "y", "expected"),
    [
        ([0.0, 0.0, 0.0], [1.0, 2.0, 1.0], 1.0, [1.0, 2.0, 1.0]),  # w = 0: w.x = 0 is a mistake
        ([1.0, 0.0, 0.0], [1.0, 2.0, 1.0], 1.0, [1.0, 0.0, 0.0]),  # y w.x = 1 > 0: no update
        ([1.0, 0.0, 0.0], [1.0, 2.0, 1.0], -1.0, [0.0, -2.0, -1.0]),  # y w.x = -1: W - X
        ([1.0, -1.0, 0.0], [1.0, 1.0, 1.0], -1.0, [0.0, -2.0, -1.0]),  # on the boundary
    ],
    ids=["zero-weights", "correct", "wrong-side", "on-boundary"],
)
def test_perceptron_update_hand_cases(w, x, y, expected):
    w, x = np.array(w), np.array(x)
    w_before, x_before = w.copy(), x.copy()
    new = p.perceptron_update(w, x, y)
    np.testing.assert_array_equal(new, expected)
    assert new is not w  # "an unchanged copy", never the caller's array
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(x, x_before)


def test_train_hand_traced_run_counts_boundary_point_as_mistake():
    # Xb rows (1, 1) and (-1, 1), labels +1, -1. From w = 0:
    #   point 1: w.x = 0 -> mistake, w = (1, 1)
    #   point 2: w.x = -1 + 1 = 0 -> mistake (on the boundary), w = (1, 1) - (-1, 1) = (2, 0)
    # epoch 2: y w.x = 2 and 2 -> clean epoch, stop.
    # Treating w.x = 0 as correct would skip the second update and end at w = (1, 1).
    Xb = np.array([[1.0, 1.0], [-1.0, 1.0]])
    y = np.array([1.0, -1.0])
    result = p.train_perceptron(Xb, y)
    np.testing.assert_array_equal(result["weights"], [2.0, 0.0])
    assert result["updates"] == 2
    assert result["mistakes_per_epoch"] == [2, 0]
    assert result["converged"] is True


@pytest.mark.parametrize("seed", range(5))
def test_train_converges_within_the_R_over_gamma_squared_bound(seed):
    X, y, w_star = make_separable(n=100, d=2, margin=0.1, seed=seed)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    X_before, y_before = Xb.copy(), y.copy()
    # The bound computed here from its definition, independently of mistake_bound.
    R = np.linalg.norm(Xb, axis=1).max()
    gamma = (y * (Xb @ w_star)).min() / np.linalg.norm(w_star)
    result = p.train_perceptron(Xb, y, max_epochs=1000)
    assert result["converged"] is True
    assert 0 < result["updates"] <= (R / gamma) ** 2
    assert result["mistakes_per_epoch"][-1] == 0
    assert all(m > 0 for m in result["mistakes_per_epoch"][:-1])
    assert sum(result["mistakes_per_epoch"]) == result["updates"]
    assert np.all(y * (Xb @ result["weights"]) > 0)  # separates the training data
    assert p.mistake_bound(Xb, y, w_star) == pytest.approx((R / gamma) ** 2, rel=1e-12)
    np.testing.assert_array_equal(Xb, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_train_reports_non_convergence_on_xor():
    X, y01 = make_xor(n=200, noise=0.1, seed=0)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    result = p.train_perceptron(Xb, 2.0 * y01 - 1.0, max_epochs=30)
    assert result["converged"] is False
    assert len(result["mistakes_per_epoch"]) == 30
    assert min(result["mistakes_per_epoch"]) > 0
    assert result["updates"] == sum(result["mistakes_per_epoch"])


def test_train_stops_after_max_epochs_even_when_learnable():
    Xb = np.array([[1.0, 1.0], [-1.0, 1.0]])
    result = p.train_perceptron(Xb, np.array([1.0, -1.0]), max_epochs=1)
    assert result["mistakes_per_epoch"] == [2]
    assert result["converged"] is False


def test_train_rejects_labels_in_zero_one():
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        p.train_perceptron(np.ones((2, 2)), np.array([0.0, 1.0]))


def test_mistake_bound_hand_example_and_scale_invariance():
    # Points (3, 4) and (0, -1): R = 5. w* = (0, 2): margins 8/2 = 4 and 2/2 = 1 -> gamma = 1.
    Xb = np.array([[3.0, 4.0], [0.0, -1.0]])
    y = np.array([1.0, -1.0])
    assert p.mistake_bound(Xb, y, np.array([0.0, 2.0])) == pytest.approx(25.0)
    assert p.mistake_bound(Xb, y, np.array([0.0, 0.5])) == pytest.approx(25.0)


@pytest.mark.parametrize("w_star", [[0.0, 0.0], [0.0, -1.0]], ids=["zero", "not-separating"])
def test_mistake_bound_rejects_a_non_separating_w_star(w_star):
    with pytest.raises(ValueError):
        p.mistake_bound(np.array([[3.0, 4.0], [0.0, -1.0]]), np.array([1.0, -1.0]), w_star)
