# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: log's backward divides by the output log(x) instead of the input x
# loses: 3.3
# names: Value.log
# diagnosis: none
def _buggy_log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / out.data

    out._backward = _backward
    return out


Value.log = _buggy_log
