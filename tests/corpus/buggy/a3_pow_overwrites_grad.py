# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __pow__'s _backward assigns (=) instead of accumulating (+=), so does a / b built on it
# loses: 3.2
# names: Value.__pow__
# diagnosis: pow_overwrites_grad
def _buggy_pow(self, k):
    out = Value(self.data**k, (self,), f"**{k}")

    def _backward():
        self.grad = k * self.data ** (k - 1) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = _buggy_pow
