"""Hypothesis strategies made only when examples are drawn: ``st`` and ``hnp``, lazily.

Why: grading replays stored plans (autograder/checks/plan.py) and never draws, yet the check
modules declare their strategies at import, and importing hypothesis was the largest import
of a student's ``autograder check`` (0.17 s of 0.44 s). A check module writes
``from autograder.checks.strategies import st, hnp`` and uses them exactly like
``hypothesis.strategies`` and ``hypothesis.extra.numpy``. Until hypothesis is imported (by
``make-plans``, ``BPLAB_PLANS=live`` or a test), ``st.floats(-1, 1).map(f)`` is a ``Lazy``
recipe of those lookups and calls; ``build`` turns a recipe, or any structure holding
recipes, into the real strategy. Once hypothesis is loaded (both modules), ``st.x`` calls
the real ``hypothesis.strategies.x``, building any recipe passed to it first, so a
``@st.composite`` body drawing at draw time gets real strategies, and so does a module
imported after a test imported hypothesis.strategies alone.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any

_UNMADE = object()


class Lazy:
    """A hypothesis object not made yet: ``make()`` makes it, once, when first built."""

    __slots__ = ("_make", "_made")

    def __init__(self, make: Callable[[], Any]):
        self._make = make
        self._made = _UNMADE

    def build(self) -> Any:
        if self._made is _UNMADE:
            self._made = self._make()
        return self._made

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return Lazy(lambda: getattr(self.build(), name))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _hypothesis_loaded():  # at draw time (a @st.composite body): make it now
            return self.build()(*build(args), **build(kwargs))
        return Lazy(lambda: self.build()(*build(args), **build(kwargs)))

    def __or__(self, other: Any) -> Lazy:
        return Lazy(lambda: self.build() | build(other))

    def __ror__(self, other: Any) -> Lazy:
        return Lazy(lambda: build(other) | self.build())

    def __repr__(self) -> str:
        return "Lazy(not made)" if self._made is _UNMADE else f"Lazy({self._made!r})"


class LazyModule:
    """A module's attributes as ``Lazy`` recipes until the module is imported, then real."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        if _hypothesis_loaded():
            real = getattr(sys.modules[self._name], attr)
            if not callable(real) or isinstance(real, type):
                return real
            # a recipe made before hypothesis was loaded may still be passed in: build it
            return functools.wraps(real)(lambda *a, **k: real(*build(a), **build(k)))
        return Lazy(lambda: getattr(importlib.import_module(self._name), attr))

    def __repr__(self) -> str:
        return f"LazyModule({self._name!r})"


st = LazyModule("hypothesis.strategies")
hnp = LazyModule("hypothesis.extra.numpy")
_MODULES = ("hypothesis.strategies", "hypothesis.extra.numpy")


def _hypothesis_loaded() -> bool:
    return all(name in sys.modules for name in _MODULES)


def build(value: Any) -> Any:
    """``value`` with every ``Lazy`` in it (also inside tuples, lists and dicts) made;
    imports hypothesis first, so what is made from then on is real."""
    if not _hypothesis_loaded():
        for name in _MODULES:
            importlib.import_module(name)
    if isinstance(value, Lazy):
        return value.build()
    if isinstance(value, tuple):
        return tuple(build(v) for v in value)
    if isinstance(value, list):
        return [build(v) for v in value]
    if isinstance(value, dict):
        return {k: build(v) for k, v in value.items()}
    return value
