# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __rsub__ computes self - other instead of other - self (1 - v gives v - 1)
# loses: 3.1
# names: Value.__rsub__
# diagnosis: rsub_reversed
def _buggy_rsub(self, other):
    return self - other


Value.__rsub__ = _buggy_rsub
