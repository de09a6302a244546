# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __rtruediv__ computes self / other (2 / v gives v / 2)
# loses: 3.2
# names: Value.__rtruediv__
# diagnosis: rtruediv_reversed
def _buggy_rtruediv(self, other):
    return self * other ** -1


Value.__rtruediv__ = _buggy_rtruediv
