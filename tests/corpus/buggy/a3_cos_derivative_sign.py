# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: cos's local derivative is +sin instead of -sin
# loses: 3.3
# names: Value.cos
# diagnosis: cos_derivative_sign
import math as _math


def _buggy_cos(self):
    out = Value(_math.cos(self.data), (self,), "cos")

    def _backward():
        self.grad += _math.sin(self.data) * out.grad

    out._backward = _backward
    return out


Value.cos = _buggy_cos
