# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __mul__'s backward adds the local derivative alone, without multiplying by out.grad
# loses: 3.1
# names: Value.__mul__
# diagnosis: none
def _buggy_mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data
        other.grad += self.data

    out._backward = _backward
    return out


Value.__mul__ = _buggy_mul
