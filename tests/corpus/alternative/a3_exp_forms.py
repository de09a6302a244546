# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# why: tanh' as 4 / (e^x + e^-x)^2, sigmoid' as e^-|x| / (1 + e^-|x|)^2, sub as its own op
# loses: none
import math as _math


def _alt_tanh(self):
    x = self.data
    out = Value(_math.tanh(x), (self,), "tanh")

    def _backward():
        if abs(x) > 300:  # (e^x + e^-x)^2 overflows; the derivative is 0 to double precision
            return
        self.grad += 4.0 / (_math.exp(x) + _math.exp(-x)) ** 2 * out.grad

    out._backward = _backward
    return out


def _alt_sigmoid(self):
    x = self.data
    e = _math.exp(-abs(x))
    s = 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)
    out = Value(s, (self,), "sigmoid")

    def _backward():
        self.grad += e / (1.0 + e) ** 2 * out.grad

    out._backward = _backward
    return out


def _alt_sub(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data - other.data, (self, other), "-")

    def _backward():
        self.grad += out.grad
        other.grad -= out.grad

    out._backward = _backward
    return out


Value.tanh = _alt_tanh
Value.sigmoid = _alt_sigmoid
Value.__sub__ = _alt_sub
