# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: sigmoid_backward uses x where it needs s(x): dout * x * (1 - x)
# loses: 4.2
# names: sigmoid_backward
# diagnosis: sigmoid_backward_of_input
def sigmoid_backward(dout, x):
    return dout * x * (1.0 - x)
