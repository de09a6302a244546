"""The A4 reference (vectorised MLP) against hand values, central differences computed here,
invariants (softmax, stability at +-1000, no mutation) and a real training run on digits."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from autograder.data import load_digits, make_moons, make_xor
from autograder.staff.reference import load

m = load("mlp")

# Central differences with h = 1e-6 of O(1) smooth float64 functions: truncation ~h^2,
# rounding ~1e-16/h = 1e-10; a relative error under 1e-6 means the gradient is right
# (CS231n: > 1e-4 is wrong).
H = 1e-6
GRAD_REL_ERROR = 1e-6
# Same formula on both sides up to summation order.
EXACT_RTOL = 1e-12
# Phi(1), the standard normal CDF at 1 (printed tables: 0.8413447460685429).
PHI_1 = 0.8413447460685429
# The course's digits settings (also the notebook's): ~0.3 s of training, 0.973-0.980 test
# accuracy over seeds 0-9.
DIGITS_SETTINGS = dict(layer_sizes=[64, 128, 10], epochs=30, lr=0.2, batch_size=32,
                       momentum=0.9, seed=0)
DIGITS_MIN_ACCURACY = 0.97
# Overflow, division by zero and NaN are errors; underflow of e^-1000 to 0 is the intended result.
STRICT = dict(over="raise", divide="raise", invalid="raise")


def rel_error(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numeric_grad(f, x: np.ndarray) -> np.ndarray:
    """Central difference of a scalar f at x, one coordinate at a time."""
    x = x.astype(float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + H
        up = f(x)
        x[i] = old - H
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * H)
    return g


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ------------------------------------------------------------------ 4.1 linear

def test_linear_forward_by_hand():
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
    b = np.array([0.5, -1.0, 0.0])
    np.testing.assert_array_equal(m.linear_forward(x, W, b), [[5.5, 1.0, 0.0]])


def test_linear_backward_by_central_differences(rng):
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5)
    G = rng.normal(size=(4, 5))  # L = sum(G * out) so dL/dout = G

    dx, dW, db = m.linear_backward(G, x, W, b)
    assert rel_error(dx, numeric_grad(lambda t: np.sum(G * (t @ W + b)), x)) < GRAD_REL_ERROR
    assert rel_error(dW, numeric_grad(lambda t: np.sum(G * (x @ t + b)), W)) < GRAD_REL_ERROR
    assert rel_error(db, numeric_grad(lambda t: np.sum(G * (x @ W + t)), b)) < GRAD_REL_ERROR


# ------------------------------------------------------------------ 4.2 activations

def _phi(x):
    return np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in np.ravel(x)]).reshape(
        np.shape(x))


# name: (forward kwargs-free callable, oracle on floats written independently)
ORACLES = {
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "gelu": lambda x: x * _phi(x),
}


@pytest.mark.parametrize("name", list(ORACLES))
def test_activation_forward_matches_its_formula(name, rng):
    x = rng.uniform(-4, 4, size=(5, 7))
    got = getattr(m, f"{name}_forward")(x)
    np.testing.assert_allclose(got, ORACLES[name](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(ORACLES))
def test_activation_backward_by_central_differences(name, rng):
    x = rng.uniform(-3, 3, size=(4, 6))
    x[np.abs(x) < 1e-3] = 0.5  # stay away from the kink of relu / leaky relu
    G = rng.normal(size=x.shape)
    fwd, bwd = getattr(m, f"{name}_forward"), getattr(m, f"{name}_backward")
    dx = bwd(G, x)
    assert dx.shape == x.shape
    assert rel_error(dx, numeric_grad(lambda t: np.sum(G * fwd(t)), x)) < GRAD_REL_ERROR


def test_activation_known_values():
    assert m.sigmoid_forward(np.array([0.0]))[0] == 0.5
    assert m.softplus_forward(np.array([0.0]))[0] == pytest.approx(math.log(2), rel=EXACT_RTOL)
    assert m.gelu_forward(np.array([1.0]))[0] == pytest.approx(PHI_1, rel=EXACT_RTOL)
    assert m.gelu_forward(np.array([0.0]))[0] == 0.0
    # softplus with beta: (1/beta) log(1 + e^(beta x)); at x = 1, beta = 2: log(1 + e^2) / 2.
    got = m.softplus_forward(np.array([1.0]), beta=2.0)[0]
    assert got == pytest.approx(math.log(1 + math.e**2) / 2, rel=EXACT_RTOL)
    assert m.softplus_backward(np.array([1.0]), np.array([1.0]), beta=2.0)[0] == pytest.approx(
        1 / (1 + math.exp(-2.0)), rel=EXACT_RTOL)
    got = m.leaky_relu_forward(np.array([-2.0]), alpha=0.1)[0]
    assert got == pytest.approx(-0.2, rel=EXACT_RTOL)


def test_kink_conventions():
    zero, one = np.array([0.0]), np.array([1.0])
    assert m.relu_backward(one, zero)[0] == 0.0
    assert m.leaky_relu_backward(one, zero, alpha=0.1)[0] == pytest.approx(0.1)
    assert m.gelu_backward(one, zero)[0] == 0.5  # Phi(0) + 0 * phi(0)


def test_activations_stable_at_extremes():
    x = np.array([-1000.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        np.testing.assert_array_equal(m.sigmoid_forward(x), [0.0, 1.0])
        np.testing.assert_array_equal(m.softplus_forward(x), [0.0, 1000.0])
        np.testing.assert_array_equal(m.sigmoid_backward(np.ones(2), x), [0.0, 0.0])
        np.testing.assert_array_equal(m.tanh_forward(x), [-1.0, 1.0])


# ------------------------------------------------------------------ 4.3 softmax and losses

def test_softmax_by_hand_and_invariants(rng):
    p = m.softmax(np.array([[0.0, math.log(2.0)]]))
    np.testing.assert_allclose(p, [[1 / 3, 2 / 3]], rtol=EXACT_RTOL)
    z = rng.normal(size=(6, 4)) * 5
    p = m.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=EXACT_RTOL)
    assert np.all(p > 0)
    np.testing.assert_allclose(m.softmax(z + 123.0), p, rtol=1e-10)
    np.testing.assert_allclose(m.softmax(z - rng.normal(size=(6, 1)) * 50), p, rtol=1e-9)


def test_losses_stable_at_plus_minus_1000():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]])
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        p = m.softmax(z)
        loss, d = m.softmax_cross_entropy(z, np.array([0, 0]))
        bce, dbce = m.binary_cross_entropy(np.array([1000.0, -1000.0, 1000.0]),
                                           np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(p, [[1, 0, 0], [0, 0.5, 0.5]], atol=1e-300)
    # Row 1: correct class dominates, loss 0. Row 2: log(2 e^1000) - (-1000) = 2000 + log 2.
    assert loss == pytest.approx((0 + 2000 + math.log(2)) / 2, rel=EXACT_RTOL)
    assert np.all(np.isfinite(d))
    # BCE: two confident right answers (0) and one confidently wrong (1000), mean = 1000/3.
    assert bce == pytest.approx(1000 / 3, rel=EXACT_RTOL)
    np.testing.assert_allclose(dbce, [0.0, 0.0, 1 / 3], atol=1e-300)


def test_mse_by_hand_and_gradient(rng):
    loss, d = m.mse_loss(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 4.0]]))
    assert loss == pytest.approx((0 + 4 + 9 + 0) / 4)  # mean over all 4 entries, no 1/2
    pred, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    _, d = m.mse_loss(pred, target)
    assert rel_error(d, numeric_grad(lambda t: m.mse_loss(t, target)[0], pred)) < GRAD_REL_ERROR


def test_binary_cross_entropy_by_hand_and_gradient(rng):
    loss, _ = m.binary_cross_entropy(np.zeros(4), np.array([0, 1, 1, 0]))
    assert loss == pytest.approx(math.log(2), rel=EXACT_RTOL)
    z, y = rng.normal(size=7) * 2, (rng.random(7) > 0.5).astype(float)

    def naive(t):  # the textbook formula, fine for moderate logits
        s = 1 / (1 + np.exp(-t))
        return -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s))

    loss, d = m.binary_cross_entropy(z, y)
    assert loss == pytest.approx(naive(z), rel=1e-10)
    assert rel_error(d, numeric_grad(naive, z)) < GRAD_REL_ERROR


def test_softmax_cross_entropy_by_hand_and_gradient(rng):
    loss, _ = m.softmax_cross_entropy(np.zeros((3, 5)), np.array([0, 4, 2]))
    assert loss == pytest.approx(math.log(5), rel=EXACT_RTOL)
    z, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)

    def naive(t):
        p = np.exp(t) / np.exp(t).sum(axis=1, keepdims=True)
        return -np.mean(np.log(p[np.arange(6), labels]))

    loss, d = m.softmax_cross_entropy(z, labels)
    assert loss == pytest.approx(naive(z), rel=1e-10)
    assert rel_error(d, numeric_grad(naive, z)) < GRAD_REL_ERROR
    np.testing.assert_allclose(d.sum(axis=1), 0.0, atol=1e-15)  # softmax - onehot sums to 0


# ------------------------------------------------------------------ 4.4 network

def test_init_shapes_scale_and_seed():
    p = m.init_mlp([64, 128, 10], seed=0)
    assert sorted(p) == ["W1", "W2", "b1", "b2"]
    assert p["W1"].shape == (64, 128) and p["b1"].shape == (128,)
    assert p["W2"].shape == (128, 10) and p["b2"].shape == (10,)
    assert not p["b1"].any()
    # He: std sqrt(2/64) = 0.177; 8192 draws give the sample std within ~1 %.
    assert p["W1"].std() == pytest.approx(math.sqrt(2 / 64), rel=0.05)
    q = m.init_mlp([64, 128, 10], seed=0)
    np.testing.assert_array_equal(p["W1"], q["W1"])
    assert not np.array_equal(p["W1"], m.init_mlp([64, 128, 10], seed=1)["W1"])


def test_forward_by_hand():
    params = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([0.0, 0.5]),
              "W2": np.array([[2.0], [3.0]]), "b2": np.array([1.0])}
    X = np.array([[1.0], [-1.0]])
    # x=1: h = relu([1, -0.5]) = [1, 0] -> 2 + 1 = 3; x=-1: h = relu([-1, 1.5]) -> 4.5 + 1.
    np.testing.assert_allclose(m.mlp_forward(params, X), [[3.0], [5.5]])


@pytest.mark.parametrize("activation", list(m.ACTIVATIONS))
def test_whole_network_gradient_by_central_differences(activation, rng):
    params = m.init_mlp([3, 4, 5, 3], seed=2)
    params = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in params.items()}  # nonzero b
    X, labels = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    loss, grads = m.mlp_loss_and_grads(params, X, labels, activation)
    assert sorted(grads) == sorted(params)

    def loss_with(key):
        def f(t):
            return m.softmax_cross_entropy(
                m.mlp_forward({**params, key: t}, X, activation), labels)[0]
        return f

    assert loss == pytest.approx(loss_with("W1")(params["W1"]), rel=EXACT_RTOL)
    for key, value in params.items():
        assert grads[key].shape == value.shape
        assert rel_error(grads[key], numeric_grad(loss_with(key), value)) < 1e-5, key


# ------------------------------------------------------------------ 4.5 momentum

def test_sgd_momentum_by_hand_and_no_mutation():
    params = {"W": np.array([1.0, 2.0])}
    grads = {"W": np.array([0.5, -1.0])}
    velocity = {"W": np.array([0.1, 0.0])}
    saved = [d["W"].copy() for d in (params, grads, velocity)]
    new_p, new_v = m.sgd_momentum_step(params, grads, velocity, lr=0.1, momentum=0.9)
    # v = 0.9 v - 0.1 g = [0.09 - 0.05, 0 + 0.1]; p = p + v.
    np.testing.assert_allclose(new_v["W"], [0.04, 0.1], rtol=EXACT_RTOL)
    np.testing.assert_allclose(new_p["W"], [1.04, 2.1], rtol=EXACT_RTOL)
    for d, before in zip((params, grads, velocity), saved, strict=True):
        np.testing.assert_array_equal(d["W"], before)
    p2, v2 = m.sgd_momentum_step(params, grads, None, lr=0.1)
    np.testing.assert_allclose(p2["W"], [0.95, 2.1], rtol=EXACT_RTOL)


# ------------------------------------------------------------------ no mutation anywhere

def test_no_function_mutates_its_inputs(rng):
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dout, labels = rng.normal(size=(4, 2)), np.array([0, 1, 1, 0])
    params = m.init_mlp([3, 5, 2], seed=0)
    calls = [
        (m.linear_forward, (x, W, b)), (m.linear_backward, (dout, x, W, b)),
        (m.softmax, (dout,)), (m.softmax_cross_entropy, (dout, labels)),
        (m.mse_loss, (dout, dout[::-1])), (m.binary_cross_entropy, (dout[:, 0], labels)),
        *[(fn, (dout, x[:, :2])) for _, fn in m.ACTIVATIONS.values()],
        *[(fn, (x,)) for fn, _ in m.ACTIVATIONS.values()],
        (m.mlp_loss_and_grads, (params, x, labels)),
        (m.train_mlp, (x, labels, [3, 5, 2], 2, 0.1, 2)),
    ]
    for fn, args in calls:
        before = [{k: v.copy() for k, v in a.items()} if isinstance(a, dict) else
                  (a.copy() if isinstance(a, np.ndarray) else a) for a in args]
        fn(*args)
        for a, c in zip(args, before, strict=True):
            if isinstance(a, dict):
                for k in a:
                    np.testing.assert_array_equal(a[k], c[k], err_msg=fn.__name__)
            elif isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, c, err_msg=fn.__name__)


# ------------------------------------------------------------------ 4.6 training

def test_accuracy_by_hand():
    logits = np.array([[0.1, 0.9], [2.0, 1.0], [0.0, 3.0]])
    assert m.accuracy(logits, np.array([1, 1, 1])) == pytest.approx(2 / 3)


def test_training_is_seeded_and_losses_fall():
    X, y = make_xor(n=200, noise=0.1, seed=0)
    a = m.train_mlp(X, y, [2, 8, 2], epochs=100, lr=0.1, batch_size=32)
    b = m.train_mlp(X, y, [2, 8, 2], epochs=100, lr=0.1, batch_size=32)
    assert len(a["losses"]) == 100
    assert a["losses"] == b["losses"]
    assert a["losses"][-1] < 0.1 * a["losses"][0]
    assert m.accuracy(m.mlp_forward(a["params"], X), y) == 1.0


def test_learns_moons_with_tanh():
    X, y = make_moons(n=200, noise=0.1, seed=0)
    r = m.train_mlp(X, y, [2, 32, 2], epochs=200, lr=0.1, batch_size=32, activation="tanh")
    assert m.accuracy(m.mlp_forward(r["params"], X, "tanh"), y) >= 0.99


def test_digits_test_accuracy_at_least_97_percent():
    X_train, y_train = load_digits("train")
    X_test, y_test = load_digits("test")
    result = m.train_mlp(X_train, y_train, **DIGITS_SETTINGS)
    acc = m.accuracy(m.mlp_forward(result["params"], X_test), y_test)
    assert acc >= DIGITS_MIN_ACCURACY
