# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __add__ and __mul__ assign (=) instead of accumulating (+=): fan-out loses gradient
# (an op bug: backward() is judged on these very ops, so 3.5 keeps its points)
# loses: 3.1
# names: Value.__add__
# diagnosis: add_mul_overwrite_grad
def _buggy_add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad = out.grad
        other.grad = out.grad

    out._backward = _backward
    return out


def _buggy_mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad = other.data * out.grad
        other.grad = self.data * out.grad

    out._backward = _backward
    return out


Value.__add__ = _buggy_add
Value.__mul__ = _buggy_mul
