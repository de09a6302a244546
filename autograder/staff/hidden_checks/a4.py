"""Hidden checks of A4: differential against the reference MLP on hypothesis inputs.

Shapes, batches and networks are drawn by hypothesis; the reference (trusted side) computes
the expected values. Initialisation and training are not compared value by value (the
contract leaves the initial distribution to the student): training is judged by the test
accuracy the grader measures itself on the digits split, and by its steps: the documented
loop replayed here with the student's own init_mlp, mlp_loss_and_grads and sgd_momentum_step.

Error carried forward: this module registers the composers of checks.a4.CARRY_FORWARD
(staff-only because they spell out 4.4's and 4.6's solutions): a network that is right given
the student's own layer, activation and loss functions, or a training run that is the
documented loop over the student's own functions, keeps its points when those blocks are
wrong (their own tasks lose the points).
"""

from __future__ import annotations

import functools
import inspect
import re

import numpy as np

from autograder.checks import a4 as visible
from autograder.checks.a4 import _describe_net, _net, net_examples, own_forward
from autograder.checks.domains import keyword
from autograder.checks.framework import CarriedForward, Registry, StudentFault, for_all
from autograder.checks.strategies import st
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

CHECKS = Registry(hidden=True)

DIGITS_ACCURACY = 0.95
"""Test accuracy on the digits split with the course settings: the reference gets 0.973-0.980
over seeds, any correct implementation (any sensible init) well above 0.95."""
DIGITS_SETTINGS = dict(epochs=30, lr=0.2, batch_size=32, momentum=0.9, seed=0)

shapes = st.tuples(st.integers(1, 12), st.integers(1, 9))
seeds = st.integers(0, 2**16)
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu")


def ref(student):
    """The grading's reference mlp module (the context's, carried by the Student)."""
    return student.reference_solution.load("mlp")


def _compare(got, expected, what: str, inputs: str, equal_nan: bool = False) -> None:
    """got (validated against expected's type/shape) equals the reference's expected.

    The parts of a tuple are named as the reference documents them (linear_backward: db).
    ``equal_nan``: expected is the student's own (a rerun, a replay of their blocks), where
    NaN matches NaN."""
    if isinstance(expected, (tuple, list)):
        parts = expect_sequence(got, len(expected), what=what)
        function = what.split(" ", 1)[0].split(":", 1)[0]
        for i, (g, e) in enumerate(zip(parts, expected, strict=True)):
            _compare(g, e, f"{what}: {output_name('mlp', function, i)}", inputs, equal_nan)
    elif isinstance(expected, dict):
        parts = expect_dict(got, list(expected), what=what)
        for key, e in expected.items():
            _compare(parts[key], e, f"{what}[{key!r}]", inputs, equal_nan)
    elif isinstance(expected, np.ndarray):
        arr = expect_array(got, expected.shape, what=what, finite=not equal_nan)
        assert_close(arr, expected, what=what, inputs=inputs, equal_nan=equal_nan)
    else:
        assert_close(expect_float(got, what=what, finite=not equal_nan), float(expected),
                     what=what, inputs=inputs, equal_nan=equal_nan)


def _differential(task: str, function: str, make, name: str, kwargs_of=lambda ex: {}):
    @CHECKS.check(task=task, function=function, name=name)
    @for_all(st.tuples(shapes, seeds, st.sampled_from([1.0, 5.0, 50.0])), max_examples=30,
             calls=lambda ex: [(function, tuple(make(np.random.default_rng(ex[1]), *ex[0], ex[2])),
                                kwargs_of(ex))])
    def check(student, ex) -> None:
        (n, d), seed, scale = ex
        args = make(np.random.default_rng(seed), n, d, scale)
        kwargs = kwargs_of(ex)
        expected = getattr(ref(student), function)(*args, **kwargs)
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
for _act, _kw in (("leaky_relu", {"alpha": 0.2}), ("softplus", {"beta": 2.5})):
    _differential(
        "4.2",
        f"{_act}_forward",
        lambda r, n, d, s: (_normal(r, n, d, s),),
        f"{_act}_forward({_kw}) against the reference",
        kwargs_of=lambda ex, kw=_kw: kw,
    )
    _differential(
        "4.2",
        f"{_act}_backward",
        lambda r, n, d, s: (_normal(r, n, d, 1), _normal(r, n, d, s)),
        f"{_act}_backward({_kw}) against the reference",
        kwargs_of=lambda ex, kw=_kw: kw,
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
    layer_order = sorted(expected, key=lambda k: (int(k[1:]) if k[1:].isdigit() else 0, k))
    for key in layer_order:  # W1, b1, W2, b2, ...
        want, got = expected[key], grads.get(key)
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
    raw = visible.integration_call(student, "mlp_forward", (params, X, activation), params, X,
                                   activation=activation)
    try:
        _compare(raw, ref(student).mlp_forward(params, X, activation), "mlp_forward", inputs)
    except CheckFailure as failure:
        carry_forward_forward(student, raw, params, X, activation, failure=failure)
    raw = visible.integration_call(student, "mlp_loss_and_grads",
                                   (params, X, labels, activation), params, X, labels,
                                   activation=activation)
    if isinstance(raw, list) and len(raw) == 2 and isinstance(raw[1], dict):
        expected = ref(student).mlp_loss_and_grads(params, X, labels, activation)[1]
        record_gradient_errors(student, inputs, raw[1], expected)
    try:
        _network_against_reference(student, raw, params, X, labels, activation, inputs)
    except CheckFailure as failure:
        carry_forward_network(student, raw, params, X, labels, activation, failure=failure)


def _network_against_reference(student, raw, params, X, labels, activation, inputs) -> None:
    expected_loss, expected_grads = ref(student).mlp_loss_and_grads(params, X, labels, activation)
    got = expect_sequence(raw, 2, what="mlp_loss_and_grads")
    _compare(got[0], expected_loss, "mlp_loss_and_grads: loss", inputs)
    grads = expect_dict(got[1], list(params), what="mlp_loss_and_grads: grads")
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
        p_ref, v_ref = ref(student).sgd_momentum_step(p_ref, grads, v_ref, lr, mu)
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
    settings = {k: v for k, v in DIGITS_SETTINGS.items() if k != "epochs"} | {"activation": "relu"}
    raw = None
    try:
        raw = student.call("train_mlp", X_train, y_train, [64, 128, 10], **DIGITS_SETTINGS)
        _digits_outcome(student, raw, X_test, y_test)
    except StudentFault as fault:
        if fault.fatal:
            raise
        carry_forward_training(student, fault, X_train, y_train, [64, 128, 10], settings,
                               failure=CheckFailure(fault.message))
    except CheckFailure as failure:
        carry_forward_training(student, raw, X_train, y_train, [64, 128, 10], settings,
                               failure=failure)


def _digits_outcome(student, raw, X_test, y_test) -> None:
    result = expect_dict(raw, ["params", "losses"], what="train_mlp")
    params = expect_dict(result["params"], ["W1", "b1", "W2", "b2"], what="train_mlp: params")
    for key, shape in (("W1", (64, 128)), ("b1", (128,)), ("W2", (128, 10)), ("b2", (10,))):
        expect_array(params[key], shape, what=f"train_mlp: params[{key!r}]")
    accuracy = float(np.mean(own_forward(params, X_test).argmax(axis=1) == y_test))
    curve = _loss_curve(result["losses"])
    if curve:
        student.record("training_curve", {
            "title": "train_mlp on the digits: mean training loss per epoch",
            "curves": {"yours": curve,
                       "reference": _reference_digits_curve(student.reference_solution)},
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
def _reference_digits_curve(reference) -> list[float]:
    """The reference's loss curve with the same data and settings (trusted side, once per
    reference folder)."""
    from autograder.data import load_digits

    X_train, y_train = load_digits("train")
    result = reference.load("mlp").train_mlp(X_train, y_train, [64, 128, 10], **DIGITS_SETTINGS)
    return [float(v) for v in result["losses"]]


# ---------------------------------------------------------------- error carried forward

REPLAY_EPOCHS = 2
"""Epochs of the replay that judges a training run whose outcome failed with wrong building
blocks: two show the velocity carried across epochs and a new permutation per epoch."""
BLOCK_PROBE = ([3, 4, 3], 5, 11, "tanh")
"""The small network (sizes, N, seed, activation) on which the student's building blocks are
compared with the reference before a failed training outcome is blamed on them."""


class CannotCompose(Exception):
    """The student's own blocks cannot be composed (one raised or returned a non-array).

    ``function`` and ``raised`` name the block and the exception it raised, if it raised."""

    def __init__(self, message: str, function: str = "", raised: str = ""):
        super().__init__(message)
        self.function, self.raised = function, raised


def documented_raises(student, function: str) -> set[str]:
    """The exceptions the reference's docstring of ``function`` lists under ``Raises:``."""
    doc = inspect.getdoc(getattr(ref(student), function, None)) or ""
    if "Raises:" not in doc:
        return set()
    return set(re.findall(r"^\s{0,8}([A-Z]\w*(?:Error|Exception))\b",
                          doc.split("Raises:", 1)[1], re.MULTILINE))


def _block(student, function: str, *args, **kwargs):
    """Call one of the student's building blocks; a non-array part means no composition."""
    try:
        value = student.call(function, *args, **kwargs)
    except StudentFault as fault:
        if fault.fatal:
            raise
        raise CannotCompose(f"your {fault.message.splitlines()[0]}", function,
                            fault.type_name) from None
    bad = _not_numeric(value)
    if bad:
        raise CannotCompose(f"your {function} returned a {bad}")
    return value


def _not_numeric(value, depth: int = 0) -> str:
    """'' when value is arrays and numbers (in lists, tuples, dicts), else the odd type."""
    if isinstance(value, np.ndarray) or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    ):
        return ""
    if depth < 2 and isinstance(value, (list, tuple)):
        return next((b for b in (_not_numeric(v, depth + 1) for v in value) if b), "")
    if depth < 2 and isinstance(value, dict):
        return next((b for b in (_not_numeric(v, depth + 1) for v in value.values()) if b), "")
    return type(value).__name__


def _parts(value, n: int, function: str) -> list:
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise CannotCompose(f"your {function} did not return {n} values")
    return list(value)


def _act_names(activation: str) -> tuple[str, str]:
    return f"{activation}_forward", f"{activation}_backward"


def compose_forward(student, params, X, activation):
    """The network's forward from the student's own linear_forward and activation."""
    forward, _ = _act_names(activation)
    n_layers = len(params) // 2
    inputs, pre = [X], []
    for i in range(1, n_layers):
        z = _block(student, "linear_forward", inputs[-1], params[f"W{i}"], params[f"b{i}"])
        pre.append(z)
        inputs.append(_block(student, forward, z))
    logits = _block(
        student, "linear_forward", inputs[-1], params[f"W{n_layers}"], params[f"b{n_layers}"]
    )
    return logits, inputs, pre


def compose_network(student, params, X, labels, activation):
    """Loss and grads from the student's own blocks, chained here (backprop, lecture 002)."""
    _, backward = _act_names(activation)
    logits, inputs, pre = compose_forward(student, params, X, activation)
    loss, dout = _parts(_block(student, "softmax_cross_entropy", logits, labels), 2,
                        "softmax_cross_entropy")
    grads = {}
    n_layers = len(params) // 2
    for i in range(n_layers, 0, -1):
        dx, grads[f"W{i}"], grads[f"b{i}"] = _parts(
            _block(student, "linear_backward", dout, inputs[i - 1], params[f"W{i}"],
                   params[f"b{i}"]), 3, "linear_backward")
        if i > 1:
            dout = _block(student, backward, dx, pre[i - 2])
    return loss, grads


def _blocks_used(activation: str, backward: bool) -> str:
    forward, act_backward = _act_names(activation)
    names = ["linear_forward", forward]
    if backward:
        names += ["softmax_cross_entropy", "linear_backward", act_backward]
    return ", ".join(names)


def _with_note(failure: CheckFailure, note: str) -> CheckFailure:
    return CheckFailure(f"{failure}\n  note: {note}")


def _raised_inside(got: StudentFault, why: CannotCompose) -> bool:
    """Whether the student's traceback of ``got`` passes through the block ``why`` names
    (a frame ``in <block>``), other than NotImplementedError: proof that the integration
    function's error is that block's, not its own."""
    frames = re.findall(r'File "[^"]*", line \d+, in (\w+)', got.message)
    return why.raised != "NotImplementedError" and why.function in frames


def _raised_in_own_block(got: StudentFault, compose, failure: CheckFailure) -> None:
    """The integration function raised: carried forward (CarriedForward, saying which block)
    when composing the student's own blocks raises the very same error in one of them, a
    block of another task that pays for it; else the failure. NotImplementedError is no
    such excuse (an unfinished block is no work to carry forward)."""
    try:
        compose()
    except CannotCompose as why:
        error = _error_line(got)
        if why.raised and _raised_inside(got, why) and str(why).endswith(error):
            raise CarriedForward(f"your {why.function} raised {error}: that block's task"
                                 " pays for it; not judged here") from None
    raise failure


def carry_forward_forward(student, got, params, X, activation, *, failure) -> None:
    """Pass when mlp_forward's logits are right given the student's own blocks."""
    used = _blocks_used(activation, backward=False)
    if isinstance(got, StudentFault):
        _raised_in_own_block(got, lambda: compose_forward(student, params, X, activation),
                             failure)
    try:
        logits, _, _ = compose_forward(student, params, X, activation)
        n_classes = params[f"W{len(params) // 2}"].shape[1]
        if not isinstance(logits, np.ndarray) or logits.shape != (len(X), n_classes):
            raise CannotCompose(f"they give no ({len(X)}, {n_classes}) logits")  # no free points
        _compare(got, logits, "mlp_forward", "")
    except CannotCompose as why:
        raise _with_note(failure, f"the grader could not compose your own {used}: {why}") from None
    except CheckFailure:
        raise _with_note(failure, f"it also differs from your own {used} chained by the grader,"
                         " so the mistake is in mlp_forward itself") from None


def carry_forward_network(student, got, params, X, labels, activation, *, failure) -> None:
    """Pass when mlp_loss_and_grads is right given the student's own blocks (their layer,
    activation and loss composed here): a wrong block costs its own task, not 4.4."""
    if isinstance(got, StudentFault):
        _raised_in_own_block(
            got, lambda: compose_network(student, params, X, labels, activation), failure)
    used = _blocks_used(activation, backward=True)
    try:
        loss, grads = compose_network(student, params, X, labels, activation)
        if not isinstance(loss, (int, float)) or not all(
            isinstance(g, np.ndarray) for g in grads.values()
        ):  # no free points: the composition must at least be a loss and arrays
            raise CannotCompose("they give no float loss and array gradients")
        _compare(got, [loss, grads], "mlp_loss_and_grads", "")
    except CannotCompose as why:
        raise _with_note(failure, f"the grader could not compose your own {used}: {why}") from None
    except CheckFailure:
        raise _with_note(failure, f"it also differs from your own {used} chained by the grader,"
                         " so the mistake is in mlp_loss_and_grads itself") from None


EPOCH_ORDERS = {
    "fresh": "each epoch rng.permutation(N)",
    "chained": "each epoch rng.shuffle of the previous epoch's order",
}
"""The readings of the docstring's "each epoch draws a new permutation from ONE
np.random.default_rng(seed)": a permutation of 0..N-1 (rng.permutation(N), rng.shuffle or
rng.permuted of a fresh arange), or the previous order shuffled again. Both are new
permutations from the one generator; the replay accepts either (docs/AUTHORING.md)."""


def replay_training(student, X, labels, sizes, epochs, lr, batch_size, momentum, seed,
                    activation, order_reading: str = "fresh"):
    """train_mlp's documented loop run here over the student's own init_mlp,
    mlp_loss_and_grads and sgd_momentum_step: (per-epoch losses, final params).
    ``order_reading``: how each epoch's order is drawn, a key of EPOCH_ORDERS."""
    params = _block(student, "init_mlp", sizes, seed)
    keys = [f"{kind}{i}" for i in range(1, len(sizes)) for kind in "Wb"]
    if not isinstance(params, dict) or sorted(params) != sorted(keys):
        raise CannotCompose(f"your init_mlp({sizes}, {seed}) did not return the keys {keys}")
    rng = np.random.default_rng(seed)
    velocity = None
    n = X.shape[0]
    losses = []
    order = np.arange(n)
    for _ in range(epochs):
        if order_reading == "chained":
            rng.shuffle(order)
        else:
            order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss, grads = _parts(_block(student, "mlp_loss_and_grads", params, X[idx],
                                        labels[idx], activation=activation), 2,
                                 "mlp_loss_and_grads")
            params, velocity = _parts(_block(student, "sgd_momentum_step", params, grads,
                                             velocity, lr, momentum), 2, "sgd_momentum_step")
            if not isinstance(params, dict) or not isinstance(velocity, dict):
                raise CannotCompose("your sgd_momentum_step did not return two dicts")
            total += float(loss) * len(idx)
        losses.append(total / n)
    return losses, params


def _error_line(fault: StudentFault) -> str:
    """'ValueError: ...' of a student's exception, without the function that raised it."""
    first = fault.message.splitlines()[0]
    return first.split(" raised ", 1)[-1]


def check_replay(student, got, X, labels, sizes, epochs, settings, what: str) -> None:
    """train_mlp's result (or its exception) against the replay of the documented loop, in
    every reading of its words (EPOCH_ORDERS): it passes when one agrees; the failure
    reported is the first reading's."""
    failure = None
    for reading in EPOCH_ORDERS:
        try:
            _check_replay_reading(student, got, X, labels, sizes, epochs, settings, what,
                                  reading)
            return
        except CheckFailure as why:
            failure = failure or why
            if isinstance(got, StudentFault) or "could not replay" in str(why):
                break  # the same in every reading
    raise failure


def _check_replay_reading(student, got, X, labels, sizes, epochs, settings, what: str,
                          reading: str) -> None:
    try:
        losses, params = replay_training(student, X, labels, sizes, epochs, **settings,
                                         order_reading=reading)
    except CannotCompose as why:
        if isinstance(got, StudentFault) and str(why).endswith(_error_line(got)) and \
                why.raised and (why.raised in documented_raises(student, why.function)
                                or _raised_inside(got, why)):
            # The documented loop over your functions raises the same error, one that the
            # block's docstring documents or that train_mlp's own traceback shows raised
            # inside that block: no points for an error of train_mlp's own.
            return
        raise CheckFailure(
            f"{what}: the grader could not replay the documented loop: {why}"
        ) from None
    if isinstance(got, StudentFault):
        raise CheckFailure(got.message)
    result = expect_dict(got, ["params", "losses"], what="train_mlp")
    hint = ("init_mlp(layer_sizes, seed); one np.random.default_rng(seed) made once; each epoch"
            " a new permutation, every batch (the last, smaller one too) one step, the velocity"
            " carried over all steps; each epoch's loss the batch losses weighted by batch size")
    got_losses = expect_sequence(result["losses"], epochs, what="train_mlp: losses")
    # NaN = NaN: the replay of the student's own blocks may reach NaN, and so may theirs.
    assert_close(np.asarray(got_losses, dtype=float), np.asarray(losses), inputs=what,
                 what="train_mlp: losses, against the replay of the documented loop with your"
                 " own init_mlp, mlp_loss_and_grads and sgd_momentum_step", hint=hint,
                 equal_nan=True)
    got_params = expect_dict(result["params"], list(params), what="train_mlp: params")
    for key, value in params.items():
        arr = expect_array(got_params[key], np.shape(value), what=f"train_mlp: params[{key!r}]",
                           finite=False)
        assert_close(arr, value, inputs=what, hint=hint, equal_nan=True,
                     what=f"train_mlp: final params[{key!r}], against the replay")


def _blocks_are_right(student, activation: str) -> bool:
    """The student's mlp_loss_and_grads and sgd_momentum_step agree with the reference on a
    small probe, and init_mlp gives the documented keys and shapes (not all zeros)."""
    sizes, n, seed, _ = BLOCK_PROBE
    _, params, X, labels, _, _ = _net((sizes, n, seed, activation))
    try:
        _network_against_reference(
            student, student.call("mlp_loss_and_grads", params, X, labels, activation=activation),
            params, X, labels, activation, "")
        grads = {k: np.full_like(v, 0.5) for k, v in params.items()}
        _compare(student.call("sgd_momentum_step", params, grads, grads, 0.1, 0.9),
                 list(ref(student).sgd_momentum_step(params, grads, grads, 0.1, 0.9)),
                 "sgd_momentum_step", "")
        init = expect_dict(student.call("init_mlp", [3, 4, 5], 0), ["W1", "b1", "W2", "b2"],
                           what="init_mlp")
        for key, shape in (("W1", (3, 4)), ("b1", (4,)), ("W2", (4, 5)), ("b2", (5,))):
            expect_array(init[key], shape, what=f"init_mlp: {key}")
        return bool(np.any(init["W1"] != 0))
    except (CheckFailure, StudentFault) as error:
        if isinstance(error, StudentFault) and error.fatal:
            raise
        return False


def carry_forward_training(student, got, X, labels, sizes, settings, *, failure) -> None:
    """A failed training outcome keeps its points when the student's own blocks are wrong
    (their tasks pay for it) and train_mlp is the documented loop over them."""
    if _blocks_are_right(student, settings.get("activation", "relu")):
        raise failure
    try:
        short = student.call("train_mlp", X, labels, sizes, REPLAY_EPOCHS, **settings)
    except StudentFault as fault:
        if fault.fatal:
            raise
        short = fault
    try:
        check_replay(student, short, X, labels, sizes, REPLAY_EPOCHS, settings,
                     f"{REPLAY_EPOCHS} epochs of the same run")
    except CheckFailure as why:
        raise _with_note(failure, "your mlp_loss_and_grads, sgd_momentum_step or init_mlp is"
                         " wrong (tasks 4.4, 4.5), and train_mlp is not the documented loop"
                         f" over them either: {str(why).splitlines()[0]}") from None


visible.CARRY_FORWARD.update({
    "mlp_forward": carry_forward_forward,
    "mlp_loss_and_grads": carry_forward_network,
    "train_mlp": carry_forward_training,
})


TRAIN_DEFAULTS = {"momentum": 0.9, "seed": 0, "activation": "relu"}
"""train_mlp's documented keyword defaults: what the replay uses for a keyword left out."""


def _replay_keywords():
    """kwargs for train_mlp: each defaulted keyword left out (the documented default) or
    given (domains.keyword), so a wrong default differs from the replay."""
    return st.fixed_dictionaries({
        "momentum": keyword("train_mlp", "momentum", st.sampled_from([0.0, 0.9])),
        "seed": keyword("train_mlp", "seed", st.integers(0, 50)),
        "activation": keyword("train_mlp", "activation",
                              st.sampled_from(["relu", "tanh", "sigmoid"])),
    }).map(lambda parts: {k: v for part in parts.values() for k, v in part.items()})


def _describe_replay(ex) -> str:
    batch_size, kwargs = ex
    given = ", ".join(f"{k} {kwargs[k]!r}" if k in kwargs else f"{k} left out (default"
                      f" {TRAIN_DEFAULTS[k]!r})" for k in TRAIN_DEFAULTS)
    return f"50 samples, layers [3, 5, 3], 3 epochs, lr 0.3, batch_size {batch_size}, {given}"


@CHECKS.check(
    task="4.6",
    function="train_mlp",
    name="follows the documented loop: losses and params match its replay with your functions",
    timeout=60,
)
@for_all(st.tuples(st.sampled_from([16, 7, 50]), _replay_keywords()), max_examples=8,
         describe=_describe_replay)
def training_replay(student, ex) -> None:
    batch_size, kwargs = ex
    settings = dict(lr=0.3, batch_size=batch_size, **(TRAIN_DEFAULTS | kwargs))
    rng = np.random.default_rng(1000 + settings["seed"])
    X = rng.normal(size=(50, 3))
    labels = rng.integers(0, 3, size=50)
    try:
        got = student.call("train_mlp", X, labels, [3, 5, 3], 3, lr=0.3, batch_size=batch_size,
                           **kwargs)
    except StudentFault as fault:
        if fault.fatal:
            raise
        got = fault
    check_replay(student, got, X, labels, [3, 5, 3], 3, settings, "")
    if not isinstance(got, StudentFault):
        again = student.call("train_mlp", X, labels, [3, 5, 3], 3, lr=0.3,
                             batch_size=batch_size, **kwargs)
        _compare(again, got, "train_mlp called twice with the same seed", "", equal_nan=True)
