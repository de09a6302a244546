# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: relu_backward passes the gradient where x >= 0 (relu'(0) = 1)
# loses: 4.2
# names: relu_backward
# diagnosis: relu_backward_at_zero
def relu_backward(dout, x):
    return np.where(x >= 0, dout, 0.0)


ACTIVATIONS["relu"] = (relu_forward, relu_backward)
