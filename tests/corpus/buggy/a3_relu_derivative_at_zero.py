# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: relu'(0) = 1 (uses >= 0), against the kit's convention relu'(0) = 0
# loses: 3.4
# names: Value.relu
# diagnosis: relu_derivative_at_zero
def _buggy_relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (1.0 if self.data >= 0 else 0.0) * out.grad

    out._backward = _backward
    return out


Value.relu = _buggy_relu
