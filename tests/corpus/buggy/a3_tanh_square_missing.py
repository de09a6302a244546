# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: tanh's local derivative is 1 - tanh (the square is missing)
# loses: 3.4
# names: Value.tanh
# diagnosis: tanh_square_missing
import math as _math


def _buggy_tanh(self):
    t = _math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1.0 - t) * out.grad

    out._backward = _backward
    return out


Value.tanh = _buggy_tanh
