# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: sigmoid computed as 1 / (1 + exp(-x)) for every x: math.exp(1000) overflows
# loses: 3.4
# names: Value.sigmoid
# diagnosis: sigmoid_overflow
import math as _math


def _buggy_sigmoid(self):
    s = 1.0 / (1.0 + _math.exp(-self.data))
    out = Value(s, (self,), "sigmoid")

    def _backward():
        self.grad += s * (1.0 - s) * out.grad

    out._backward = _backward
    return out


Value.sigmoid = _buggy_sigmoid
