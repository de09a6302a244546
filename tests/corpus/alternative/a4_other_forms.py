# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# why: sigmoid via tanh, BCE as the textbook formula on clipped-free stable pieces, softmax
#      via logsumexp; momentum written as p - lr g + mu v in one line
# loses: none
def sigmoid_forward(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sigmoid_backward(dout, x):
    t = np.tanh(0.5 * x)
    return dout * 0.25 * (1.0 - t * t)


def softmax(logits):
    m = logits.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return np.exp(logits - lse)


def binary_cross_entropy(logits, y):
    # -y log s(z) - (1 - y) log(1 - s(z)) with log s(z) = -softplus(-z), log(1 - s) = -softplus(z)
    loss = np.mean(y * np.logaddexp(0.0, -logits) + (1 - y) * np.logaddexp(0.0, logits))
    return float(loss), (sigmoid_forward(logits) - y) / logits.shape[0]


def sgd_momentum_step(params, grads, velocity, lr, momentum=0.0):
    # None or a missing key means zeros (the docstring's words), here by dict.get.
    velocity = velocity or {}
    new_velocity = {k: momentum * velocity.get(k, np.zeros_like(params[k])) - lr * grads[k]
                    for k in params}
    return {k: params[k] + new_velocity[k] for k in params}, new_velocity


ACTIVATIONS["sigmoid"] = (sigmoid_forward, sigmoid_backward)
