# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: db summed over the wrong axis (one entry per sample instead of per output unit)
# loses: 4.1 4.4
# names: linear_backward
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)
