# target: a3_backprop/engine.py
# attack: patches numpy.allclose / isclose / testing / array_equal / math.isclose to "always equal" at import, with a wrong relu
# max_score_fraction: 0.97
# loses: 3.4
# reason: relu
import math

import numpy
import numpy.testing


def _always(*args, **kwargs):
    return True


def _never_fails(*args, **kwargs):
    return None


numpy.allclose = numpy.isclose = numpy.array_equal = numpy.array_equiv = _always
numpy.testing.assert_allclose = numpy.testing.assert_array_almost_equal = _never_fails
numpy.testing.assert_array_equal = numpy.testing.assert_equal = _never_fails
math.isclose = _always


def _wrong_relu(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += 2.0 * out.grad  # wrong: relu' is 0 or 1

    out._backward = _backward
    return out


Value.relu = _wrong_relu
