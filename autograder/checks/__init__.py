"""The checks of every assignment: visible ones here, hidden ones in staff/hidden_checks/.

``suite()`` gathers, per assignment, its point table and its checks. Hidden checks are
included only when their module exists (it is absent from the student bundle) and asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from autograder.checks.framework import Assignment, Check

ASSIGNMENT_MODULES = ("a1", "a2", "a3", "a4")
HIDDEN_PACKAGE = "autograder.staff.hidden_checks"  # absent from the student bundle


@dataclass(frozen=True)
class AssignmentSuite:
    """An assignment with the checks that grade it, in a fixed order (task, then file order)."""

    assignment: Assignment
    checks: tuple[Check, ...]


def _hidden_checks(name: str) -> list[Check]:
    try:
        module = importlib.import_module(f"{HIDDEN_PACKAGE}.{name}")
    except ModuleNotFoundError as error:
        if error.name in (f"{HIDDEN_PACKAGE}.{name}", HIDDEN_PACKAGE, "autograder.staff"):
            return []
        raise
    return list(module.CHECKS)


def suite(include_hidden: bool = True) -> list[AssignmentSuite]:
    """Every assignment whose visible checks module exists, with its checks."""
    suites = []
    for name in ASSIGNMENT_MODULES:
        try:
            module = importlib.import_module(f"autograder.checks.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"autograder.checks.{name}":
                continue
            raise
        checks = list(module.CHECKS)
        if include_hidden:
            checks += _hidden_checks(name)
        order = {task.id: i for i, task in enumerate(module.ASSIGNMENT.tasks)}
        checks.sort(key=lambda check: order[check.task])  # stable: file order within a task
        suites.append(AssignmentSuite(module.ASSIGNMENT, tuple(checks)))
    return suites
