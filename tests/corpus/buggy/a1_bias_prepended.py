# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: puts the column of ones FIRST instead of last
# loses: 1.1
# names: add_bias
# diagnosis: add_bias_first
def add_bias(X):
    return np.hstack([np.ones((X.shape[0], 1)), X])
