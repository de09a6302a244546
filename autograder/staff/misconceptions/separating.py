"""Separating inputs: per function, a few fixed inputs on which the reference and every
catalogued variant of that function give pairwise different results (staff only).

A diagnosis is evidence only when the student's function agrees with one variant on inputs
where that variant differs from the reference AND from every other variant: one input is
not enough, since several different bugs agree with a variant on most single inputs. Each
pool below is a short list of candidate calls (the form a check records: function, args,
kwargs; for A3 a graph spec and its mode), all of them asked of the student, which
together tell every pair apart. tests/test_diagnosis_evidence.py fails when a pair is left
inseparable (a new variant needs a new candidate here) or the reference refuses a candidate.
"""

from __future__ import annotations

import functools

import numpy as np

from autograder.feedback.log import CallRecord
from autograder.sandboxed.protocol import FnRef


def _call(function: str, *args, **kwargs) -> CallRecord:
    return CallRecord(function, args, kwargs)


def _graph(spec: dict, mode: str) -> CallRecord:
    return CallRecord("Value", (spec, mode), kind="graph")


def _fn(name: str, **params) -> tuple[FnRef, FnRef]:
    return FnRef(name, "f", params), FnRef(name, "grad", params)


_RNG = np.random.default_rng(15)
_X, _W, _B, _D = (_RNG.normal(size=(3, 2)), _RNG.normal(size=(2, 4)), _RNG.normal(size=4),
                  _RNG.normal(size=(3, 4)))
_ACT_X = np.array([[-1.5, -0.4, 0.0], [0.3, 0.9, 2.2]])
_ACT_D = np.array([[1.0, -2.0, 0.5], [1.5, -0.7, 3.0]])
_XB = np.array([[1.0, 1.0], [-1.0, 1.0], [2.0, 1.0], [-2.0, 1.0]])
_XB2 = np.array([[0.5, 2.0, 1.0], [-1.0, 0.3, 1.0], [2.0, -1.0, 1.0], [-0.5, -1.5, 1.0]])
_Y = np.array([1.0, -1.0, 1.0, -1.0])
_Y2 = np.array([1.0, -1.0, 1.0, -1.0])
_QUAD = _fn("quadratic", A=[[2.0, 0.0], [0.0, 1.0]])
_ONE_D = _fn("quadratic", A=[[1.0]])
_SIN = _fn("sum_sin", a=[1.3, 0.7])
_NET = {"W1": _RNG.normal(size=(2, 4)), "b1": _RNG.normal(size=4),
        "W2": _RNG.normal(size=(4, 3)), "b2": _RNG.normal(size=3)}
_TARGET = _RNG.normal(size=(3, 4))
_STEP = ({"W": _RNG.normal(size=(2, 2))}, {"W": _RNG.normal(size=(2, 2))},
         {"W": _RNG.normal(size=(2, 2))})


def _one(op: str, x: float, seed: float = 2.0, preset: float = 0.5, **extra) -> CallRecord:
    spec = {"inputs": {"a": x}, "nodes": [{"id": "out", "op": op, "args": ["a"], **extra}],
            "output": "out", "seed": seed, "preset": preset}
    return _graph(spec, "local")


def _two(op: str, left, right, a: float = 0.7, b: float = -1.3) -> CallRecord:
    spec = {"inputs": {"a": a, "b": b},
            "nodes": [{"id": "out", "op": op, "args": [left, right]}],
            "output": "out", "seed": 2.0, "preset": 0.5}
    return _graph(spec, "local")


_SHARED = {"inputs": {"x": 0.8, "y": -0.6}, "nodes": [
    {"id": "s", "op": "mul", "args": ["x", "y"]},
    {"id": "p", "op": "add", "args": ["s", "x"]},
    {"id": "q", "op": "mul", "args": ["p", "s"]},
    {"id": "out", "op": "add", "args": ["q", "p"]}], "output": "out"}

POOLS: dict[tuple[str, str], list[CallRecord]] = {
    ("perceptron", "add_bias"): [_call("add_bias", np.array([[1.0, 2.0], [3.0, 4.0]]))],
    ("perceptron", "predict"): [
        _call("predict", np.array([1.0, -1.0, 0.0]),
              np.array([[1.0, 1.0, 1.0], [2.0, 1.0, 1.0], [0.0, 1.0, 1.0]]))],
    ("perceptron", "perceptron_update"): [
        _call("perceptron_update", np.zeros(3), np.array([1.0, 2.0, 1.0]), 1.0),
        _call("perceptron_update", np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 1.0]), 1.0),
        _call("perceptron_update", np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 1.0]), -1.0),
        _call("perceptron_update", np.array([-1.0, 0.0, 0.0]), np.array([1.0, 2.0, 1.0]), 1.0),
    ],
    ("perceptron", "train_perceptron"): [
        _call("train_perceptron", _XB, _Y), _call("train_perceptron", _XB2, _Y2),
        _call("train_perceptron", _XB2, _Y2, max_epochs=2)],
    ("perceptron", "mistake_bound"): [
        _call("mistake_bound", np.array([[3.0, 4.0], [0.0, -1.0]]), np.array([1.0, -1.0]),
              np.array([0.0, 2.0])),
        _call("mistake_bound", _XB2, _Y2, np.array([1.0, 0.2, 0.1]))],
    ("gradient_descent", "numerical_gradient"): [
        _call("numerical_gradient", _SIN[0], np.array([0.3, 1.2]), 0.1)],
    ("gradient_descent", "relative_error"): [
        _call("relative_error", np.array([1e-12, 1.0, 2.0]), np.array([0.0, 1.5, 2.0]))],
    ("gradient_descent", "gradient_check"): [
        _call("gradient_check", _SIN[0], _SIN[1], np.array([0.3, 1.2]), 0.5)],
    ("gradient_descent", "numerical_hessian"): [
        _call("numerical_hessian", _SIN[0], np.array([0.3, 1.2]), 0.1)],
    ("gradient_descent", "classify_critical_point"): [
        _call("classify_critical_point", np.array([[1.0, 0.0], [0.0, 2.0]])),
        _call("classify_critical_point", np.array([[1.0, 4.0], [0.0, 1.0]])),
        _call("classify_critical_point", np.array([[1.0, 3.0], [3.0, 1.0]])),
        _call("classify_critical_point", np.array([[-1.0, 0.0], [0.0, -3.0]]))],
    ("gradient_descent", "gradient_descent"): [
        _call("gradient_descent", *_QUAD, np.array([1.0, -2.0]), 0.1, max_iters=5),
        _call("gradient_descent", *_QUAD, np.array([1.0, -2.0]), 1.6, max_iters=80),
        _call("gradient_descent", *_QUAD, np.array([1.0, -2.0]), 0.3, eps=1e-3,
              criterion="value"),
        _call("gradient_descent", *_ONE_D, np.array([0.5]), 0.5, eps=0.5, max_iters=3),
        _call("gradient_descent", *_ONE_D, np.array([2.0]), 0.5, eps=0.375, max_iters=4,
              criterion="value")],
    ("mlp", "linear_backward"): [_call("linear_backward", _D, _X, _W, _B)],
    ("mlp", "sigmoid_backward"): [_call("sigmoid_backward", _ACT_D, _ACT_X)],
    ("mlp", "tanh_backward"): [_call("tanh_backward", _ACT_D, _ACT_X)],
    ("mlp", "relu_backward"): [_call("relu_backward", _ACT_D, _ACT_X)],
    ("mlp", "leaky_relu_backward"): [_call("leaky_relu_backward", _ACT_D, _ACT_X)],
    ("mlp", "gelu_forward"): [_call("gelu_forward", _ACT_X)],
    ("mlp", "softmax"): [_call("softmax", np.array([[1000.0, 0.0, -3.0], [0.5, 1.0, 2.0]]))],
    ("mlp", "softmax_cross_entropy"): [
        _call("softmax_cross_entropy", _D[:, :3], np.array([0, 2, 1]))],
    ("mlp", "mse_loss"): [_call("mse_loss", _D, _TARGET)],
    ("mlp", "binary_cross_entropy"): [
        _call("binary_cross_entropy", np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.0, 1.0]))],
    ("mlp", "mlp_loss_and_grads"): [
        _call("mlp_loss_and_grads", _NET, _X, np.array([0, 2, 1])),
        _call("mlp_loss_and_grads", _NET, _X, np.array([0, 2, 1]), activation="tanh")],
    ("mlp", "sgd_momentum_step"): [_call("sgd_momentum_step", *_STEP, 0.1, 0.9)],
    ("engine", "Value"): [
        _two("add", "a", "b"), _two("mul", "a", "b"), _two("sub", {"const": 1.5}, "a"),
        _two("div", {"const": 2.0}, "b"), _one("pow", 1.3, exponent=3),
        _one("exp", 0.4), _one("log", 1.7), _one("sin", 0.6), _one("cos", 0.6),
        _one("tanh", 0.5), _one("sigmoid", 0.7), _one("relu", 0.0),
        _graph({"inputs": {"a": -1000.0}, "nodes": [{"id": "out", "op": "sigmoid",
                                                     "args": ["a"]}], "output": "out"},
               "forward"),
        _graph(_SHARED, "backward"), _graph(_SHARED, "backward_twice")],
}
"""Candidate inputs per (module, function); A3's whole Value family is one entry."""


def family(record: CallRecord, module: str) -> tuple[str, str]:
    """The pool key of a recorded call: (module, function), or ("engine", "Value")."""
    return ("engine", "Value") if record.kind == "graph" else (module, record.function)


@functools.cache
def separating(module: str, function: str) -> tuple[CallRecord, ...]:
    """The separating inputs of a function: its whole pool (every candidate adds evidence;
    ``unseparated`` says whether together they tell every pair apart)."""
    return tuple(POOLS.get((module, function), ()))
