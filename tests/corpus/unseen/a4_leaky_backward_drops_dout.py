# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: leaky_relu_backward returns alpha where x <= 0, forgetting to multiply by dout
# loses: 4.2
# names: leaky_relu_backward
# diagnosis: none
def leaky_relu_backward(dout, x, alpha=0.01):
    return np.where(x > 0, dout, alpha)
