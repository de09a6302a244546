# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: mlp_loss_and_grads forgets the activation's derivative between layers
# loses: 4.4
# names: mlp_loss_and_grads
# diagnosis: backprop_skips_activation
def mlp_loss_and_grads(params, X, labels, activation="relu"):
    act, _ = ACTIVATIONS[activation]
    n_layers = len(params) // 2
    inputs = [X]
    for i in range(1, n_layers):
        inputs.append(act(linear_forward(inputs[-1], params[f"W{i}"], params[f"b{i}"])))
    logits = linear_forward(inputs[-1], params[f"W{n_layers}"], params[f"b{n_layers}"])
    loss, dout = softmax_cross_entropy(logits, labels)
    grads = {}
    for i in range(n_layers, 0, -1):
        dout, grads[f"W{i}"], grads[f"b{i}"] = linear_backward(
            dout, inputs[i - 1], params[f"W{i}"], params[f"b{i}"])
    return loss, grads
