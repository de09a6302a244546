# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: tanh's local derivative uses the input: 1 - x**2 instead of 1 - tanh(x)**2
# loses: 3.4
# names: Value.tanh
# diagnosis: tanh_of_input
def _buggy_tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1.0 - self.data ** 2) * out.grad

    out._backward = _backward
    return out


Value.tanh = _buggy_tanh
