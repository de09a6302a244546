# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: sigmoid_backward multiplies by s instead of s * (1 - s)
# loses: 4.2
# names: sigmoid_backward
# diagnosis: sigmoid_backward_s
def sigmoid_backward(dout, x):
    return dout * sigmoid_forward(x)


ACTIVATIONS["sigmoid"] = (sigmoid_forward, sigmoid_backward)
