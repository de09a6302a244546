# target: a3_backprop/engine.py
# layout: replace
# attack: a syntax error on line 7 (counted without this header, which is not written)
# max_score_fraction: 0.0
# reason: SyntaxError
# reason: line 7
"""A module with a syntax error."""

import math


class Value:
    def __init__(self, data, _children=(), _op="")
        self.data = data
