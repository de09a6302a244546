# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: softmax normalises over the batch axis (columns sum to 1) instead of each row
# loses: 4.3
# names: softmax
# diagnosis: none
def softmax(logits):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
