# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: tanh_backward uses 1 - tanh(x) instead of 1 - tanh(x)**2
# loses: 4.2
# names: tanh_backward
# diagnosis: tanh_backward_square_missing
def tanh_backward(dout, x):
    return dout * (1.0 - np.tanh(x))


ACTIVATIONS["tanh"] = (tanh_forward, tanh_backward)
