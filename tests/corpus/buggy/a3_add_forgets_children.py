# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __add__ builds its result without children (_prev empty): values right, the graph cut
# loses: 3.1
# names: Value.__rsub__
# diagnosis: none
def _buggy_add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data)

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


Value.__add__ = _buggy_add
