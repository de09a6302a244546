# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __rmul__ returns the product with the sign flipped (2 * v gives -2 v)
# loses: 3.1
# names: Value.__rmul__
# diagnosis: none
def _buggy_rmul(self, other):
    return self * (-other)


Value.__rmul__ = _buggy_rmul
