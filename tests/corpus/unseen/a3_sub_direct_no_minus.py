# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __sub__ written directly, its backward adds +out.grad to other (forgets d/dother = -1)
# loses: 3.1
# names: Value.__sub__
# diagnosis: none
def _buggy_sub(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data - other.data, (self, other), "-")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


Value.__sub__ = _buggy_sub
