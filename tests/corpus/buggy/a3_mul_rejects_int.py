# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __mul__ wraps only float numbers in Value (ints are allowed too): v * 3, 2 * v raise
# loses: 3.1
# names: Value.__mul__
# diagnosis: none
def _buggy_mul(self, other):
    other = Value(other) if isinstance(other, float) else other
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


Value.__mul__ = _buggy_mul


# Its - is written with a float -1.0, so the bug is in int products only (with the
# reference's self * -1 every - would raise too, in 3.5's graphs as well).
def _neg(self):
    return self * -1.0


Value.__neg__ = _neg
