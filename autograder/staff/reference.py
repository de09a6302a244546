"""Locate and load the reference solution, on the trusted side only.

Hidden checks compute expected values from these modules. Where the reference is comes
from one place, decided once per grading run and reported in every result:

1. ``--reference DIR`` (grade, grade-all, gradescope), passed here as ``explicit``;
2. the environment variable ``BACKPROP_LAB_REFERENCE``;
3. the instructor's checkout the command runs from: the current directory or one of its
   parents holding ``reference_solution/``;
4. the checkout this package itself lives in (an editable install or a source tree).

A wheel installed into site-packages has no reference beside it, so there it must be named
(1 or 2) or found from the working directory (3). No module state: a grading's
``Reference`` comes with its context. DIR may be the ``reference_solution/``
folder itself or a checkout holding one. The modules are loaded by file path under private
names, so they can never be confused with a submission's modules of the same name (those
only ever live in the worker).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

ENV = "BACKPROP_LAB_REFERENCE"
FOLDER = "reference_solution"



def module_folders() -> dict[str, str]:
    """Module -> folder of every assignment the kit knows ("perceptron" -> "a1_perceptron"),
    from the assignments' own definitions (autograder/checks/aN.py), so a new assignment
    needs no entry here."""
    from autograder.checks import suite

    return {s.assignment.module: s.assignment.folder for s in suite(include_hidden=False)}

class ReferenceMissing(RuntimeError):
    """The reference solution is not on this machine (e.g. in a student bundle)."""


def _complete(folder: Path) -> bool:
    return all((folder / d / f"{m}.py").is_file() for m, d in module_folders().items())


def _as_reference(directory: Path) -> Path:
    """``directory`` itself when it holds the assignment modules, else its reference_solution/."""
    if _complete(directory) or not (directory / FOLDER).is_dir():
        return directory
    return directory / FOLDER


def candidates(explicit: Path | str | None = None) -> list[tuple[str, Path]]:
    """(how it was found, folder) in the order they are tried; the first existing one wins,
    except that an explicit choice (option or environment) is never passed over."""
    if explicit:
        return [("--reference", _as_reference(Path(explicit)))]
    if os.environ.get(ENV):
        return [(f"${ENV}", _as_reference(Path(os.environ[ENV])))]
    here = Path.cwd().resolve()
    found = [("checkout of the working directory", d / FOLDER) for d in (here, *here.parents)]
    found.append(("the package's checkout", Path(__file__).resolve().parents[2] / FOLDER))
    return found


def locate(explicit: Path | str | None = None) -> Path:
    """The reference solution folder; ReferenceMissing says where it looked and what to do."""
    tried = candidates(explicit)
    for _, folder in tried:
        if _complete(folder):
            return folder.resolve()
    how, first = tried[0]
    if len(tried) == 1:
        absent = [
            f"{d}/{m}.py" for m, d in module_folders().items() if not (first / d / f"{m}.py")
            .is_file()
        ]
        raise ReferenceMissing(
            f"the reference solution is missing at {first} (given by {how}; lacks"
            f" {', '.join(absent)}): hidden checks need every assignment's module."
        )
    raise ReferenceMissing(
        f"the reference solution is missing: no {FOLDER}/ in {Path.cwd()}, its parents or"
        f" {tried[-1][1].parent}; hidden checks need it. Pass --reference DIR, set {ENV}=DIR,"
        " or run from the instructor's checkout (students: autograder check runs the visible"
        " checks)."
    )


@dataclass(frozen=True)
class Reference:
    """One reference solution folder and its modules: what a grading's hidden checks and
    misconception catalogue compute expected values from. A grading gets its own from its
    context (``GradingContext.reference_solution()``), so two gradings with two references
    in one process never read each other's."""

    root: Path

    def load(self, module: str) -> ModuleType:
        """The reference module ``module`` (e.g. "perceptron") of this folder, imported once."""
        return _load(self.root, module)


def for_folder(folder: Path | str) -> Reference:
    """The Reference of ``folder`` (the context's reference loader: "module:function")."""
    return Reference(Path(folder).resolve())


def located(explicit: Path | str | None = None) -> Reference:
    """The Reference ``locate`` finds (tests, benchmarks and tools outside a grading)."""
    return Reference(locate(explicit))


def reference_root() -> Path:
    """``locate()``'s folder, else (none found) the first place looked, which does not
    exist: callers that only probe get a path."""
    try:
        return locate()
    except ReferenceMissing:
        return candidates()[0][1]


def load(module: str) -> ModuleType:
    """The located reference's module ``module``, for tests and tools outside a grading
    (a grading reads its context's Reference); ReferenceMissing says where it looked."""
    return _load(locate(), module)


@cache
def _load(root: Path, module: str) -> ModuleType:
    path = root / module_folders()[module] / f"{module}.py"
    if not path.is_file():
        raise ReferenceMissing(f"the reference solution {path} is missing: hidden checks need it.")
    spec = importlib.util.spec_from_file_location(f"_backprop_lab_reference.{module}", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def missing(explicit: Path | str | None = None) -> str:
    """Why no reference can be used here ("" when one is found)."""
    try:
        locate(explicit)
    except ReferenceMissing as error:
        return str(error)
    return ""


def available() -> bool:
    """True when a reference solution can be found (instructor's checkout, CI, Gradescope)."""
    return not missing()
