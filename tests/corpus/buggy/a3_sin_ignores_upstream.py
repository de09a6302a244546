# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: sin's _backward adds cos(x) without the factor out.grad (the chain rule's upstream)
# loses: 3.3
# names: Value.sin
# diagnosis: sin_ignores_upstream
def _buggy_sin(self):
    out = Value(math.sin(self.data), (self,), "sin")

    def _backward():
        self.grad += math.cos(self.data)

    out._backward = _backward
    return out


Value.sin = _buggy_sin
