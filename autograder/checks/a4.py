"""Visible checks of A4 (vectorised MLP): own formulas, central differences, invariants.

Expected values come from the grader's own numpy here (`FORMULAS`, `own_forward`, `own_loss`),
never from the reference solution. Whole-network gradients are checked with random
directional derivatives plus a few sampled coordinates per parameter, so the cost does not
grow with the parameter count.

One bug, one penalty: when an integration check (the network, training) fails, grading asks
``CARRY_FORWARD`` whether the student's result is right GIVEN their own building blocks
(their linear layer, activations and loss composed by the grader; the documented training
loop replayed with their own functions). The composers are staff-only (registered by
autograder/staff/hidden_checks/a4.py, as they spell out the solution of 4.4 and 4.6), so a
student's own ``autograder check`` judges these tasks strictly.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from autograder.checks.domains import DOMAINS, as_form
from autograder.checks.framework import Assignment, Registry, StudentFault, Task, for_all
from autograder.checks.strategies import st
from autograder.compare import (
    CheckFailure,
    assert_close,
    assert_gradient_close,
    central_difference,
    expect_array,
    expect_dict,
    expect_float,
    expect_sequence,
    fmt_inputs,
)
from autograder.feedback.names import output_name
from autograder.gradcheck import directional_gradient_check

ASSIGNMENT = Assignment(
    id="a4",
    folder="a4_mlp",
    module="mlp",
    title="A multi-layer perceptron in numpy",
    tasks=(
        Task("4.1", "linear layer", 3, ("linear_forward", "linear_backward")),
        Task(
            "4.2",
            "activations",
            4,
            tuple(
                f"{a}_{d}"
                for a in ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu")
                for d in ("forward", "backward")
            ),
        ),
        Task(
            "4.3",
            "softmax and losses",
            4,
            ("softmax", "mse_loss", "binary_cross_entropy", "softmax_cross_entropy"),
        ),
        Task(
            "4.4",
            "the network and its gradient",
            5,
            ("init_mlp", "mlp_forward", "mlp_loss_and_grads"),
        ),
        Task("4.5", "SGD with momentum", 2, ("sgd_momentum_step",)),
        Task("4.6", "training", 2, ("train_mlp", "accuracy")),
    ),
)
CHECKS = Registry()

CARRY_FORWARD: dict[str, Callable[..., None]] = {}
"""Error carried forward, registered at grading by the staff checks: name -> function
(student, got, *inputs, failure) that returns when ``got`` is right given the student's own
building blocks and raises ``failure`` (with a note) otherwise. Names: "mlp_forward",
"mlp_loss_and_grads", "train_mlp"."""


def carry_forward(name: str, failure: CheckFailure, student, got, *inputs) -> None:
    """Re-judge a failed integration check by the student's own building blocks, if grading
    registered a composer for it; raise the original failure otherwise."""
    composer = CARRY_FORWARD.get(name)
    if composer is None:
        raise failure
    composer(student, got, *inputs, failure=failure)


def integration_call(student, name: str, carried: tuple, *args, **kwargs):
    """``student.call(name, *args, **kwargs)``; when it raises (not fatally), the failure is
    handed to ``carry_forward(name, ..., got=the fault, *carried)``: a composer that finds the
    same error raised by one of the student's own building blocks carries it forward (the
    block's task pays), else the call's failure stands."""
    try:
        return student.call(name, *args, **kwargs)
    except StudentFault as fault:
        if fault.fatal:
            raise
        carry_forward(name, CheckFailure(fault.message), student, fault, *carried)
        raise  # a composer always raises; kept for a composer that would not


H_SMOOTH = 1e-5
"""Central-difference step (compare.central_difference's default) for smooth functions."""
H_KINKED = 1e-7
"""Step for ReLU networks: a kink is crossed only if a pre-activation lies within 1e-7 of 0
(probability ~1e-6 per unit on our random data); rounding ~1e-16/1e-7 = 1e-9 stays small."""
NUMERIC_ATOL = 1e-8
"""Absolute slack against a central difference (h = 1e-5): where the true derivative is ~0
the difference still carries rounding noise ~1e-16·|f|/h ≈ 1e-11·|f| and truncation ~h²."""
"""Coordinates checked per parameter array, so a failure can name a parameter and index."""
LOSS_DROP_STEP = 1e-3
"""A small step along −grad must lower the grader's own loss (first-order decrease ≈ lr‖g‖²)."""
XOR_ACCURACY = 0.95
"""Accuracy the grader measures on XOR after training a [2, 8, 2] net; the reference gets 1.0
with 100 epochs, a wrong update rule stays near 0.5."""


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _phi(x):
    return 0.5 * (1 + np.vectorize(math.erf, otypes=[float])(x / math.sqrt(2)))


# name -> (forward formula, derivative formula), the grader's own.
FORMULAS = {
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
    "softplus": (lambda x: np.logaddexp(0.0, x), _sigmoid),
    "gelu": (
        lambda x: x * _phi(x),
        lambda x: _phi(x) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi),
    ),
}


def own_forward(params: dict, X: np.ndarray, activation: str = "relu") -> np.ndarray:
    """The grader's MLP forward: (N, D) -> logits (N, C)."""
    act = FORMULAS[activation][0]
    n_layers = len(params) // 2
    h = X
    for i in range(1, n_layers):
        h = act(h @ params[f"W{i}"] + params[f"b{i}"])
    return h @ params[f"W{n_layers}"] + params[f"b{n_layers}"]


def own_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean softmax cross-entropy, computed stably here."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(lse - shifted[np.arange(len(labels)), labels]))


def own_loss(params, X, labels, activation="relu") -> float:
    return own_cross_entropy(own_forward(params, X, activation), labels)


def assert_matches_difference(got, numeric, **kwargs) -> None:
    """assert_gradient_close, forgiving entries within NUMERIC_ATOL of the central difference."""
    got_arr, num = np.asarray(got, dtype=float), np.asarray(numeric, dtype=float)
    expected = np.where(np.abs(got_arr - num) <= NUMERIC_ATOL, got_arr, num)
    assert_gradient_close(got_arr, expected, **kwargs)


def arrays(seed: int, *shapes, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) * scale for s in shapes]


seeds = st.integers(0, 2**16)
dims = st.integers(1, 6)


# ---------------------------------------------------------------- 4.1 linear


def _describe_shape(ex) -> str:
    return f"random normal arrays with {ex[0]} rows and {ex[1]} columns (seed {ex[2]})"


def _describe_ndm(ex) -> str:
    return f"N = {ex[0]}, D = {ex[1]}, M = {ex[2]} (random normal x, W, b, dout)"


@CHECKS.check(task="4.1", function="linear_forward", name="x @ W + b on random shapes")
@for_all(st.tuples(dims, dims, dims, seeds), describe=_describe_ndm, calls=lambda ex: [
    ("linear_forward", arrays(ex[3], ex[0:2], ex[1:3], ex[2:3]))])
def linear_forward_values(student, ex) -> None:
    n, d, m, seed = ex
    x, W, b = arrays(seed, (n, d), (d, m), (m,))
    got = expect_array(
        student.call("linear_forward", x, W, b), (n, m), what="linear_forward(x, W, b)"
    )
    assert_close(got, x @ W + b, what="linear_forward(x, W, b)", inputs=fmt_inputs(x=x, W=W, b=b))


@CHECKS.check(task="4.1", function="linear_backward", name="dx, dW, db against central differences")
@for_all(st.tuples(dims, dims, dims, seeds), describe=_describe_ndm, calls=lambda ex: [
    ("linear_backward", (lambda x, W, b, G: (G, x, W, b))(
        *arrays(ex[3], ex[0:2], ex[1:3], ex[2:3], (ex[0], ex[2]))))])
def linear_backward_grads(student, ex) -> None:
    n, d, m, seed = ex
    x, W, b, G = arrays(seed, (n, d), (d, m), (m,), (n, m))
    got = expect_sequence(
        student.call("linear_backward", G, x, W, b), 3, what="linear_backward(dout, x, W, b)"
    )
    inputs = fmt_inputs(dout=G, x=x, W=W, b=b)
    numeric = {
        "dx": central_difference(lambda t: np.sum(G * (t @ W + b)), x),
        "dW": central_difference(lambda t: np.sum(G * (x @ t + b)), W),
        "db": central_difference(lambda t: np.sum(G * (x @ W + t)), b),
    }
    for value, (name, expected) in zip(got, numeric.items(), strict=True):
        arr = expect_array(value, expected.shape, what=f"linear_backward: {name}")
        assert_matches_difference(
            arr,
            expected,
            what="linear_backward",
            parameter=name,
            inputs=inputs,
            hint="dx = dout @ W.T, dW = x.T @ dout, db = dout summed over N",
        )


# ---------------------------------------------------------------- 4.2 activations


def _activation_checks(name: str):
    forward = FORMULAS[name][0]

    @CHECKS.check(task="4.2", function=f"{name}_forward", name=f"{name}_forward values")
    @for_all(st.tuples(dims, dims, seeds), describe=_describe_shape, calls=lambda ex: [
        (f"{name}_forward", arrays(ex[2], ex[0:2], scale=2.0))])
    def values(student, ex) -> None:
        n, d, seed = ex
        (x,) = arrays(seed, (n, d), scale=2.0)
        got = expect_array(student.call(f"{name}_forward", x), x.shape, what=f"{name}_forward(x)")
        assert_close(got, forward(x), what=f"{name}_forward(x)", inputs=fmt_inputs(x=x))

    @CHECKS.check(
        task="4.2", function=f"{name}_backward", name=f"{name}_backward against central differences"
    )
    @for_all(st.tuples(dims, dims, seeds), describe=_describe_shape, calls=lambda ex: [
        (f"{name}_backward", (lambda x, G: (G, np.where(np.abs(x) < 1e-3, 0.5, x)))(
            *arrays(ex[2], ex[0:2], ex[0:2])))])
    def grads(student, ex) -> None:
        n, d, seed = ex
        # Scale 1 keeps x out of the far tails, where f' ~ 1e-6 and a central difference's
        # rounding error (~1e-11) would dominate the relative error.
        x, G = arrays(seed, (n, d), (n, d))
        x = np.where(np.abs(x) < 1e-3, 0.5, x)  # away from the kink of relu / leaky relu
        got = expect_array(
            student.call(f"{name}_backward", G, x), x.shape, what=f"{name}_backward(dout, x)"
        )
        expected = central_difference(lambda t: np.sum(G * forward(t)), x)
        assert_matches_difference(
            got,
            expected,
            what=f"{name}_backward",
            parameter="dx",
            inputs=fmt_inputs(dout=G, x=x),
            hint="dx = dout * f'(x)",
        )

    values.__name__, grads.__name__ = f"{name}_values", f"{name}_grads"


for _name in FORMULAS:
    _activation_checks(_name)


@CHECKS.check(task="4.2", function="relu_backward", name="relu'(0) = 0 and leaky_relu'(0) = alpha")
def kinks(student) -> None:
    zero, one = np.zeros(3), np.ones(3)
    got = expect_array(student.call("relu_backward", one, zero), (3,), what="relu_backward")
    assert_close(
        got,
        np.zeros(3),
        what="relu_backward(dout=1, x=0)",
        hint="the kit's convention is relu'(0) = 0",
    )
    got = expect_array(
        student.call("leaky_relu_backward", one, zero, alpha=0.2), (3,), what="leaky_relu_backward"
    )
    assert_close(
        got,
        np.full(3, 0.2),
        what="leaky_relu_backward(dout=1, x=0, alpha=0.2)",
        hint="slope alpha for x <= 0",
    )


@CHECKS.check(
    task="4.2",
    function="leaky_relu_forward, softplus_forward",
    name="the alpha and beta keywords are used",
)
def keywords(student) -> None:
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    got = expect_array(
        student.call("leaky_relu_forward", x, alpha=0.1),
        (4,),
        what="leaky_relu_forward(x, alpha=0.1)",
    )
    assert_close(
        got,
        np.where(x > 0, x, 0.1 * x),
        what="leaky_relu_forward(x, alpha=0.1)",
        inputs=fmt_inputs(x=x),
    )
    got = expect_array(
        student.call("softplus_forward", x, beta=3.0), (4,), what="softplus_forward(x, beta=3.0)"
    )
    assert_close(
        got,
        np.logaddexp(0, 3 * x) / 3,
        what="softplus_forward(x, beta=3.0)",
        inputs=fmt_inputs(x=x),
    )
    got = expect_array(
        student.call("softplus_backward", np.ones(4), x, beta=3.0),
        (4,),
        what="softplus_backward(dout, x, beta=3.0)",
    )
    assert_close(
        got, _sigmoid(3 * x), what="softplus_backward(1, x, beta=3.0)", inputs=fmt_inputs(x=x)
    )


@CHECKS.check(task="4.2", function="sigmoid_forward, softplus_forward", name="finite at x = ±1000")
def activation_extremes(student) -> None:
    x = np.array([-1000.0, 1000.0])
    for name in FORMULAS:
        for part, args in (("forward", (x,)), ("backward", (np.ones(2), x))):
            got = expect_array(
                student.call(f"{name}_{part}", *args), (2,), what=f"{name}_{part} at ±1000"
            )
            expected = FORMULAS[name][0](x) if part == "forward" else FORMULAS[name][1](x)
            assert_close(
                got,
                expected,
                what=f"{name}_{part} at x = ±1000",
                inputs=fmt_inputs(x=x),
            )


@CHECKS.check(
    task="4.2",
    function=", ".join(f"{a}_forward, {a}_backward" for a in FORMULAS),
    name="every activation leaves x and dout unchanged (and returns the right values)",
)
def activations_do_not_mutate(student) -> None:
    x, G = arrays(21, (3, 4), (3, 4), scale=2.0)
    x = np.where(np.abs(x) < 1e-3, 0.5, x)
    for name, (forward, derivative) in FORMULAS.items():
        got = expect_array(student.call_unmutated(f"{name}_forward", x), x.shape,
                           what=f"{name}_forward(x)")
        assert_close(got, forward(x), what=f"{name}_forward(x)", inputs=fmt_inputs(x=x))
        got = expect_array(student.call_unmutated(f"{name}_backward", G, x), x.shape,
                           what=f"{name}_backward(dout, x)")
        assert_close(got, G * derivative(x), what=f"{name}_backward(dout, x)",
                     inputs=fmt_inputs(dout=G, x=x))


@CHECKS.check(
    task="4.2",
    function=", ".join(f"{a}_forward, {a}_backward" for a in FORMULAS),
    name="every activation takes x of any shape: a 3-D x",
)
def activations_any_shape(student) -> None:
    """mlp.py: "Elementwise: x and y = f(x) have any shape (the same)"; the other checks
    send 1-D and 2-D arrays, this one a 3-D one."""
    x, G = arrays(23, (2, 3, 2), (2, 3, 2), scale=2.0)
    x = np.where(np.abs(x) < 1e-3, 0.5, x)
    for name, (forward, derivative) in FORMULAS.items():
        got = expect_array(student.call(f"{name}_forward", x), x.shape,
                           what=f"{name}_forward(x) with x of shape (2, 3, 2)")
        assert_close(got, forward(x), what=f"{name}_forward(x)", inputs=fmt_inputs(x=x),
                     hint="elementwise: any shape of x")
        got = expect_array(student.call(f"{name}_backward", G, x), x.shape,
                           what=f"{name}_backward(dout, x) with x of shape (2, 3, 2)")
        assert_close(got, G * derivative(x), what=f"{name}_backward(dout, x)",
                     inputs=fmt_inputs(dout=G, x=x), hint="elementwise: any shape of x")


@CHECKS.check(
    task="4.2",
    function="leaky_relu_backward, softplus_backward",
    name="alpha and beta change the derivative too (non-default values, random x)",
)
@for_all(st.tuples(dims, dims, seeds, st.sampled_from([0.05, 0.3]), st.sampled_from([0.5, 4.0])),
         describe=lambda ex: f"x of shape ({ex[0]}, {ex[1]}), alpha = {ex[3]}, beta = {ex[4]}",
         calls=lambda ex: (lambda x, G: [
             ("leaky_relu_backward", (G, np.where(np.abs(x) < 1e-3, 0.5, x)), {"alpha": ex[3]}),
             ("softplus_backward", (G, np.where(np.abs(x) < 1e-3, 0.5, x)), {"beta": ex[4]})])(
             *arrays(ex[2], ex[0:2], ex[0:2], scale=2.0)))
def keyword_derivatives(student, ex) -> None:
    n, d, seed, alpha, beta = ex
    x, G = arrays(seed, (n, d), (n, d), scale=2.0)
    x = np.where(np.abs(x) < 1e-3, 0.5, x)
    got = expect_array(student.call("leaky_relu_backward", G, x, alpha=alpha), x.shape,
                       what=f"leaky_relu_backward(dout, x, alpha={alpha})")
    assert_close(got, G * np.where(x > 0, 1.0, alpha), inputs=fmt_inputs(dout=G, x=x),
                 what=f"leaky_relu_backward(dout, x, alpha={alpha})", hint="slope alpha for x <= 0")
    got = expect_array(student.call("softplus_backward", G, x, beta=beta), x.shape,
                       what=f"softplus_backward(dout, x, beta={beta})")
    assert_close(got, G * _sigmoid(beta * x), inputs=fmt_inputs(dout=G, x=x),
                 what=f"softplus_backward(dout, x, beta={beta})",
                 hint="d/dx log(1 + e^(beta x)) / beta = sigmoid(beta x)")


# ---------------------------------------------------------------- 4.3 softmax and losses


@CHECKS.check(task="4.3", function="softmax", name="rows sum to 1 and ignore a constant shift")
@for_all(st.tuples(dims, st.integers(2, 6), seeds), describe=_describe_shape,
         calls=lambda ex: (lambda z: [("softmax", (z,)), ("softmax", (z + 500.0,))])(
             *arrays(ex[2], ex[0:2], scale=3.0)))
def softmax_invariants(student, ex) -> None:
    n, c, seed = ex
    (z,) = arrays(seed, (n, c), scale=3.0)
    p = expect_array(student.call("softmax", z), (n, c), what="softmax(logits)")
    assert_close(
        p.sum(axis=1), np.ones(n), what="softmax(logits): the row sums", inputs=fmt_inputs(logits=z)
    )
    e = np.exp(z - z.max(axis=1, keepdims=True))
    assert_close(
        p, e / e.sum(axis=1, keepdims=True), what="softmax(logits)", inputs=fmt_inputs(logits=z)
    )
    shifted = expect_array(student.call("softmax", z + 500.0), (n, c), what="softmax(logits+500)")
    assert_close(
        shifted,
        p,
        what="softmax(logits + 500) (should equal softmax(logits))",
        inputs=fmt_inputs(logits=z),
        hint="subtract each row's max before exp",
    )


@CHECKS.check(
    task="4.3", function="softmax, softmax_cross_entropy", name="stable at logits of ±1000"
)
def stable_at_1000(student) -> None:
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]])
    labels = np.array([0, 0])
    p = expect_array(student.call("softmax", z), (2, 3), what="softmax at ±1000")
    assert_close(
        p,
        [[1, 0, 0], [0, 0.5, 0.5]],
        what="softmax(logits) at ±1000",
        inputs=fmt_inputs(logits=z),
        hint="subtract each row's max before exp",
    )
    got = expect_sequence(
        student.call("softmax_cross_entropy", z, labels), 2, what="softmax_cross_entropy"
    )
    loss = expect_float(got[0], what="softmax_cross_entropy: loss")
    # Row 1: 0; row 2: log(2 e^1000) + 1000 = 2000 + log 2.
    assert_close(
        loss,
        (2000 + math.log(2)) / 2,
        what="softmax_cross_entropy(logits, labels)",
        inputs=fmt_inputs(logits=z, labels=labels),
        hint="use log-sum-exp with the max",
    )
    d = expect_array(got[1], (2, 3), what="softmax_cross_entropy: dlogits")
    assert_close(
        d,
        [[0, 0, 0], [-0.5, 0.25, 0.25]],
        what="softmax_cross_entropy: dlogits",
        inputs=fmt_inputs(logits=z, labels=labels),
    )
    bce = expect_sequence(
        student.call("binary_cross_entropy", np.array([1000.0, -1000.0]), np.array([0.0, 0.0])),
        2,
        what="binary_cross_entropy",
    )
    assert_close(
        expect_float(bce[0], what="binary_cross_entropy: loss"),
        500.0,
        what="binary_cross_entropy(logits=[1000, -1000], y=[0, 0])",
        hint="log(1 + e^z) overflows for z = 1000: use np.logaddexp(0, z)",
    )


def _loss_check(function: str, make, own):
    second = list(DOMAINS[function].params)[1]  # target / y / labels: its documented forms

    @CHECKS.check(task="4.3", function=function, name=f"{function}: value and gradient")
    @for_all(st.tuples(dims, st.integers(2, 5), seeds,
                       st.sampled_from(DOMAINS[function].params[second].forms)),
             describe=lambda ex: f"{_describe_shape(ex)}, {second} as {ex[3]}",
             calls=lambda ex: (lambda a, b: [(function, (a, as_form(b, ex[3])))])(
                 *make(np.random.default_rng(ex[2]), ex[0], ex[1])))
    def check(student, ex) -> None:
        n, c, seed, form = ex
        a, b = make(np.random.default_rng(seed), n, c)
        b = as_form(b, form)
        got = expect_sequence(student.call(function, a, b), 2, what=function)
        inputs = fmt_inputs(a=a, b=b)
        loss = expect_float(got[0], what=f"{function}: loss")
        assert_close(
            loss,
            own(a, b),
            what=f"{function}: loss",
            inputs=inputs,
            hint="average over the batch (see the docstring's convention)",
        )
        grad = expect_array(got[1], a.shape, what=f"{function}: gradient")
        assert_matches_difference(
            grad,
            central_difference(lambda t: own(t, b), a),
            what=function,
            parameter=output_name("mlp", function, 1),
            inputs=inputs,
        )

    check.__name__ = f"{function}_value_and_grad"


_loss_check(
    "mse_loss",
    lambda r, n, c: (r.normal(size=(n, c)), r.normal(size=(n, c))),
    lambda p, t: float(np.mean((p - t) ** 2)),
)
_loss_check(
    "binary_cross_entropy",
    lambda r, n, c: (r.normal(size=n) * 2, r.integers(0, 2, size=n).astype(float)),
    lambda z, y: float(np.mean(np.logaddexp(0, z) - y * z)),
)
_loss_check(
    "softmax_cross_entropy",
    lambda r, n, c: (r.normal(size=(n, c)), r.integers(0, c, size=n)),
    own_cross_entropy,
)


@CHECKS.check(
    task="4.3",
    function="softmax, mse_loss, binary_cross_entropy, softmax_cross_entropy",
    name="softmax and the losses leave their inputs unchanged (and return the right values)",
)
def losses_do_not_mutate(student) -> None:
    rng = np.random.default_rng(31)
    z = rng.normal(size=(4, 3)) * 3
    labels = np.array([0, 2, 1, 2])
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = expect_array(student.call_unmutated("softmax", z), z.shape, what="softmax(logits)")
    assert_close(p, e / e.sum(axis=1, keepdims=True), what="softmax(logits)",
                 inputs=fmt_inputs(logits=z))
    pred, target = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    zb, yb = rng.normal(size=4) * 2, np.array([0.0, 1.0, 1.0, 0.0])
    for function, args, own in (
        ("softmax_cross_entropy", (z, labels), own_cross_entropy),
        ("mse_loss", (pred, target), lambda a, b: float(np.mean((a - b) ** 2))),
        ("binary_cross_entropy", (zb, yb), lambda a, b: float(np.mean(np.logaddexp(0, a) - b * a))),
    ):
        got = expect_sequence(student.call_unmutated(function, *args), 2, what=function)
        assert_close(expect_float(got[0], what=f"{function}: loss"), own(*args),
                     what=f"{function}: loss", inputs=fmt_inputs(a=args[0], b=args[1]))


# ---------------------------------------------------------------- 4.4 network

net_examples = st.tuples(
    st.lists(st.integers(1, 6), min_size=2, max_size=4),  # [D, hidden..., C-1]
    st.integers(1, 8),  # N
    seeds,
    st.sampled_from(["relu", "tanh"]),
)


def _net(ex):
    sizes, n, seed, activation = ex
    sizes = [*sizes[:-1], sizes[-1] + 1]  # at least 2 classes
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(1, len(sizes)):
        params[f"W{i}"] = rng.normal(size=(sizes[i - 1], sizes[i])) / math.sqrt(sizes[i - 1])
        params[f"b{i}"] = rng.normal(size=sizes[i]) * 0.1
    X = rng.normal(size=(n, sizes[0]))
    labels = rng.integers(0, sizes[-1], size=n)
    return sizes, params, X, labels, activation, rng


def _describe_net(ex) -> str:
    sizes, n, seed, activation = ex
    return f"layer sizes {[*sizes[:-1], sizes[-1] + 1]}, N = {n}, activation = {activation!r}"


def _activation_kwargs(activation: str) -> dict:
    """The keyword the visible network checks pass: none for "relu", so the documented
    default activation="relu" is what those examples exercise (domains: its rivals)."""
    return {} if activation == "relu" else {"activation": activation}


def _describe_net_default(ex) -> str:
    """_describe_net, saying when the activation was left out (the default, "relu")."""
    text = _describe_net(ex)
    return text + " (left out: the default)" if ex[3] == "relu" else text


@CHECKS.check(task="4.4", function="init_mlp", name="keys, shapes, zero biases, seeded")
def init_shapes(student) -> None:
    sizes = [5, 7, 3, 2]
    got = expect_dict(
        student.call("init_mlp", sizes, 3),
        ["W1", "b1", "W2", "b2", "W3", "b3"],
        what="init_mlp([5, 7, 3, 2], seed=3)",
    )
    for i in range(1, 4):
        expect_array(got[f"W{i}"], (sizes[i - 1], sizes[i]), what=f"init_mlp: W{i}")
        expect_array(got[f"b{i}"], (sizes[i],), what=f"init_mlp: b{i}")
    again = student.call("init_mlp", sizes, 3)
    assert_close(
        again["W1"],
        got["W1"],
        what="init_mlp called twice with seed 3: W1",
        hint="draw from np.random.default_rng(seed)",
    )
    if np.all(got["W1"] == 0):
        raise CheckFailure("init_mlp: W1 is all zeros; hidden units would stay identical.")


INIT_SIZES = [400, 300, 100, 10]
"""Wide layers for init_mlp's distribution check: 120 000, 30 000 and 1 000 weights, so the
sample moments pin the documented Normal(0, 2 / fan_in) down (see INIT_SIGMAS)."""
INIT_SIGMAS = 5.0
"""Tolerance of the distribution check, in standard errors of each sample moment of n draws
from Normal(0, s2), s2 = 2 / fan_in: the mean's is sqrt(s2 / n); mean(W^2)'s is
s2 sqrt(2 / n); the kurtosis mean(W^4) / mean(W^2)^2 (3 for a normal) has sqrt(24 / n). At
5 of them a right draw fails with probability < 1e-6 per moment (the reference passes for
the seeds used, by test), while variance passed as standard deviation (4 / fan_in^2: off by
a factor fan_in / 2 >= 5), 1 / fan_in, 2 / fan_out or a uniform draw (kurtosis 1.8) are
each many standard errors away on the 120 000-weight layer."""


def init_moments_failure(W: np.ndarray, fan_in: int, key: str) -> str:
    """'' when W's sample moments are those of Normal(0, 2 / fan_in) within INIT_SIGMAS
    standard errors; else what is off, by how many standard errors, and the fix."""
    n, s2 = W.size, 2.0 / fan_in
    second = float(np.mean(W * W))
    moments = [  # (name, got, expected, standard error)
        ("mean", float(np.mean(W)), 0.0, math.sqrt(s2 / n)),
        ("variance (mean of W^2)", second, s2, s2 * math.sqrt(2.0 / n)),
    ]
    if second > 0:
        moments.append(("kurtosis mean(W^4) / mean(W^2)^2", float(np.mean(W**4)) / second**2,
                        3.0, math.sqrt(24.0 / n)))
    for name, got, expected, se in moments:
        if not abs(got - expected) <= INIT_SIGMAS * se:
            return (
                f"init_mlp({INIT_SIZES}, seed=0): {key} (fan_in {fan_in}, {n} weights) has"
                f" {name} {got:.6g}, expected {expected:.6g} for W ~ Normal(0, 2 / fan_in ="
                f" {s2:.6g}) within {INIT_SIGMAS:g} standard errors (+-{INIT_SIGMAS * se:.3g});"
                f" it is {abs(got - expected) / se:.1f} away.\n  hint: He initialisation draws"
                " rng.standard_normal((fan_in, fan_out)) * sqrt(2 / fan_in): 2 / fan_in is the"
                " variance, its square root the standard deviation."
            )
    return ""


@CHECKS.check(task="4.4", function="init_mlp",
              name="W ~ Normal(0, 2/fan_in), zero biases, a seed changes the draw")
def init_distribution(student) -> None:
    """The documented distribution on wide layers, by sample moments (INIT_SIGMAS)."""
    keys = [f"{p}{i}" for i in range(1, len(INIT_SIZES)) for p in ("W", "b")]
    draws = []
    for seed in (0, 1):
        got = expect_dict(student.call("init_mlp", list(INIT_SIZES), seed), keys,
                          what=f"init_mlp({INIT_SIZES}, seed={seed})")
        for i in range(1, len(INIT_SIZES)):
            fan_in, fan_out = INIT_SIZES[i - 1], INIT_SIZES[i]
            expect_array(got[f"W{i}"], (fan_in, fan_out), what=f"init_mlp: W{i}")
            b = expect_array(got[f"b{i}"], (fan_out,), what=f"init_mlp: b{i}")
            if np.any(b != 0):
                raise CheckFailure(
                    f"init_mlp({INIT_SIZES}, seed={seed}): b{i} is not all zeros (b{i}[0] ="
                    f" {b[0]:.6g}); the docstring says b_l = 0.")
        draws.append(got)
    for i in range(1, len(INIT_SIZES)):
        message = init_moments_failure(draws[0][f"W{i}"], INIT_SIZES[i - 1], f"W{i}")
        if message:
            raise CheckFailure(message)
    if np.array_equal(draws[0]["W1"], draws[1]["W1"]):
        raise CheckFailure(
            f"init_mlp({INIT_SIZES}, seed=0) and seed=1 return the same W1: the seed must"
            " choose the draw (np.random.default_rng(seed)).")


@CHECKS.check(task="4.4", function="mlp_forward", name="logits match the grader's forward")
@for_all(net_examples, describe=_describe_net_default, calls=lambda ex: (lambda net: [
    ("mlp_forward", (net[1], net[2]), _activation_kwargs(net[4]))])(_net(ex)))
def forward_values(student, ex) -> None:
    sizes, params, X, _, activation, _ = _net(ex)
    raw = integration_call(student, "mlp_forward", (params, X, activation), params, X,
                           **_activation_kwargs(activation))
    # The output contract (an (N, C) float array) is never carried forward: no free points.
    got = expect_array(raw, (len(X), sizes[-1]), what="mlp_forward(params, X)")
    try:
        assert_close(
            got,
            own_forward(params, X, activation),
            what="mlp_forward(params, X)",
            hint="linear -> activation for hidden layers, the last layer linear only",
        )
    except CheckFailure as failure:
        carry_forward("mlp_forward", failure, student, raw, params, X, activation)


@CHECKS.check(
    task="4.4",
    function="mlp_loss_and_grads",
    name="loss, and gradients along random directions and at sampled coordinates",
)
@for_all(net_examples, max_examples=25, describe=_describe_net_default,
         calls=lambda ex: (lambda net: [("mlp_loss_and_grads", (net[1], net[2], net[3]),
                                         _activation_kwargs(net[4]))])(_net(ex)))
def network_gradient(student, ex) -> None:
    sizes, params, X, labels, activation, rng = _net(ex)
    raw = integration_call(student, "mlp_loss_and_grads", (params, X, labels, activation),
                           params, X, labels, **_activation_kwargs(activation))
    try:
        _network_gradient_strict(raw, params, X, labels, activation, rng)
    except CheckFailure as failure:
        carry_forward("mlp_loss_and_grads", failure, student, raw, params, X, labels, activation)


def _network_gradient_strict(raw, params, X, labels, activation, rng) -> None:
    got = expect_sequence(raw, 2, what="mlp_loss_and_grads")
    loss = expect_float(got[0], what="mlp_loss_and_grads: loss")
    assert_close(
        loss,
        own_loss(params, X, labels, activation),
        what="mlp_loss_and_grads: loss",
        hint="mean softmax cross-entropy over the batch",
    )
    grads = expect_dict(got[1], list(params), what="mlp_loss_and_grads: grads")
    for key, value in params.items():
        expect_array(grads[key], value.shape, what=f"mlp_loss_and_grads: grads[{key!r}]")
    h = H_KINKED if activation == "relu" else H_SMOOTH

    def loss_at(shifted):
        return own_loss(shifted, X, labels, activation)

    directional_gradient_check(
        loss_at, params, grads, rng, h,
        lambda got, numeric, parameter: assert_matches_difference(
            got, numeric, what="mlp_loss_and_grads", parameter=parameter),
    )


@CHECKS.check(
    task="4.4",
    function="mlp_forward, mlp_loss_and_grads",
    name="leave params, X and labels unchanged; N = 1, sigmoid hidden units",
)
def network_does_not_mutate(student) -> None:
    sizes, params, X, labels, _, _ = _net(([3, 4, 1], 1, 5, "sigmoid"))
    raw = integration_call(student, "mlp_forward", (params, X, "sigmoid"), params, X,
                           activation="sigmoid")
    got = expect_array(raw, (1, sizes[-1]), what="mlp_forward(params, X) with N = 1")
    try:  # the output contract above is never carried forward
        assert_close(got, own_forward(params, X, "sigmoid"), what="mlp_forward(params, X)",
                     inputs="N = 1, layers [3, 4, 2], activation='sigmoid'")
    except CheckFailure as failure:
        carry_forward("mlp_forward", failure, student, raw, params, X, "sigmoid")
    raw = integration_call(student, "mlp_loss_and_grads", (params, X, labels, "sigmoid"),
                           params, X, labels, activation="sigmoid")
    try:
        got = expect_sequence(raw, 2, what="mlp_loss_and_grads")
        assert_close(expect_float(got[0], what="mlp_loss_and_grads: loss"),
                     own_loss(params, X, labels, "sigmoid"), what="mlp_loss_and_grads: loss",
                     inputs="N = 1, layers [3, 4, 2], activation='sigmoid'")
    except CheckFailure as failure:
        carry_forward("mlp_loss_and_grads", failure, student, raw, params, X, labels, "sigmoid")


# ---------------------------------------------------------------- 4.5 momentum


@CHECKS.check(task="4.5", function="sgd_momentum_step", name="v <- mu v - lr g; p <- p + v")
@for_all(st.tuples(dims, seeds, st.sampled_from([0.0, 0.5, 0.9])), calls=lambda ex: (
    lambda p, g, v, q: [("sgd_momentum_step", ({"W": p, "b": q}, {"W": g, "b": -q},
                                               {"W": v, "b": q * 0.5}, 0.1, ex[2]))])(
    *arrays(ex[1], (ex[0], 2), (ex[0], 2), (ex[0], 2), (ex[0],))))
def momentum_by_formula(student, ex) -> None:
    n, seed, mu = ex
    p, g, v, q = arrays(seed, (n, 2), (n, 2), (n, 2), (n,))
    params, grads, vel = {"W": p, "b": q}, {"W": g, "b": -q}, {"W": v, "b": q * 0.5}
    got = expect_sequence(
        student.call("sgd_momentum_step", params, grads, vel, 0.1, mu), 2, what="sgd_momentum_step"
    )
    new_p = expect_dict(got[0], ["W", "b"], what="sgd_momentum_step: new params")
    new_v = expect_dict(got[1], ["W", "b"], what="sgd_momentum_step: new velocity")
    inputs = fmt_inputs(lr=0.1, momentum=mu)
    for key in params:
        v_expected = mu * vel[key] - 0.1 * grads[key]
        assert_close(
            new_v[key],
            v_expected,
            what=f"sgd_momentum_step: velocity[{key!r}]",
            inputs=inputs,
            hint="v = momentum * v - lr * g",
        )
        assert_close(
            new_p[key],
            params[key] + v_expected,
            what=f"sgd_momentum_step: params[{key!r}]",
            inputs=inputs,
            hint="p = p + v, with the NEW velocity",
        )


@CHECKS.check(
    task="4.5",
    function="sgd_momentum_step",
    name="leaves params, grads and velocity unchanged (returns new dicts)",
)
def momentum_does_not_mutate(student) -> None:
    p, g, v = arrays(3, (3, 2), (3, 2), (3, 2))
    got = expect_sequence(
        student.call_unmutated("sgd_momentum_step", {"W": p}, {"W": g}, {"W": v}, 0.1, 0.9),
        2,
        what="sgd_momentum_step",
    )
    _expect_step(got, {"W": p}, {"W": 0.9 * v - 0.1 * g}, "lr = 0.1, momentum = 0.9")


def _expect_step(got: list, params: dict, v_expected: dict, inputs: str) -> None:
    """(new_params, new_velocity) against p + v and v, computed by the caller."""
    new_p = expect_dict(got[0], list(params), what="sgd_momentum_step: new params")
    new_v = expect_dict(got[1], list(params), what="sgd_momentum_step: new velocity")
    for key, p in params.items():
        assert_close(new_v[key], v_expected[key], what=f"sgd_momentum_step: velocity[{key!r}]",
                     inputs=inputs, hint="v = momentum * v - lr * g")
        assert_close(new_p[key], p + v_expected[key], what=f"sgd_momentum_step: params[{key!r}]",
                     inputs=inputs, hint="p = p + v, with the NEW velocity")


@CHECKS.check(
    task="4.5",
    function="sgd_momentum_step",
    name="momentum defaults to 0; velocity None (or a missing key) means zeros",
)
def momentum_defaults(student) -> None:
    p, g, v, q = arrays(13, (2, 3), (2, 3), (2, 3), (3,))
    params, grads = {"W1": p, "b1": q}, {"W1": g, "b1": -q}
    got = expect_sequence(student.call("sgd_momentum_step", params, grads, {"W1": v, "b1": q}, 0.2),
                          2, what="sgd_momentum_step(params, grads, velocity, lr=0.2)")
    _expect_step(got, params, {k: -0.2 * grads[k] for k in params}, "lr = 0.2, momentum left out")
    got = expect_sequence(student.call("sgd_momentum_step", params, grads, None, 0.2, 0.9),
                          2, what="sgd_momentum_step(params, grads, None, 0.2, 0.9)")
    _expect_step(got, params, {k: -0.2 * grads[k] for k in params}, "velocity None, momentum 0.9")
    got = expect_sequence(student.call("sgd_momentum_step", params, grads, {"W1": v}, 0.2, 0.9),
                          2, what="sgd_momentum_step(params, grads, {'W1': v}, 0.2, 0.9)")
    _expect_step(got, params, {"W1": 0.9 * v - 0.2 * g, "b1": 0.2 * q},
                 "velocity {'W1': v} without 'b1' (zeros for it), momentum 0.9")


@CHECKS.check(
    task="4.1",
    function="linear_backward",
    name="leaves dout, x, W and b unchanged (and returns the right gradients)",
)
def linear_backward_does_not_mutate(student) -> None:
    x, W, b, G = arrays(5, (4, 3), (3, 2), (2,), (4, 2))
    got = expect_sequence(student.call_unmutated("linear_backward", G, x, W, b), 3,
                          what="linear_backward(dout, x, W, b)")
    inputs = fmt_inputs(dout=G, x=x, W=W, b=b)
    # d/dx, d/dW, d/db of sum(dout * (x @ W + b)), from the lecture's matrix calculus.
    for value, name, expected in zip(got, ("dx", "dW", "db"), (G @ W.T, x.T @ G, G.sum(axis=0)),
                                     strict=True):
        arr = expect_array(value, expected.shape, what=f"linear_backward: {name}")
        assert_close(arr, expected, what=f"linear_backward: {name}", inputs=inputs)


@CHECKS.check(
    task="4.5",
    function="sgd_momentum_step",
    name="a small step along the gradient lowers the grader's loss",
)
def step_lowers_loss(student) -> None:
    # The grader's own loss 1/2 sum ||p - t||^2 and its gradient p - t: nothing of the
    # student's but the step itself (their network's gradient is task 4.4's business).
    p, t, q, u = arrays(7, (4, 3), (4, 3), (3,), (3,))
    params, target = {"W1": p, "b1": q}, {"W1": t, "b1": u}

    def loss(ps) -> float:
        return 0.5 * sum(float(np.sum((ps[k] - target[k]) ** 2)) for k in target)

    grads = {k: params[k] - target[k] for k in params}
    zeros = {k: np.zeros_like(v) for k, v in params.items()}
    stepped = expect_sequence(
        student.call("sgd_momentum_step", params, grads, zeros, LOSS_DROP_STEP, 0.9),
        2,
        what="sgd_momentum_step",
    )
    new = expect_dict(stepped[0], list(params), what="sgd_momentum_step: new params")
    for key, value in params.items():
        expect_array(new[key], value.shape, what=f"sgd_momentum_step: new params[{key!r}]")
    before, after = loss(params), loss(new)
    if not after < before:
        raise CheckFailure(
            f"sgd_momentum_step: one step with lr = {LOSS_DROP_STEP} on the loss"
            f" 1/2 ||p - t||^2 (gradient p - t) raised it from {before:.6g} to {after:.6g};"
            " step against the gradient (v = momentum * v - lr * g)."
        )


# ---------------------------------------------------------------- 4.6 training


@CHECKS.check(task="4.6", function="accuracy", name="accuracy by hand")
def accuracy_by_hand(student) -> None:
    logits = np.array([[0.1, 0.9], [2.0, 1.0], [0.0, 3.0]])
    got = expect_float(student.call("accuracy", logits, np.array([1, 1, 1])), what="accuracy")
    assert_close(
        got, 2 / 3, what="accuracy(logits, labels=[1, 1, 1])", inputs=fmt_inputs(logits=logits)
    )
    one = np.array([[0.3, -0.2, 0.9]])
    for label, expected in ((2, 1.0), (0, 0.0)):
        got = expect_float(student.call("accuracy", one, np.array([label])), what="accuracy")
        assert_close(got, expected, what=f"accuracy(logits, labels=[{label}]) with N = 1",
                     inputs=fmt_inputs(logits=one))


@CHECKS.check(
    task="4.6",
    function="train_mlp",
    name="learns XOR: the grader's accuracy from the returned params",
    timeout=60,
)
def learns_xor(student) -> None:
    rng = np.random.default_rng(0)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    which = rng.permutation(np.arange(200) % 4)
    X = corners[which] + 0.1 * rng.normal(size=(200, 2))
    y = np.array([0, 1, 1, 0])[which]
    settings = dict(lr=0.1, batch_size=32, momentum=0.9, seed=0, activation="relu")
    raw = None
    try:
        raw = student.call("train_mlp", X, y, [2, 8, 2], 100, **settings)
        result = expect_dict(raw, ["params", "losses"], what="train_mlp")
        losses = expect_sequence(result["losses"], 100, what="train_mlp: losses (one per epoch)")
        params = expect_dict(result["params"], ["W1", "b1", "W2", "b2"], what="train_mlp: params")
        acc = float(np.mean(own_forward(params, X).argmax(axis=1) == y))
        if acc < XOR_ACCURACY or not losses[-1] < losses[0]:
            raise CheckFailure(
                f"train_mlp on XOR ([2, 8, 2], 100 epochs, lr 0.1, batch 32, momentum 0.9): the"
                f" grader measured training accuracy {acc:.3f} (needs {XOR_ACCURACY}) and"
                f" losses {losses[0]:.4g} -> {losses[-1]:.4g}."
            )
    except StudentFault as fault:  # train_mlp raised: maybe inside one of the student's blocks
        if fault.fatal:
            raise
        carry_forward("train_mlp", CheckFailure(fault.message), student, fault, X, y,
                      [2, 8, 2], settings)
    except CheckFailure as failure:
        carry_forward("train_mlp", failure, student, raw, X, y, [2, 8, 2], settings)
