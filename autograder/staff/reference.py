"""Load the reference solution's modules, on the trusted side only.

Hidden checks compute expected values from these. The modules are loaded by file path
from ``reference_solution/`` under private names, so they can never be confused with a
submission's modules of the same name (those only ever live in the worker).
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path
from types import ModuleType

MODULE_FOLDERS = {
    "perceptron": "a1_perceptron",
    "gradient_descent": "a2_gradient_descent",
    "engine": "a3_backprop",
    "mlp": "a4_mlp",
}


class ReferenceMissing(RuntimeError):
    """The reference solution is not on this machine (e.g. in a student bundle)."""


def reference_root() -> Path:
    """``reference_solution/`` of this checkout, or $BACKPROP_LAB_REFERENCE."""
    override = os.environ.get("BACKPROP_LAB_REFERENCE")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "reference_solution"


@cache
def load(module: str) -> ModuleType:
    """The reference module ``module`` (e.g. "perceptron"), imported once per process."""
    path = reference_root() / MODULE_FOLDERS[module] / f"{module}.py"
    if not path.is_file():
        raise ReferenceMissing(
            f"the reference solution {path} is missing: hidden checks need it. Students run"
            " only the visible checks (autograder check)."
        )
    spec = importlib.util.spec_from_file_location(f"_backprop_lab_reference.{module}", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def missing() -> str:
    """Why the reference cannot be used here ("" when every module is present)."""
    root = reference_root()
    absent = [
        f"{folder}/{module}.py"
        for module, folder in MODULE_FOLDERS.items()
        if not (root / folder / f"{module}.py").is_file()
    ]
    if not absent:
        return ""
    return (
        f"the reference solution is missing at {root} ({', '.join(absent)}): hidden checks"
        " need it (set BACKPROP_LAB_REFERENCE to the reference_solution/ folder)"
    )


def available() -> bool:
    """True when the reference solution is present (instructor's checkout, CI, Gradescope)."""
    return all(
        (reference_root() / folder / f"{module}.py").is_file()
        for module, folder in MODULE_FOLDERS.items()
    )
