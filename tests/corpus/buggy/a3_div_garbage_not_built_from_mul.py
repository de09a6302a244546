# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __mul__'s _backward gives each operand its own data, and a / b is written on its own (not from *) and returns a * b with no graph: the division is not excused by the wrong *
# loses: 3.1 3.2
# names: Value.__mul__ Value.__truediv__
# diagnosis: none
def _buggy_mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += self.data * out.grad
        other.grad += other.data * out.grad

    out._backward = _backward
    return out


def _garbage_div(self, other):
    other = other.data if isinstance(other, Value) else other
    return Value(self.data * other)


Value.__mul__ = _buggy_mul
Value.__truediv__ = _garbage_div
