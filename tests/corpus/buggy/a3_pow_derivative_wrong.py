# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __pow__'s local derivative is k * a**k (exponent not lowered)
# loses: 3.2
# names: Value.__pow__
# diagnosis: pow_exponent_not_lowered
def _buggy_pow(self, k):
    out = Value(self.data**k, (self,), f"**{k}")

    def _backward():
        self.grad += k * self.data**k * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _buggy_pow
