"""Everything one grading depends on, as one plain value (picklable, sent to workers).

``GradingContext`` names the reference folder (None: visible checks only), the modules
holding each assignment's hidden checks, the misconception catalogue's explain function,
the loader the hidden checks read the reference through, the limits and the kit version.
Names are dotted strings supplied by whoever builds the context (the staff side), so the
shipped core names no staff module and a context pickles as plain data. ``student_context``
is the student's: no hidden checks, no reference, no catalogue.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import autograder

SUBMISSION_BUDGET_SECONDS = 600.0
"""Wall time one submission may use in all. The reference needs about 10 s; a submission
that has used 10 minutes is looping or crawling, and a batch of 300 must still finish."""


@dataclass(frozen=True)
class GradingContext:
    """What a grading depends on, besides the submission: plain, frozen, picklable."""

    reference: str | None = None
    """The reference solution folder the hidden checks read (resolved), or None."""
    hidden_checks: tuple[tuple[str, str], ...] = ()
    """(assignment module "a1", module defining its hidden ``CHECKS``) pairs."""
    reference_loader: str | None = None
    """"module:function" making the reference's loader from the folder (reference_solution)."""
    explain: str | None = None
    """"module:function" of the misconception catalogue's explain (None: no diagnosis)."""
    budget_seconds: float = SUBMISSION_BUDGET_SECONDS
    kit_version: str = field(default_factory=lambda: autograder.__version__)
    reference_missing: str = ""
    """Why there is no reference although hidden checks are named (where it looked)."""
    probe_files: tuple[str, ...] = ()
    """Files a worker must fail to read (a hidden-check module), besides the reference."""
    probe_folders: tuple[str, ...] = ()
    """Reference folders a worker must fail to read although this grading does not use
    them (visible-only grading on the staff's machine)."""

    @property
    def include_hidden(self) -> bool:
        return bool(self.hidden_checks)

    def hidden_module(self, assignment: str) -> str | None:
        """The module of ``assignment``'s hidden checks in this context, if any."""
        return dict(self.hidden_checks).get(assignment)

    def visible_only(self) -> GradingContext:
        """This context without the hidden checks (what ``check`` grades)."""
        kept = (self.reference,) if self.reference else ()
        return replace(self, hidden_checks=(), reference=None, reference_loader=None,
                       probe_folders=kept + self.probe_folders)

    def with_budget(self, seconds: float) -> GradingContext:
        return replace(self, budget_seconds=seconds)

    def explainer(self) -> Callable | None:
        """The catalogue's explain function, imported by name (None without one)."""
        if not self.explain:
            return None
        module, _, name = self.explain.partition(":")
        return getattr(importlib.import_module(module), name)

    def reference_solution(self):
        """The loader of this context's reference (``.load(module)`` gives a reference module,
        ``.root`` its folder), built by the factory ``reference_loader`` names; None without
        a reference. A grading hands it to its checks and catalogue: no module state."""
        if not (self.reference_loader and self.reference):
            return None
        module, _, name = self.reference_loader.partition(":")
        return getattr(importlib.import_module(module), name)(self.reference)


def student_context(budget_seconds: float = SUBMISSION_BUDGET_SECONDS) -> GradingContext:
    """The student's context: visible checks only, no reference, no catalogue."""
    return GradingContext(budget_seconds=budget_seconds)


ENTRY_POINT_GROUP = "backprop_lab.context"
"""Where an installed staff side registers its context factory (pyproject.toml); the
student bundle registers none, so there ``default_context`` is the student's."""


def default_context(
    include_hidden: bool = True,
    reference: str | None = None,
    budget_seconds: float = SUBMISSION_BUDGET_SECONDS,
) -> GradingContext:
    """The richest context this installation can build: the registered factory's when one
    is installed (called with reference=, include_hidden=, budget_seconds=), else the
    student's. For callers that pass no context."""
    for point in registered(ENTRY_POINT_GROUP):
        try:
            factory = point.load()
        except ImportError:
            continue  # registered but not installed (a bundle built from a stale checkout)
        return factory(reference=reference, include_hidden=include_hidden,
                       budget_seconds=budget_seconds)
    return student_context(budget_seconds)


def registered(group: str) -> list:
    """The entry points of ``group``: those of the installed distribution, then those the
    kit's own pyproject.toml declares. A kit run uninstalled from PYTHONPATH (Gradescope's
    container, a checkout) has no installed metadata, so the declared table stands in;
    an entry whose module is absent (the student bundle) fails to load and is skipped."""
    from importlib import metadata

    points = [p for p in _installed_points(metadata.entry_points) if p.group == group]
    table = _declared_points().get(group, {})
    return points + [metadata.EntryPoint(name, value, group) for name, value in table.items()]


@functools.lru_cache(maxsize=4)
def _installed_points(finder: Callable) -> tuple:
    """Every installed entry point, of every group: ONE scan of the installed distributions
    per process (a scan reads each one's metadata: ~30 ms in a staff venv, paid by every
    ``autograder`` command up to three times before). Keyed by ``finder`` (normally
    importlib.metadata.entry_points), so a test that replaces it is asked afresh."""
    found = finder()
    if isinstance(found, dict):  # Python 3.10/3.11: a dict of group -> its entry points,
        import warnings  # whose dict reading is deprecated in favour of 3.12's flat tuple

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            found = [point for points in found.values() for point in points]
    return tuple(found)


@functools.lru_cache(maxsize=1)
def _declared_points() -> dict:
    """group -> {name: value} of the kit's own pyproject.toml ({} when there is none, it is
    not the kit's, or this Python has no tomllib)."""
    pyproject = Path(autograder.__file__).resolve().parent.parent / "pyproject.toml"
    try:
        import tomllib

        project = tomllib.loads(pyproject.read_text()).get("project", {})
    except (ImportError, OSError, ValueError):  # Python 3.10, no file, not TOML
        return {}
    if project.get("name") != "backprop-lab":
        return {}
    return project.get("entry-points", {})
