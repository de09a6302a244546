# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: dW returned transposed, shape (M, D) instead of (D, M)
# loses: 4.1
# names: linear_backward
# diagnosis: dW_transposed
def linear_backward(dout, x, W, b):
    return dout @ W.T, (x.T @ dout).T, dout.sum(axis=0)
