# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# why: each epoch's order is the previous order shuffled again with rng.shuffle (a new
#      permutation per epoch from the one Generator, as the docstring says), not rng.permutation(N)
# loses: none
def train_mlp(X, labels, layer_sizes, epochs, lr, batch_size, momentum=0.9, seed=0,
              activation="relu"):
    params = init_mlp(layer_sizes, seed)
    rng = np.random.default_rng(seed)
    velocity = None
    order = np.arange(len(X))
    losses = []
    for _ in range(epochs):
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = mlp_loss_and_grads(params, X[batch], labels[batch], activation)
            params, velocity = sgd_momentum_step(params, grads, velocity, lr, momentum)
            total += loss * len(batch)
        losses.append(total / len(X))
    return {"params": params, "losses": losses}
