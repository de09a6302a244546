# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: softmax without subtracting the row max: overflows (NaN) at logits of 1000
# loses: 4.3
# names: softmax
# diagnosis: softmax_unstable
def softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)
