# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: exp's _backward assigns (=) instead of accumulating (+=): x.exp() * x loses a term
# loses: 3.3
# names: Value.exp
# diagnosis: exp_overwrites_grad
def _buggy_exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad = out.data * out.grad

    out._backward = _backward
    return out


Value.exp = _buggy_exp
