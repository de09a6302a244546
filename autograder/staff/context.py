"""The staff's grading context: hidden checks, the reference, the misconception catalogue.

Only this side knows where they live; it hands them to the core as names in a
``GradingContext`` (autograder/context.py), which pickles and travels to any worker.
"""

from __future__ import annotations

from pathlib import Path

from autograder.checks import ASSIGNMENT_MODULES
from autograder.context import SUBMISSION_BUDGET_SECONDS, GradingContext

HIDDEN_PACKAGE = "autograder.staff.hidden_checks"
REFERENCE_LOADER = "autograder.staff.reference:for_folder"
EXPLAIN = "autograder.staff.misconceptions:explain"


def hidden_files() -> tuple[str, ...]:
    """A hidden-check module on this machine: a worker must fail to read it."""
    folder = Path(__file__).resolve().parent / "hidden_checks"
    found = sorted(folder.glob("a*.py"))
    return (str(found[0]),) if found else ()


def staff_context(
    reference: Path | str | None = None,
    include_hidden: bool = True,
    budget_seconds: float = SUBMISSION_BUDGET_SECONDS,
) -> GradingContext:
    """The context the staff grade with. ``reference`` as ``--reference`` (default: located
    as reference.locate says); without one the context says why (``reference_missing``) and
    grading anything hidden is NotGraded with that reason."""
    from autograder.staff import reference as loader

    folder, why = None, ""
    try:
        folder = str(loader.locate(reference))
    except loader.ReferenceMissing as error:
        why = str(error)
    if not include_hidden:
        return GradingContext(explain=EXPLAIN, budget_seconds=budget_seconds,
                              probe_files=hidden_files(),
                              probe_folders=(folder,) if folder else ())
    return GradingContext(
        reference=folder,
        reference_missing=why,
        hidden_checks=tuple((a, f"{HIDDEN_PACKAGE}.{a}") for a in ASSIGNMENT_MODULES),
        reference_loader=REFERENCE_LOADER,
        explain=EXPLAIN,
        budget_seconds=budget_seconds,
        probe_files=hidden_files(),
    )
