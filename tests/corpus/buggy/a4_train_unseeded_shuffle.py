# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: train_mlp shuffles with an unseeded generator (np.random.default_rng())
# loses: 4.6
# names: train_mlp
# diagnosis: none
def train_mlp(X, labels, layer_sizes, epochs, lr, batch_size, momentum=0.9, seed=0,
              activation="relu"):
    params = init_mlp(layer_sizes, seed)
    rng = np.random.default_rng()
    velocity = None
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss, grads = mlp_loss_and_grads(params, X[idx], labels[idx], activation)
            params, velocity = sgd_momentum_step(params, grads, velocity, lr, momentum)
            total += loss * len(idx)
        losses.append(total / n)
    return {"params": params, "losses": losses}
