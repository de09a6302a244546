# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# why: loops over samples instead of vectorised code; tanh' written as sech^2 = 1/cosh^2
# loses: none
def linear_backward(dout, x, W, b):
    dx = np.zeros_like(x)
    dW = np.zeros_like(W)
    db = np.zeros_like(b)
    for n in range(x.shape[0]):
        dx[n] = W @ dout[n]
        dW += np.outer(x[n], dout[n])
        db += dout[n]
    return dx, dW, db


def tanh_backward(dout, x):
    with np.errstate(over="ignore"):  # cosh(1000) = inf gives 1/inf^2 = 0, the right answer
        return dout / np.cosh(x) ** 2


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    loss = 0.0
    dlogits = np.zeros_like(logits)
    for i in range(n):
        row = logits[i] - logits[i].max()
        p = np.exp(row) / np.exp(row).sum()
        loss += np.log(np.exp(row).sum()) - row[labels[i]]
        dlogits[i] = p
        dlogits[i, labels[i]] -= 1.0
    return float(loss / n), dlogits / n


ACTIVATIONS["tanh"] = (tanh_forward, tanh_backward)
