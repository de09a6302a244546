# target: a1_perceptron/perceptron.py
# attack: perceptron_update calls os._exit(0), a "clean" exit before any failure is recorded
# max_score_fraction: 0.8
# min_score_fraction: 0.3
# loses: 1.3
# reason: exited
import os as _os


def perceptron_update(w, x, y):
    _os._exit(0)
