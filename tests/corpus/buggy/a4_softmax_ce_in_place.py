# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: softmax_cross_entropy subtracts the row max from the caller's logits in place
# loses: 4.3
# names: softmax_cross_entropy
# diagnosis: none
def softmax_cross_entropy(logits, labels):
    logits -= logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits).sum(axis=1))
    n = logits.shape[0]
    loss = float(np.mean(lse - logits[np.arange(n), labels]))
    d = np.exp(logits - lse[:, None])
    d[np.arange(n), labels] -= 1.0
    return loss, d / n
