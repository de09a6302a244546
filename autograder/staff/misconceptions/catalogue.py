"""The catalogue's entries per module and the arguments its variants take: below the
matcher (__init__.py), the evidence rule (evidence.py) and the catalogue modules' users, so
none of them imports another in a circle."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.staff.misconceptions import a1, a2, a3, a4
from autograder.staff.misconceptions.base import Misconception


def _catalogue(module: str) -> list[Misconception]:
    return {"perceptron": a1.CATALOGUE, "gradient_descent": a2.CATALOGUE,
            "engine": a3.CATALOGUE, "mlp": a4.CATALOGUE}.get(module, [])


def _plain_args(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Arguments as the reference takes them: A2's FnRef markers become the callables."""
    from autograder.sandboxed.fixtures import make_function, make_hessian
    from autograder.sandboxed.protocol import FnRef

    def plain(value: Any) -> Any:
        if isinstance(value, FnRef):
            if value.part == "hess":
                return make_hessian(value.name, value.params)
            f, grad = make_function(value.name, value.params)
            return f if value.part == "f" else grad
        if isinstance(value, np.ndarray):
            return value.copy()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return tuple(plain(a) for a in args), {k: plain(v) for k, v in kwargs.items()}
