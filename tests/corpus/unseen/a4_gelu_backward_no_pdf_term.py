# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: gelu_backward keeps only Phi(x), dropping the x * phi(x) term of the product rule
# loses: 4.2
# names: gelu_backward
# diagnosis: none
def gelu_backward(dout, x):
    return dout * 0.5 * (1.0 + _erf(x / _SQRT2))
