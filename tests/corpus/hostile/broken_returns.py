# target: a4_mlp/mlp.py
# attack: wrong signature, returns None, a list, the wrong shape, NaN, an int array
# max_score_fraction: 0.8
# loses: 4.1 4.2 4.3
# reason: returned a list, expected a float64 array of shape
# reason: returned None
# reason: returned shape
# reason: non-finite value nan
# reason: int64 array
# reason: unexpected keyword argument 'alpha'
import numpy as _np

_honest = {name: globals()[name] for name in ("relu_forward", "tanh_forward")}


def linear_forward(x, W, b):
    return (x @ W + b).tolist()  # a list


def sigmoid_forward(x):
    1.0 / (1.0 + _np.exp(-x))  # forgot the return: None


def tanh_forward(x):
    return _honest["tanh_forward"](x).ravel()  # the wrong shape


def relu_forward(x):
    out = _honest["relu_forward"](x)
    return out * _np.nan  # NaN


def softmax(logits):
    return _np.zeros(logits.shape, dtype=_np.int64)  # an int array


def leaky_relu_forward(x, slope=0.01):  # wrong signature: the keyword is alpha
    return _np.where(x > 0, x, slope * x)
