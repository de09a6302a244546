# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __mul__ wraps only float numbers in Value (ints are allowed too): v * 3, 2 * v raise,
#   and so does every - (the kit's -v is v * -1): 1.5 - a fails first, in 3.1
# loses: 3.1
# names: Value.__rsub__
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

