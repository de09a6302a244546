"""Hidden checks of A4: differential against the reference MLP on hypothesis inputs.

Shapes, batches and networks are drawn by hypothesis; the reference (trusted side) computes
the expected values. Initialisation and training are not compared value by value (the
contract leaves the initial distribution to the student): training is judged by the test
accuracy the grader measures itself on the digits split.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import strategies as st

from autograder.checks.a4 import _describe_net, _net, net_examples, own_forward
from autograder.checks.framework import Registry, for_all
from autograder.compare import (
    GRAD_REL_ERROR,
    CheckFailure,
    assert_close,
    assert_gradient_close,
    expect_array,
    expect_dict,
    expect_float,
    expect_sequence,
    fmt_inputs,
    rel_error,
)
from autograder.feedback.names import output_name
from autograder.staff import reference

CHECKS = Registry(hidden=True)

DIGITS_ACCURACY = 0.95
"""Test accuracy on the digits split with the course settings: the reference gets 0.973-0.980
over seeds, any correct implementation (any sensible init) well above 0.95."""
DIGITS_SETTINGS = dict(epochs=30, lr=0.2, batch_size=32, momentum=0.9, seed=0)

shapes = st.tuples(st.integers(1, 12), st.integers(1, 9))
seeds = st.integers(0, 2**16)
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu")


def ref():
    return reference.load("mlp")


def _compare(got, expected, what: str, inputs: str) -> None:
    """got (validated against expected's type/shape) equals the reference's expected.

    The parts of a tuple are named as the reference documents them (linear_backward: db)."""
    if isinstance(expected, (tuple, list)):
        parts = expect_sequence(got, len(expected), what=what)
        function = what.split(" ", 1)[0].split(":", 1)[0]
        for i, (g, e) in enumerate(zip(parts, expected, strict=True)):
            _compare(g, e, f"{what}: {output_name('mlp', function, i)}", inputs)
    elif isinstance(expected, dict):
        parts = expect_dict(got, list(expected), what=what)
        for key, e in expected.items():
            _compare(parts[key], e, f"{what}[{key!r}]", inputs)
    elif isinstance(expected, np.ndarray):
        arr = expect_array(got, expected.shape, what=what)
        assert_close(arr, expected, what=what, inputs=inputs)
    else:
        assert_close(expect_float(got, what=what), float(expected), what=what, inputs=inputs)


def _differential(task: str, function: str, make, name: str, kwargs_of=lambda ex: {}):
    @CHECKS.check(task=task, function=function, name=name)
    @for_all(st.tuples(shapes, seeds, st.sampled_from([1.0, 5.0, 50.0])), max_examples=30)
    def check(student, ex) -> None:
        (n, d), seed, scale = ex
        args = make(np.random.default_rng(seed), n, d, scale)
        kwargs = kwargs_of(ex)
        expected = getattr(ref(), function)(*args, **kwargs)
        got = student.call(function, *args, **kwargs)
        _compare(
            got,
            expected,
            function,
            fmt_inputs(**{f"arg{i}": a for i, a in enumerate(args)}, **kwargs),
        )

    check.__name__ = f"hidden_{function}"
    return check


def _normal(rng, *shape_scale):
    *shape, scale = shape_scale
    return rng.normal(size=shape) * scale


_differential(
    "4.1",
    "linear_forward",
    lambda r, n, d, s: (_normal(r, n, d, s), _normal(r, d, 3, 1), _normal(r, 3, 1)),
    "linear_forward against the reference",
)
_differential(
    "4.1",
    "linear_backward",
    lambda r, n, d, s: (
        _normal(r, n, 3, s),
        _normal(r, n, d, 1),
        _normal(r, d, 3, 1),
        _normal(r, 3, 1),
    ),
    "linear_backward against the reference",
)
for _act in ACTIVATION_NAMES:
    _differential(
        "4.2",
        f"{_act}_forward",
        lambda r, n, d, s: (_normal(r, n, d, s),),
        f"{_act}_forward against the reference, up to |x| ~ 150",
    )
    _differential(
        "4.2",
        f"{_act}_backward",
        lambda r, n, d, s: (_normal(r, n, d, 1), _normal(r, n, d, s)),
        f"{_act}_backward against the reference, up to |x| ~ 150",
    )
_differential(
    "4.3",
    "softmax",
    lambda r, n, d, s: (_normal(r, n, d + 1, s * 10),),
    "softmax against the reference, logits up to ~1500",
)
_differential(
    "4.3",
    "softmax_cross_entropy",
    lambda r, n, d, s: (_normal(r, n, d + 1, s * 10), r.integers(0, d + 1, size=n)),
    "softmax_cross_entropy against the reference, logits up to ~1500",
)
_differential(
    "4.3",
    "binary_cross_entropy",
    lambda r, n, d, s: (_normal(r, n, s * 10), r.integers(0, 2, size=n).astype(float)),
    "binary_cross_entropy against the reference, logits up to ~1500",
)
_differential(
    "4.3",
    "mse_loss",
    lambda r, n, d, s: (_normal(r, n, d, s), _normal(r, n, d, s)),
    "mse_loss against the reference",
)


PICTURE = "a4_gradient_errors"
"""Student.record key: the relative error of each parameter's gradient on the network the
check reports (the last example run: the smallest failing one, or the last passing one)."""


def record_gradient_errors(student, network: str, grads: dict, expected: dict) -> None:
    errors: dict[str, float | None] = {}  # None: not an array of the parameter's shape
    for key, want in expected.items():
        got = grads.get(key)
        ok = isinstance(got, np.ndarray) and got.shape == want.shape and got.dtype.kind == "f"
        errors[key] = rel_error(got, want) if ok else None
    if errors:
        student.record(PICTURE, {"network": network, "errors": errors,
                                 "allowed": GRAD_REL_ERROR})


@CHECKS.check(
    task="4.4",
    function="mlp_forward, mlp_loss_and_grads",
    name="random networks with every activation, against the reference",
)
@for_all(
    st.tuples(net_examples, st.sampled_from(ACTIVATION_NAMES)),
    max_examples=30,
    describe=lambda ex: _describe_net((*ex[0][:3], ex[1])),
)
def hidden_network(student, ex) -> None:
    net, activation = ex
    _, params, X, labels, _, _ = _net((*net[:3], activation))
    inputs = _describe_net((*net[:3], activation))
    _compare(
        student.call("mlp_forward", params, X, activation=activation),
        ref().mlp_forward(params, X, activation),
        "mlp_forward",
        inputs,
    )
    expected_loss, expected_grads = ref().mlp_loss_and_grads(params, X, labels, activation)
    got = expect_sequence(
        student.call("mlp_loss_and_grads", params, X, labels, activation=activation),
        2,
        what="mlp_loss_and_grads",
    )
    _compare(got[0], expected_loss, "mlp_loss_and_grads: loss", inputs)
    grads = expect_dict(got[1], list(params), what="mlp_loss_and_grads: grads")
    record_gradient_errors(student, inputs, grads, expected_grads)
    for key, expected in expected_grads.items():
        arr = expect_array(grads[key], expected.shape, what=f"mlp_loss_and_grads: grads[{key!r}]")
        assert_gradient_close(
            arr, expected, what="mlp_loss_and_grads", parameter=key, inputs=inputs
        )


@CHECKS.check(
    task="4.5",
    function="sgd_momentum_step",
    name="several steps on random parameters, against the reference",
)
@for_all(st.tuples(shapes, seeds, st.floats(0.0, 0.99), st.floats(1e-3, 1.0)), max_examples=20)
def hidden_momentum(student, ex) -> None:
    (n, d), seed, mu, lr = ex
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(n, d)), "b1": rng.normal(size=d)}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    p_ref, v_ref = params, velocity
    p_got, v_got = params, velocity
    for step in range(3):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        p_ref, v_ref = ref().sgd_momentum_step(p_ref, grads, v_ref, lr, mu)
        got = expect_sequence(
            student.call("sgd_momentum_step", p_got, grads, v_got, lr, mu),
            2,
            what="sgd_momentum_step",
        )
        p_got = expect_dict(got[0], list(params), what="sgd_momentum_step: params")
        v_got = expect_dict(got[1], list(params), what="sgd_momentum_step: velocity")
        _compare(
            p_got,
            p_ref,
            f"sgd_momentum_step (step {step + 1}): params",
            fmt_inputs(lr=lr, momentum=mu),
        )
        _compare(
            v_got,
            v_ref,
            f"sgd_momentum_step (step {step + 1}): velocity",
            fmt_inputs(lr=lr, momentum=mu),
        )


@CHECKS.check(
    task="4.6",
    function="train_mlp",
    name="digits: test accuracy measured by the grader >= 0.95",
    timeout=300,
)
def hidden_digits(student) -> None:
    from autograder.data import load_digits

    X_train, y_train = load_digits("train")
    X_test, y_test = load_digits("test")
    result = expect_dict(
        student.call("train_mlp", X_train, y_train, [64, 128, 10], **DIGITS_SETTINGS),
        ["params", "losses"],
        what="train_mlp",
    )
    params = expect_dict(result["params"], ["W1", "b1", "W2", "b2"], what="train_mlp: params")
    for key, shape in (("W1", (64, 128)), ("b1", (128,)), ("W2", (128, 10)), ("b2", (10,))):
        expect_array(params[key], shape, what=f"train_mlp: params[{key!r}]")
    accuracy = float(np.mean(own_forward(params, X_test).argmax(axis=1) == y_test))
    curve = _loss_curve(result["losses"])
    if curve:
        student.record("training_curve", {
            "title": "train_mlp on the digits: mean training loss per epoch",
            "curves": {"yours": curve, "reference": _reference_digits_curve()},
        })
    if accuracy < DIGITS_ACCURACY:
        raise CheckFailure(
            f"train_mlp on the digits (layers [64, 128, 10], {DIGITS_SETTINGS}): the grader"
            f" measured test accuracy {accuracy:.3f}, needs {DIGITS_ACCURACY}."
        )


MAX_CURVE_POINTS = 1000
"""Epochs kept of a returned loss curve for the report's plot (the settings ask for 30)."""


def _loss_curve(losses) -> list[float]:
    """The student's per-epoch losses as finite floats, or [] if they are not that."""
    if isinstance(losses, np.ndarray) and losses.ndim == 1 and losses.dtype.kind in "fi":
        losses = losses.tolist()
    if not isinstance(losses, list) or not losses:
        return []
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in losses):
        return []
    curve = [float(v) for v in losses[:MAX_CURVE_POINTS]]
    return curve if all(np.isfinite(curve)) else []


@functools.cache
def _reference_digits_curve() -> list[float]:
    """The reference's loss curve with the same data and settings (trusted side, once)."""
    from autograder.data import load_digits

    X_train, y_train = load_digits("train")
    result = ref().train_mlp(X_train, y_train, [64, 128, 10], **DIGITS_SETTINGS)
    return [float(v) for v in result["losses"]]
