"""Every catalogued misconception is diagnosed on a submission that makes it, and never on
a correct one.

Each case below is a buggy implementation written here, independently of the catalogue's
variant (a different way to make the same mistake, as a student would), run in-process on
the case's input; ``diagnose`` must name the misconception from its result and its answers
on the separating inputs (``ask``, here in-process; grading asks the worker), and never
without those answers (issue 15: one input is not evidence). The
whole pipeline (worker, checks, message) is exercised by tests/test_feedback_corpus.py on
the buggy corpus.
"""

from __future__ import annotations

import importlib.util
import math
import re

import numpy as np
import pytest

from autograder.feedback.log import CallRecord
from autograder.sandboxed import fixtures
from autograder.sandboxed.fixtures import make_function
from autograder.sandboxed.protocol import FnRef
from autograder.staff import reference
from autograder.staff.misconceptions import DIAGNOSIS, a1, a2, a3, a4, diagnose, explain

# ---------------------------------------------------------------- A1


def _train(Xb, y, max_epochs=100, *, strict=False, always=False, step=1.0, clean=True,
           ones=False):
    w = np.ones(Xb.shape[1]) if ones else np.zeros(Xb.shape[1])
    history = []
    for _epoch in range(max_epochs):
        errors = 0
        for i in range(len(y)):
            margin = y[i] * np.dot(w, Xb[i])
            wrong = margin < 0 if strict else margin <= 0
            if wrong:
                errors += 1
            if wrong or always:
                w = w + step * y[i] * Xb[i]
        if errors == 0:
            if clean:
                history.append(0)
            return {"weights": w, "updates": sum(history), "mistakes_per_epoch": history,
                    "converged": True}
        history.append(errors)
    return {"weights": w, "updates": sum(history), "mistakes_per_epoch": history,
            "converged": False}


XB = np.array([[1.0, 1.0], [-1.0, 1.0], [2.0, 1.0], [-2.0, 1.0]])
Y = np.array([1.0, -1.0, 1.0, -1.0])
W0, X1 = np.zeros(3), np.array([1.0, 2.0, 1.0])
BOUND_XB, BOUND_Y, W_STAR = np.array([[3.0, 4.0], [0.0, -1.0]]), np.array([1.0, -1.0]), \
    np.array([0.0, 2.0])


def _radius_margin(Xb, y, w):
    return math.sqrt(max(float(row @ row) for row in Xb)), min(y * (Xb @ w))


A1_CASES = {
    "add_bias_first": ("add_bias", (np.array([[1.0, 2.0], [3.0, 4.0]]),),
                       lambda X: np.concatenate([np.ones((len(X), 1)), X], axis=1)),
    "predict_boundary_positive": ("predict", (np.array([1.0, -1.0, 0.0]),
                                              np.array([[1.0, 1.0, 1.0], [2.0, 1.0, 1.0]])),
                                  lambda w, Xb: np.where(Xb @ w < 0, -1.0, 1.0)),
    "predict_sign_zero": ("predict", (np.array([1.0, -1.0, 0.0]),
                                      np.array([[1.0, 1.0, 1.0], [2.0, 1.0, 1.0]])),
                          lambda w, Xb: np.array([1.0 if v > 0 else -1.0 if v < 0 else 0.0
                                                  for v in Xb @ w])),
    "update_strict": ("perceptron_update", (W0, X1, 1.0),
                      lambda w, x, y: w + y * x if y * (w @ x) < 0 else w.copy()),
    "update_always": ("perceptron_update", (np.array([1.0, 0.0, 0.0]), X1, 1.0),
                      lambda w, x, y: w + y * x),
    "update_half_step": ("perceptron_update", (W0, X1, -1.0),
                         lambda w, x, y: w + y * x / 2 if y * (w @ x) <= 0 else w.copy()),
    "update_sign_flipped": ("perceptron_update", (np.array([1.0, 0.0, 0.0]), X1, -1.0),
                            lambda w, x, y: w - y * x if y * (w @ x) <= 0 else w.copy()),
    "train_starts_at_ones": ("train_perceptron", (XB, Y),
        lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, ones=True)),
    "train_strict": ("train_perceptron", (XB, Y),
        lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, strict=True)),
    "train_always": ("train_perceptron", (XB, Y, 5),
                     lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, always=True)),
    "train_half_step": ("train_perceptron", (XB, Y),
        lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, step=0.5)),
    "train_no_clean_epoch": ("train_perceptron", (XB, Y),
                             lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, clean=False)),
    "bound_gamma_not_normalised": (
        "mistake_bound", (BOUND_XB, BOUND_Y, W_STAR),
        lambda Xb, y, w: (_radius_margin(Xb, y, w)[0] / _radius_margin(Xb, y, w)[1]) ** 2),
    "bound_not_squared": (
        "mistake_bound", (BOUND_XB, BOUND_Y, W_STAR),
        lambda Xb, y, w: _radius_margin(Xb, y, w)[0] * np.linalg.norm(w)
        / _radius_margin(Xb, y, w)[1]),
}

# ---------------------------------------------------------------- A2

SUM_SIN = FnRef("sum_sin", "f", {"a": [1.0, 2.0]})
LECTURE_F, LECTURE_GRAD = FnRef("lecture_2var", "f", {}), FnRef("lecture_2var", "grad", {})
LECTURE_3 = FnRef("lecture_3var", "f", {})


def _callable(ref: FnRef):
    f, grad = make_function(ref.name, ref.params)
    return f if ref.part == "f" else grad


def _difference(kind):
    def numerical_gradient(f, x, h=1e-5):
        f = _callable(f)
        out = []
        for i in range(len(x)):
            step = np.eye(len(x))[i] * h
            if kind == "central":
                out.append((f(x + step) - f(x - step)) / (2 * h))
            elif kind == "forward":
                out.append((f(x + step) - f(x)) / h)
            elif kind == "backward":
                out.append((f(x) - f(x - step)) / h)
            else:
                out.append((f(x + step) - f(x - step)) / h)
        return np.array(out)

    return numerical_gradient


def _descent(*, ascent=False, no_x0=False, alias=False, no_divergence=False, gradient_only=False,
             inclusive=False):
    def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000,
                         criterion="gradient"):
        f, grad_f = _callable(f), _callable(grad_f)
        x = np.array(x0, dtype=float)
        points, values, reason = [x], [f(x)], "max_iters"
        rule = "gradient" if gradient_only else criterion
        with np.errstate(all="ignore"):
            for _ in range(max_iters):
                g = grad_f(x)
                if rule == "gradient" and (np.linalg.norm(g) <= eps if inclusive
                                           else np.linalg.norm(g) < eps):
                    reason = "gradient"
                    break
                if alias:
                    x -= step_size * g  # the same array every time
                else:
                    x = x + step_size * g if ascent else x - step_size * g
                points.append(x)
                values.append(f(x))
                if not no_divergence and (not np.isfinite(values[-1]) or abs(values[-1]) > 1e12):
                    reason = "diverged"
                    break
                change = abs(values[-1] - values[-2])
                if rule == "value" and (change <= eps if inclusive else change < eps):
                    reason = "value"
                    break
        k = len(points) - 1
        if no_x0:
            points, values = points[1:], values[1:]
        return {"trajectory": np.array(points).reshape(-1, len(x0)), "values": np.array(values),
                "iterations": k, "converged": reason in ("gradient", "value"), "reason": reason}

    return gradient_descent


def _hessian_over_h2(f, x, h=1e-4):
    f = _callable(f)
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / h**2
    return H


def _classify(values):
    if all(v > 1e-8 for v in values):
        return "minimum"
    if all(v < -1e-8 for v in values):
        return "maximum"
    return "saddle" if min(values) < -1e-8 < 1e-8 < max(values) else "degenerate"


GD = (LECTURE_F, LECTURE_GRAD, np.array([3.0, 3.0]))
IDENTITY = {"A": [[1.0, 0.0], [0.0, 1.0]], "b": [0.0, 0.0]}
A2_CASES = {
    "forward_difference": ("numerical_gradient", (SUM_SIN, np.array([0.3, -0.2])),
                           _difference("forward")),
    "backward_difference": ("numerical_gradient", (SUM_SIN, np.array([0.3, -0.2])),
                            _difference("backward")),
    "central_without_two": ("numerical_gradient", (SUM_SIN, np.array([0.3, -0.2])),
                            _difference("no2")),
    "relative_error_no_floor": (
        "relative_error", (np.zeros(2), np.zeros(2)),
        lambda a, b: float(max(abs(p - q) / (abs(p) + abs(q)) if p or q else math.nan
                               for p, q in zip(a, b, strict=True)))),
    "relative_error_mean": (
        "relative_error", (np.array([1.0, 2.0]), np.array([1.0, 3.0])),
        lambda a, b: float(np.mean([abs(p - q) / max(1e-8, abs(p) + abs(q))
                                    for p, q in zip(a, b, strict=True)]))),
    "gradient_ascent": ("gradient_descent", (*GD, 0.1), _descent(ascent=True)),
    "trajectory_without_x0": ("gradient_descent", (*GD, 0.1), _descent(no_x0=True)),
    "trajectory_aliased": ("gradient_descent", (*GD, 0.1), _descent(alias=True)),
    "divergence_not_detected": ("gradient_descent", (*GD, 0.25),
                                _descent(no_divergence=True)),
    "value_criterion_ignored": ("gradient_descent", (*GD, 0.1, 1e-8, 1000, "value"),
                                _descent(gradient_only=True)),
    "hessian_denominator": ("numerical_hessian", (LECTURE_3, -np.ones(3)), _hessian_over_h2),
    "stops_at_eps_inclusive": (  # f = |x|^2 / 2: ||grad f(x0)|| = ||x0|| = eps exactly
        "gradient_descent", (FnRef("quadratic", "f", IDENTITY),
                             FnRef("quadratic", "grad", IDENTITY), np.array([0.5, 0.0]), 0.1,
                             0.5), _descent(inclusive=True)),
    "gradient_check_ignores_h": (
        "gradient_check", (FnRef("rosenbrock"), FnRef("rosenbrock", "grad"), np.array([0.5, 1.2]),
                           0.1),
        lambda f, g, x, h: float(np.max(np.abs(_callable(g)(x) - _difference("central")(f, x))
                                        / np.maximum(1e-8, np.abs(_callable(g)(x))
                                                     + np.abs(_difference("central")(f, x)))))),
    "hessian_ignores_h": ("numerical_hessian", (FnRef("rosenbrock"), np.array([0.5, 1.2]), 0.1),
                          lambda f, x, h: 0.25 * _hessian_over_h2(f, x, 1e-4)),
    "classify_not_symmetrised": ("classify_critical_point", (np.array([[2.0, 0.0], [3.0, 2.0]]),),
                                 lambda H: _classify(np.linalg.eigvalsh(H))),
    "classify_signs_swapped": (
        "classify_critical_point", (np.diag([1.0, 2.0]),),
        lambda H: {"minimum": "maximum", "maximum": "minimum"}.get(
            _classify(np.linalg.eigvalsh((H + H.T) / 2)),
            _classify(np.linalg.eigvalsh((H + H.T) / 2)))),
    "classify_by_diagonal": ("classify_critical_point", (np.array([[0.0, 1.0], [1.0, 0.0]]),),
                             lambda H: _classify(np.diag(H))),
}

# ---------------------------------------------------------------- A3


def _engine_copy(tag: str):
    path = reference.reference_root() / "a3_backprop" / "engine.py"
    spec = importlib.util.spec_from_file_location(f"_test_misconception_{tag}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Value


def _patched(tag: str, **methods):
    Value = _engine_copy(tag)
    for name, method in methods.items():
        setattr(Value, name, method)
    return Value


def _op(fn, dfn, name):
    """A student's unary method: forward fn(x), local derivative dfn(x)."""
    def method(self):
        out = type(self)(fn(self.data), (self,), name)

        def _backward():
            self.grad = self.grad + dfn(self.data) * out.grad

        out._backward = _backward
        return out

    return method


def _add_eq(self, other):
    other = other if isinstance(other, type(self)) else type(self)(other)
    out = type(self)(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad = out.grad
        other.grad = out.grad

    out._backward = _backward
    return out


def _mul_eq(self, other):
    other = other if isinstance(other, type(self)) else type(self)(other)
    out = type(self)(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad = other.data * out.grad
        other.grad = self.data * out.grad

    out._backward = _backward
    return out


def _pow(local):
    def method(self, k):
        out = type(self)(self.data**k, (self,), "**")

        def _backward():
            self.grad = self.grad + local(self.data, k) * out.grad

        out._backward = _backward
        return out

    return method


def _backward(reset=True, reverse=True, seed=1.0):
    def backward(self):
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative post-order, unlike the catalogue's recursion
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack += [(child, False) for child in node._prev]
        if reset:
            for node in order:
                node.grad = 0.0
        self.grad = seed
        for node in (reversed(order) if reverse else order):
            node._backward()

    return backward


def _sig(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _one(op, x=0.7, **extra):
    return {"inputs": {"a": x}, "nodes": [{"id": "out", "op": op, "args": ["a"], **extra}],
            "output": "out"}


TWICE = {"inputs": {"a": 0.3}, "nodes": [{"id": "out", "op": "add", "args": ["a", "a"]}],
         "output": "out"}
SQUARE = {"inputs": {"a": 0.3}, "nodes": [{"id": "out", "op": "mul", "args": ["a", "a"]}],
          "output": "out"}
CHAIN = {"inputs": {"x": 0.4, "y": -1.1},
         "nodes": [{"id": "s", "op": "add", "args": ["x", "y"]},
                   {"id": "p", "op": "mul", "args": ["s", "x"]},
                   {"id": "out", "op": "tanh", "args": ["p"]}], "output": "out"}
RSUB = {"inputs": {"a": 0.4}, "nodes": [{"id": "out", "op": "sub", "args": [{"const": 1.5}, "a"]}],
        "output": "out"}
RDIV = {"inputs": {"a": 0.4}, "nodes": [{"id": "out", "op": "div", "args": [{"const": 2.0}, "a"]}],
        "output": "out"}
MIXED = {"inputs": {"a": 0.4, "b": 0.9},
         "nodes": [{"id": "s", "op": "add", "args": ["a", "b"]},
                   {"id": "p", "op": "mul", "args": ["a", "b"]}], "output": "p"}

def _op_eq(fn, dfn, name):
    """A student's unary method whose _backward assigns (=) the operand's grad."""
    def method(self):
        out = type(self)(fn(self.data), (self,), name)

        def _backward():
            self.grad = dfn(self.data) * out.grad

        out._backward = _backward
        return out

    return method


def _pow_eq(self, k):
    out = type(self)(self.data**k, (self,), "**")

    def _backward():
        self.grad = k * self.data ** (k - 1) * out.grad  # = where += is needed

    out._backward = _backward
    return out


def _sin_no_upstream(self):
    out = type(self)(math.sin(self.data), (self,), "sin")

    def _backward():
        self.grad += math.cos(self.data)  # out.grad forgotten

    out._backward = _backward
    return out


def _backward_every_path(self):
    listed = []

    def walk(node):
        for child in node._prev:
            walk(child)
        listed.append(node)

    walk(self)
    for node in listed:
        node.grad = 0.0
    self.grad = 1.0
    for node in listed[::-1]:
        node._backward()


def _twice(op, **extra):
    """a used by two `op` nodes, summed: a node the op's _backward must add to."""
    return {"inputs": {"a": 0.6}, "nodes": [
        {"id": "p", "op": op, "args": ["a"], **extra},
        {"id": "q", "op": op, "args": ["a"], **({"exponent": 3} if extra else {})},
        {"id": "out", "op": "add", "args": ["p", "q"]}], "output": "out"}


DIAMOND = {"inputs": {"x": 0.8}, "nodes": [
    {"id": "s", "op": "sin", "args": ["x"]}, {"id": "c", "op": "cos", "args": ["x"]},
    {"id": "p", "op": "mul", "args": ["s", "c"]}, {"id": "out", "op": "add", "args": ["p", "s"]}],
    "output": "out"}
SCALED_SIN = {"inputs": {"a": 0.8}, "nodes": [
    {"id": "s", "op": "sin", "args": ["a"]},
    {"id": "out", "op": "mul", "args": ["s", {"const": 3.0}]}], "output": "out"}

A3_CASES = {
    "pow_overwrites_grad": (_twice("pow", exponent=2), "backward", {"__pow__": _pow_eq}),
    "exp_overwrites_grad": (_twice("exp"), "backward", {"exp": _op_eq(math.exp, math.exp, "e")}),
    "tanh_overwrites_grad": (_twice("tanh"), "backward",
                             {"tanh": _op_eq(math.tanh, lambda x: 1 - math.tanh(x) ** 2, "t")}),
    "sin_ignores_upstream": (SCALED_SIN, "backward", {"sin": _sin_no_upstream}),
    "backward_no_visited_set": (DIAMOND, "backward", {"backward": _backward_every_path}),
    "add_mul_overwrite_grad": (MIXED | {"nodes": MIXED["nodes"] + [
        {"id": "q", "op": "mul", "args": ["s", "s"]},
        {"id": "out", "op": "add", "args": ["q", "p"]}],
        "output": "out"}, "backward", {"__add__": _add_eq, "__mul__": _mul_eq}),
    "add_overwrites_grad": (TWICE, "backward", {"__add__": _add_eq}),
    "mul_overwrites_grad": (SQUARE, "backward", {"__mul__": _mul_eq}),
    "rsub_reversed": (RSUB, "backward", {"__rsub__": lambda self, other: self + (-other)}),
    "rtruediv_reversed": (RDIV, "backward",
                          {"__rtruediv__": lambda self, other: self * (1 / other)}),
    "pow_exponent_not_lowered": (_one("pow", exponent=3), "local",
                                 {"__pow__": _pow(lambda a, k: k * a**k)}),
    "pow_factor_missing": (_one("pow", exponent=3), "local",
                           {"__pow__": _pow(lambda a, k: a ** (k - 1))}),
    "cos_derivative_sign": (_one("cos"), "local", {"cos": _op(math.cos, math.sin, "cos")}),
    "sin_derivative_sign": (_one("sin"), "local",
                            {"sin": _op(math.sin, lambda x: -math.cos(x), "sin")}),
    "log_derivative": (_one("log", x=2.5), "local", {"log": _op(math.log, math.log, "log")}),
    "tanh_square_missing": (_one("tanh"), "local",
                            {"tanh": _op(math.tanh, lambda x: 1 - math.tanh(x), "tanh")}),
    "tanh_of_input": (_one("tanh"), "local", {"tanh": _op(math.tanh, lambda x: 1 - x**2, "t")}),
    "sigmoid_derivative_s": (_one("sigmoid"), "local", {"sigmoid": _op(_sig, _sig, "s")}),
    "sigmoid_of_input": (_one("sigmoid"), "local",
                         {"sigmoid": _op(_sig, lambda x: x - x * x, "s")}),
    "sigmoid_overflow": (_one("sigmoid", x=-1000.0), "local",
                         {"sigmoid": _op(lambda x: 1 / (1 + math.exp(-x)),
                                         lambda x: _sig(x) * (1 - _sig(x)), "s")}),
    "relu_derivative_at_zero": (_one("relu", x=0.0), "local",
                                {"relu": _op(lambda x: max(x, 0.0),
                                             lambda x: float(x >= 0), "relu")}),
    "backward_no_reset": (CHAIN, "backward_twice", {"backward": _backward(reset=False)}),
    "backward_not_reversed": (CHAIN, "backward", {"backward": _backward(reverse=False)}),
    "backward_no_seed": (CHAIN, "backward", {"backward": _backward(seed=0.0)}),
}

# ---------------------------------------------------------------- A4

RNG = np.random.default_rng(4)
DOUT, XX, WW, BB = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)), \
    RNG.normal(size=2)
ACT_X, ACT_D = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
ZERO_X = np.array([-1.0, 0.0, 2.0])
LOGITS, LABELS = RNG.normal(size=(4, 3)), np.array([0, 2, 1, 1])
PRED, TARGET = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))


def _ref():
    return reference.load("mlp")


def _mlp_no_act_grad(params, X, labels, activation="relu"):
    m = _ref()
    hidden = m.ACTIVATIONS[activation][0](X @ params["W1"] + params["b1"])
    logits = hidden @ params["W2"] + params["b2"]
    loss, d = m.softmax_cross_entropy(logits, labels)
    dh = d @ params["W2"].T
    return loss, {"W1": X.T @ dh, "b1": dh.sum(0), "W2": hidden.T @ d, "b2": d.sum(0)}


def _momentum(params, grads, velocity, lr, momentum=0.0, plus=False, old=False):
    out_p, out_v = {}, {}
    for k in params:
        v_new = momentum * velocity[k] + (lr if plus else -lr) * grads[k]
        out_p[k] = params[k] + (velocity[k] if old else v_new)
        out_v[k] = v_new
    return out_p, out_v


NET = {"W1": RNG.normal(size=(3, 4)), "b1": RNG.normal(size=4), "W2": RNG.normal(size=(4, 2)),
       "b2": RNG.normal(size=2)}
STEP = ({"W": RNG.normal(size=(2, 2))}, {"W": RNG.normal(size=(2, 2))},
        {"W": RNG.normal(size=(2, 2))}, 0.1, 0.9)
A4_CASES = {
    "db_missing": ("linear_backward", (DOUT, XX, WW, BB),
                   lambda d, x, W, b: (d @ W.T, x.T @ d, 0 * b)),
    "db_wrong_axis": ("linear_backward", (DOUT, XX, WW, BB),
                      lambda d, x, W, b: (d @ W.T, x.T @ d, np.sum(d, axis=-1))),
    "dW_transposed": ("linear_backward", (DOUT, XX, WW, BB),
                      lambda d, x, W, b: (d @ W.T, d.T @ x, d.sum(0))),
    "sigmoid_backward_s": ("sigmoid_backward", (ACT_D, ACT_X),
                           lambda d, x: d / (1 + np.exp(-x))),
    "sigmoid_backward_of_input": ("sigmoid_backward", (ACT_D, ACT_X),
                                  lambda d, x: d * (x - x**2)),
    "tanh_backward_square_missing": ("tanh_backward", (ACT_D, ACT_X),
                                     lambda d, x: d - d * np.tanh(x)),
    "tanh_backward_of_input": ("tanh_backward", (ACT_D, ACT_X), lambda d, x: d * (1 - x * x)),
    "relu_backward_at_zero": ("relu_backward", (np.ones(3), ZERO_X),
                              lambda d, x: d * (x >= 0)),
    "leaky_relu_backward_at_zero": ("leaky_relu_backward", (np.ones(3), ZERO_X),
                                    lambda d, x, alpha=0.01: d * np.where(x < 0, alpha, 1.0)),
    "gelu_tanh_approximation": (
        "gelu_forward", (ACT_X,),
        lambda x: x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3))) / 2),
    "softmax_unstable": ("softmax", (np.array([[1000.0, 0.0]]),),
                         lambda z: np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)),
    "softmax_cross_entropy_sum": (
        "softmax_cross_entropy", (LOGITS, LABELS),
        lambda z, y: (float(sum(np.log(np.exp(r).sum()) - r[c] for r, c in zip(z, y, strict=True))),
                      np.exp(z) / np.exp(z).sum(1, keepdims=True) - np.eye(z.shape[1])[y])),
    "mse_sum": ("mse_loss", (PRED, TARGET),
                lambda p, t: (float(((p - t) ** 2).sum()), 2 * (p - t))),
    "mse_no_square": ("mse_loss", (PRED, TARGET),
                      lambda p, t: (float((p - t).mean()), np.ones_like(p) / p.size)),
    "mse_gradient_factor": ("mse_loss", (PRED, TARGET),
                            lambda p, t: (float(((p - t) ** 2).mean()), (p - t) / p.size)),
    "bce_sum": ("binary_cross_entropy", (LOGITS[:, 0], np.array([0.0, 1.0, 1.0, 0.0])),
                lambda z, y: (float(np.sum(np.log1p(np.exp(z)) - y * z)),
                              1 / (1 + np.exp(-z)) - y)),
    "backprop_skips_activation": ("mlp_loss_and_grads", (NET, XX[:, :3], np.array([0, 1, 1])),
                                  lambda p, X, y, activation="relu": _mlp_no_act_grad(
                                      p, X, y, activation), {"activation": "tanh"}),
    "momentum_sign": ("sgd_momentum_step", STEP,
                      lambda p, g, v, lr, mu: _momentum(p, g, v, lr, mu, plus=True)),
    "momentum_old_velocity": ("sgd_momentum_step", STEP,
                              lambda p, g, v, lr, mu: _momentum(p, g, v, lr, mu, old=True)),
}

MODULES = {"perceptron": (a1, A1_CASES), "gradient_descent": (a2, A2_CASES),
           "mlp": (a4, A4_CASES)}


def _plain(value):
    """What the worker would send back: tuples as lists."""
    return list(value) if isinstance(value, tuple) else value


def _asker(buggy):
    """``ask`` for an in-process student: the case's implementation on a separating input."""
    def ask(probe):
        args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in probe.args)
        try:
            with np.errstate(all="ignore"):
                return "ok", _plain(buggy(*args, **probe.kwargs))
        except Exception as error:  # noqa: BLE001 - as the worker reports a raise
            return "raised", type(error).__name__

    return ask


def _graph_asker(Value):
    def ask(probe):
        try:
            with np.errstate(all="ignore"):
                return "ok", fixtures.run_graph(Value, probe.spec, probe.mode)
        except Exception as error:  # noqa: BLE001
            return "raised", type(error).__name__

    return ask


def _record(case):
    function, args, buggy, *rest = case
    kwargs = rest[0] if rest else {}
    result = buggy(*args, **kwargs)
    return CallRecord(function, args, kwargs, result=_plain(result), returned=True)


FUNCTION_CASES = [(module, mid, case) for module, (_, cases) in MODULES.items()
                  for mid, case in cases.items()]


def test_every_catalogued_misconception_has_a_case_here():
    for _, (catalogue, cases) in MODULES.items():
        assert sorted(m.id for m in catalogue.CATALOGUE) == sorted(cases)
    assert sorted(m.id for m in a3.CATALOGUE) == sorted(A3_CASES)


@pytest.mark.parametrize("module, mid, case", FUNCTION_CASES,
                         ids=[mid for _, mid, _ in FUNCTION_CASES])
def test_a_function_misconception_is_named_from_the_result_alone(module, mid, case):
    with np.errstate(all="ignore"):
        record = _record(case)
    ask = _asker(case[2])
    found = diagnose([record], module, ask=ask)
    assert found is not None and found.id == mid, found
    assert diagnose([record], module) is None  # no separating evidence: no diagnosis
    text = explain("f is wrong.", [record], module, ask=ask)
    assert DIAGNOSIS in text and "lecture 00" in text
    assert "np." not in found.says and not re.search(r"\breturn\b|\bdef\b", found.says)


@pytest.mark.parametrize("module, mid, case", FUNCTION_CASES,
                         ids=[mid for _, mid, _ in FUNCTION_CASES])
def test_a_correct_result_is_never_diagnosed(module, mid, case):
    function, args, _buggy, *rest = case
    kwargs = rest[0] if rest else {}
    plain = [(make_function(a.name, a.params)[0 if a.part == "f" else 1]
              if isinstance(a, FnRef) else a) for a in args]
    with np.errstate(all="ignore"):
        result = getattr(reference.load(module), function)(*plain, **kwargs)
    record = CallRecord(function, args, kwargs, result=_plain(result), returned=True)
    correct = getattr(reference.load(module), function)
    assert diagnose([record], module, ask=_asker(lambda *a, **k: correct(
        *[_callable(v) if isinstance(v, FnRef) else v for v in a], **k))) is None


@pytest.mark.parametrize("mid", list(A3_CASES))
def test_a_value_misconception_is_named_from_the_graph_result(mid):
    spec, mode, methods = A3_CASES[mid]
    Value = _patched(mid, **methods)
    try:
        result = fixtures.run_graph(Value, spec, mode)
        record = CallRecord("Value", (spec, mode), kind="graph", result=result, returned=True)
    except OverflowError as error:
        record = CallRecord("Value", (spec, mode), kind="graph",
                            error=f"Value.sigmoid raised {type(error).__name__}: {error}")
    found = diagnose([record], "engine", ask=_graph_asker(Value))
    assert found is not None and found.id == mid, found
    Reference = reference.load("engine").Value
    correct = fixtures.run_graph(Reference, spec, mode)
    ok = CallRecord("Value", (spec, mode), kind="graph", result=correct, returned=True)
    assert diagnose([ok], "engine", ask=_graph_asker(Reference)) is None
