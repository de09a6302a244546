# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: linear_backward averages dout over the batch for db instead of summing it
# loses: 4.1
# names: linear_backward
# diagnosis: none
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)
