# target: a4_mlp/mlp.py
# attack: returns objects whose __eq__ is always True and whose __float__ lies
# max_score_fraction: 0.95
# loses: 4.3 4.6
# reason: returned a Liar object
# reason: accuracy
import numpy as _np


class Liar:
    """Equal to everything; converts to whatever a naive grader would accept."""

    shape = (1,)
    dtype = _np.float64

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 1.0

    def __len__(self):
        return 1

    def __repr__(self):
        return "array([1.0])"


def accuracy(logits, labels):
    return Liar()


def softmax(logits):
    return Liar()
