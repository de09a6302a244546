# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: mlp_forward applies the activation after the last layer too (relu'd logits)
# loses: 4.4
# names: mlp_forward
# diagnosis: none
def mlp_forward(params, X, activation="relu"):
    act, _ = ACTIVATIONS[activation]
    n_layers = len(params) // 2
    h = X
    for i in range(1, n_layers + 1):
        h = act(linear_forward(h, params[f"W{i}"], params[f"b{i}"]))
    return h
