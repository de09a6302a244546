# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __neg__ returns the node itself (-v gives v), so a - b built as a + (-b) is wrong too
# loses: 3.1
# names: Value.__rsub__
# diagnosis: none
def _buggy_neg(self):
    return self * 1


Value.__neg__ = _buggy_neg
