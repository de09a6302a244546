# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: He initialisation with 2 / fan_in passed as the standard deviation, not the variance
# loses: 4.4
# names: init_mlp
# diagnosis: none
def init_mlp(layer_sizes, seed):
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[i - 1], layer_sizes[i]
        params[f"W{i}"] = rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))
        params[f"b{i}"] = np.zeros(fan_out)
    return params
