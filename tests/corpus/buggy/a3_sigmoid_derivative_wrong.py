# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: sigmoid's local derivative is s instead of s * (1 - s)
# loses: 3.4
# names: Value.sigmoid
# diagnosis: sigmoid_derivative_s
import math as _math


def _buggy_sigmoid(self):
    s = 1.0 / (1.0 + _math.exp(-self.data)) if self.data >= 0 else (
        _math.exp(self.data) / (1.0 + _math.exp(self.data)))
    out = Value(s, (self,), "sigmoid")

    def _backward():
        self.grad += s * out.grad

    out._backward = _backward
    return out


Value.sigmoid = _buggy_sigmoid
