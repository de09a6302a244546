# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: softmax_cross_entropy averages the loss but not its gradient (dlogits not divided by N)
# loses: 4.3
# names: softmax_cross_entropy
# diagnosis: none
def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total[:, 0]) - shifted[np.arange(n), labels])
    d = e / total
    d[np.arange(n), labels] -= 1.0
    return float(loss), d
