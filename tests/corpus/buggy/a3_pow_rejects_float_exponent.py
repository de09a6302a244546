# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: __pow__ accepts only int exponents (the docstring allows int or float): v ** 0.5 raises
# loses: 3.2
# names: Value.__pow__
# diagnosis: none
_real_pow = Value.__pow__


def _buggy_pow(self, k):
    if not isinstance(k, int):
        raise TypeError("only integer powers are supported")
    return _real_pow(self, k)


Value.__pow__ = _buggy_pow
