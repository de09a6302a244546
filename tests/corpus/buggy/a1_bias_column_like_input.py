# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: the ones column is made with np.ones_like(X[:, :1]): for integer X the result is an
#      integer array, not the float64 the docstring returns
# loses: 1.1
# names: add_bias
# diagnosis: none
def add_bias(X):
    return np.hstack([X, np.ones_like(X[:, :1])])
