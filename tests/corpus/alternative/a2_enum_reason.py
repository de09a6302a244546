# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# why: the stop reason and the classification as members of str-valued Enums (they ARE the
#      documented strings), the iteration count as a numpy integer
# loses: none
import enum as _enum


class Reason(str, _enum.Enum):
    GRADIENT = "gradient"
    VALUE = "value"
    MAX_ITERS = "max_iters"
    DIVERGED = "diverged"

    def __str__(self):  # an Enum's own str(): "Reason.GRADIENT", never the value
        return f"Reason.{self.name}"


class Kind(str, _enum.Enum):
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    SADDLE = "saddle"
    DEGENERATE = "degenerate"


_reference_gradient_descent = gradient_descent
_reference_classify = classify_critical_point


def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    result = _reference_gradient_descent(f, grad_f, x0, step_size, eps, max_iters, criterion)
    result["reason"] = Reason(result["reason"])
    result["iterations"] = np.int64(result["iterations"])
    return result


def classify_critical_point(H, tol=1e-8):
    return Kind(_reference_classify(H, tol))
