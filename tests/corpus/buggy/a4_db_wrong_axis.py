# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: linear_backward sums dout over the wrong axis for db (axis=1: one entry per sample)
# loses: 4.1
# names: linear_backward
# diagnosis: db_wrong_axis
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)
