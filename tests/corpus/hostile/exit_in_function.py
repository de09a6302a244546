# target: a3_backprop/engine.py
# attack: sys.exit(0) inside relu and os._exit(0) inside sigmoid (graded functions)
# max_score_fraction: 0.97
# loses: 3.4
# reason: exit status 0
# reason: exited during
import os
import sys

_honest_relu = Value.relu
_honest_sigmoid = Value.sigmoid


def _exiting_relu(self):
    sys.exit(0)


def _exiting_sigmoid(self):
    os._exit(0)


Value.relu = _exiting_relu
Value.sigmoid = _exiting_sigmoid
