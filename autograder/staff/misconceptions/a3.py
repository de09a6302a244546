"""Misconceptions of A3 (the Value engine): methods replaced on a copy of the reference.

``value_class(m)`` loads a private copy of the reference engine and installs the
misconception's methods on its Value, so every node of a graph built from it (also the
ones the untouched methods create) runs the wrong method.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable

from autograder.staff.misconceptions.base import Misconception

ACTIVATIONS = "lecture 000, 'Activations and their derivatives'"
SIMPLE = "lecture 000, 'Backpropagation: a simple example'"
ORDER = "lecture 002, 'Backpropagation'"
MULTIVARIATE = "lecture 002, 'Multivariate Chain Rule'"


def _unary(name: str, forward: Callable[[float], float],
           local: Callable[[float, float], float]):
    """A method computing forward(x) whose _backward adds local(x, out) * out.grad."""

    def method(self):
        y = forward(self.data)
        out = type(self)(y, (self,), name)

        def _backward():
            self.grad += local(self.data, y) * out.grad

        out._backward = _backward
        return out

    return method


def _binary(symbol: str, forward, d_self, d_other, assign: bool = False):
    def method(self, other):
        Value = type(self)
        other = other if isinstance(other, Value) else Value(other)
        out = Value(forward(self.data, other.data), (self, other), symbol)

        def _backward():
            if assign:
                self.grad = d_self(self.data, other.data) * out.grad
                other.grad = d_other(self.data, other.data) * out.grad
            else:
                self.grad += d_self(self.data, other.data) * out.grad
                other.grad += d_other(self.data, other.data) * out.grad

        out._backward = _backward
        return out

    return method


def _unary_overwrite(name: str, forward: Callable[[float], float],
                     local: Callable[[float, float], float]):
    """Like _unary, but the _backward assigns (=) instead of accumulating (+=)."""

    def method(self):
        y = forward(self.data)
        out = type(self)(y, (self,), name)

        def _backward():
            self.grad = local(self.data, y) * out.grad

        out._backward = _backward
        return out

    return method


def _unary_no_upstream(name: str, forward: Callable[[float], float],
                       local: Callable[[float, float], float]):
    """Like _unary, but the _backward adds the local derivative without the factor out.grad."""

    def method(self):
        y = forward(self.data)
        out = type(self)(y, (self,), name)

        def _backward():
            self.grad += local(self.data, y)

        out._backward = _backward
        return out

    return method


def _pow(local: Callable[[float, float], float], assign: bool = False):
    def method(self, k):
        out = type(self)(self.data**k, (self,), f"**{k}")

        def _backward():
            if assign:
                self.grad = local(self.data, k) * out.grad
                return
            self.grad += local(self.data, k) * out.grad

        out._backward = _backward
        return out

    return method


def _topo(v, order, seen):
    if id(v) not in seen:
        seen.add(id(v))
        for child in v._prev:
            _topo(child, order, seen)
        order.append(v)


def _topo_every_path(v, order):
    for child in v._prev:
        _topo_every_path(child, order)
    order.append(v)


def _backward_variant(reset: bool = True, reverse: bool = True, seed: float = 1.0,
                      visited: bool = True):
    def backward(self):
        order: list = []
        if visited:
            _topo(self, order, set())
        else:  # no visited set: a shared node is listed (and run) once per path to it
            _topo_every_path(self, order)
        if reset:
            for v in order:
                v.grad = 0.0
        self.grad = seed
        for v in reversed(order) if reverse else order:
            v._backward()

    return backward


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _add_assign():
    return _binary("+", lambda a, b: a + b, lambda a, b: 1.0, lambda a, b: 1.0, assign=True)


def _mul_assign():
    return _binary("*", lambda a, b: a * b, lambda a, b: b, lambda a, b: a, assign=True)


OVERWRITE = ("the operands' grad with = in _backward; a node used more than once (a + a,"
             " fan-out) must receive the sum of its contributions, +=")

CATALOGUE = [
    Misconception("add_overwrites_grad", "Value", "your __add__ sets " + OVERWRITE, MULTIVARIATE,
                  {"__add__": _add_assign()}),
    Misconception("mul_overwrites_grad", "Value", "your __mul__ sets " + OVERWRITE, MULTIVARIATE,
                  {"__mul__": _mul_assign()}),
    Misconception("add_mul_overwrite_grad", "Value", "your __add__ and __mul__ set " + OVERWRITE,
                  MULTIVARIATE, {"__add__": _add_assign(), "__mul__": _mul_assign()}),
    Misconception("rsub_reversed", "Value",
                  "your __rsub__ computes self - other; for 1.5 - a Python calls"
                  " a.__rsub__(1.5), which must give 1.5 - a", SIMPLE,
                  {"__rsub__": lambda self, other: self - other}),
    Misconception("rtruediv_reversed", "Value",
                  "your __rtruediv__ computes self / other; for 2.0 / b Python calls"
                  " b.__rtruediv__(2.0), which must give 2.0 / b", SIMPLE,
                  {"__rtruediv__": lambda self, other: self / other}),
    Misconception("pow_overwrites_grad", "Value", "your __pow__ sets " + OVERWRITE,
                  MULTIVARIATE, {"__pow__": _pow(lambda a, k: k * a ** (k - 1), assign=True)}),
    Misconception("exp_overwrites_grad", "Value", "your exp sets " + OVERWRITE, MULTIVARIATE,
                  {"exp": _unary_overwrite("exp", math.exp, lambda x, y: y)}),
    Misconception("tanh_overwrites_grad", "Value", "your tanh sets " + OVERWRITE, MULTIVARIATE,
                  {"tanh": _unary_overwrite("tanh", math.tanh, lambda x, y: 1.0 - y * y)}),
    Misconception("sin_ignores_upstream", "Value",
                  "your sin's _backward adds cos(a) without the factor out.grad: the chain"
                  " rule multiplies the local derivative by the gradient arriving from above",
                  SIMPLE, {"sin": _unary_no_upstream("sin", math.sin, lambda x, y: math.cos(x))}),
    Misconception("pow_exponent_not_lowered", "Value",
                  "your __pow__ gradient is k * a**k: the power rule lowers the exponent,"
                  " k * a**(k - 1)", SIMPLE, {"__pow__": _pow(lambda a, k: k * a**k)}),
    Misconception("pow_factor_missing", "Value",
                  "your __pow__ gradient is a**(k - 1): the factor k of the power rule is"
                  " missing", SIMPLE, {"__pow__": _pow(lambda a, k: a ** (k - 1))}),
    Misconception("cos_derivative_sign", "Value",
                  "your cos gradient is +sin(a): the derivative of cos is -sin", SIMPLE,
                  {"cos": _unary("cos", math.cos, lambda x, y: math.sin(x))}),
    Misconception("sin_derivative_sign", "Value",
                  "your sin gradient is -cos(a): the derivative of sin is +cos", SIMPLE,
                  {"sin": _unary("sin", math.sin, lambda x, y: -math.cos(x))}),
    Misconception("log_derivative", "Value",
                  "your log gradient is log(a): the derivative of log a is 1 / a", SIMPLE,
                  {"log": _unary("log", math.log, lambda x, y: y)}),
    Misconception("tanh_square_missing", "Value",
                  "your tanh gradient equals 1 - tanh(a): the square is missing, the"
                  " derivative is 1 - tanh(a)**2", ACTIVATIONS,
                  {"tanh": _unary("tanh", math.tanh, lambda x, y: 1.0 - y)}),
    Misconception("tanh_of_input", "Value",
                  "your tanh gradient is 1 - a**2, the formula applied to the input a instead"
                  " of the output tanh(a)", ACTIVATIONS,
                  {"tanh": _unary("tanh", math.tanh, lambda x, y: 1.0 - x * x)}),
    Misconception("sigmoid_derivative_s", "Value",
                  "your sigmoid gradient is s(a) alone; the derivative is s(a) * (1 - s(a))",
                  ACTIVATIONS, {"sigmoid": _unary("sigmoid", _sigmoid, lambda x, y: y)}),
    Misconception("sigmoid_of_input", "Value",
                  "your sigmoid gradient is a * (1 - a), the formula applied to the input a"
                  " instead of the output s(a)", ACTIVATIONS,
                  {"sigmoid": _unary("sigmoid", _sigmoid, lambda x, y: x * (1.0 - x))}),
    Misconception("sigmoid_overflow", "Value",
                  "your sigmoid computes exp(-a) for every a, which overflows for a = -1000;"
                  " the lecture's 1 / (1 + exp(-z)) needs the equivalent form"
                  " exp(z) / (1 + exp(z)) for negative z", ACTIVATIONS,
                  {"sigmoid": _unary("sigmoid", lambda x: 1.0 / (1.0 + math.exp(-x)),
                                     lambda x, y: y * (1.0 - y))}),
    Misconception("relu_derivative_at_zero", "Value",
                  "your relu gradient at a = 0 is 1; the kit's convention is relu'(0) = 0"
                  " (slope 1 only where a > 0)", ACTIVATIONS,
                  {"relu": _unary("relu", lambda x: x if x > 0 else 0.0,
                                  lambda x, y: 1.0 if x >= 0 else 0.0)}),
    Misconception("backward_no_reset", "Value",
                  "your backward() does not reset the grads to 0 first, so a second call"
                  " adds the gradients again (the kit's rule: backward() is idempotent)",
                  ORDER, {"backward": _backward_variant(reset=False)}),
    Misconception("backward_not_reversed", "Value",
                  "your backward() runs the _backward closures in topological order; they"
                  " must run in REVERSE topological order, so a node's grad is complete"
                  " before it is passed on", ORDER, {"backward": _backward_variant(reverse=False)}),
    Misconception("backward_no_visited_set", "Value",
                  "your backward() builds the topological order without a visited set, so a"
                  " node reached along two paths has its _backward run twice", ORDER,
                  {"backward": _backward_variant(visited=False)}),
    Misconception("backward_no_seed", "Value",
                  "your backward() does not seed self.grad = 1 (d out / d out), so every"
                  " gradient stays 0", ORDER, {"backward": _backward_variant(seed=0.0)}),
]

_CLASSES: dict[tuple[str, str], type] = {}


def value_class(m: Misconception, reference=None) -> type:
    """A Value class: the reference's with the misconception's methods (one copy per
    reference folder and id). ``reference``: the grading's loader (None: the located one)."""
    if reference is None:
        from autograder.staff.reference import located

        reference = located()
    key = (str(reference.root), m.id)
    if key not in _CLASSES:
        path = reference.root / "a3_backprop" / "engine.py"
        spec = importlib.util.spec_from_file_location(f"_backprop_lab_variant_{m.id}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, method in m.variant.items():
            setattr(module.Value, name, method)
        _CLASSES[key] = module.Value
    return _CLASSES[key]
