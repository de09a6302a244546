# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: gelu_forward uses the tanh approximation instead of the exact erf form
# loses: 4.2
# names: gelu_forward
# diagnosis: gelu_tanh_approximation
def gelu_forward(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
