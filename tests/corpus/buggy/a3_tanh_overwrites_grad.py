# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: tanh's _backward assigns (=) instead of accumulating (+=): x.tanh() * x loses a term
# loses: 3.4
# names: Value.tanh
# diagnosis: tanh_overwrites_grad
def _buggy_tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad = (1.0 - t * t) * out.grad

    out._backward = _backward
    return out


Value.tanh = _buggy_tanh
