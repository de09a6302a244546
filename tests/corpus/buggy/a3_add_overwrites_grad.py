# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __add__ and __mul__ assign (=) instead of accumulating (+=): fan-out loses gradient
# loses: 3.1 3.5
# also_loses: 3.2 3.3 3.4 (temporary: A3 error carried forward: the op's checks go through backward()/other ops (branch ecf))
# names: Value.__add__
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
