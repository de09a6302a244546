# target: a3_backprop/engine.py
# attack: exp allocates 80 MB arrays until memory runs out
# max_score_fraction: 0.9
# loses: 3.3
# reason: used more than 1 GiB of memory
import numpy as _np

_honest_exp = Value.exp


def _bomb_exp(self):
    hoard = []
    while True:
        hoard.append(_np.ones(10**7))


Value.exp = _bomb_exp
