# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# why: documented containers in subclass form: init_mlp returns an OrderedDict, linear_backward
#      a NamedTuple (dx, dW, db), the losses a NamedTuple (loss, grad) with a numpy float loss
from collections import OrderedDict as _OrderedDict
from typing import NamedTuple as _NamedTuple


class LinearGrads(_NamedTuple):
    dx: np.ndarray
    dW: np.ndarray
    db: np.ndarray


class LossAndGrad(_NamedTuple):
    loss: float
    grad: np.ndarray


_reference_init_mlp = init_mlp
_reference_softmax_cross_entropy = softmax_cross_entropy


def init_mlp(layer_sizes, seed):
    return _OrderedDict(_reference_init_mlp(layer_sizes, seed))


def linear_backward(dout, x, W, b):
    return LinearGrads(dout @ W.T, x.T @ dout, dout.sum(axis=0))


def softmax_cross_entropy(logits, labels):
    loss, grad = _reference_softmax_cross_entropy(logits, labels)
    return LossAndGrad(np.float64(loss), grad)
