# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: linear_backward returns db = 0 (the bias gradient is forgotten)
# loses: 4.1
# names: linear_backward
# diagnosis: db_missing
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, np.zeros_like(b)
