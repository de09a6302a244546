"""The checks of every assignment: visible ones here, hidden ones named by the context.

``suite()`` gathers, per assignment, its point table and its checks. Hidden checks are
included only when the grading context names them (the student's names none).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from autograder.checks.framework import Assignment, Check

ASSIGNMENT_MODULES = ("a1", "a2", "a3", "a4")


@dataclass(frozen=True)
class AssignmentSuite:
    """An assignment with the checks that grade it, in a fixed order (task, then file order)."""

    assignment: Assignment
    checks: tuple[Check, ...]


def suite(include_hidden: bool = True, context=None) -> list[AssignmentSuite]:
    """Every assignment whose visible checks module exists, with its checks; the hidden ones
    come from ``context`` (a GradingContext; default: the installation's, see
    autograder/context.py, when ``include_hidden``)."""
    if context is None and include_hidden:
        from autograder.context import default_context

        context = default_context()
    suites = []
    for name in ASSIGNMENT_MODULES:
        try:
            module = importlib.import_module(f"autograder.checks.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"autograder.checks.{name}":
                continue
            raise
        checks = list(module.CHECKS)
        hidden = context.hidden_module(name) if context is not None else None
        if hidden:
            checks += list(importlib.import_module(hidden).CHECKS)
        order = {task.id: i for i, task in enumerate(module.ASSIGNMENT.tasks)}
        checks.sort(key=lambda check: order[check.task])  # stable: file order within a task
        suites.append(AssignmentSuite(module.ASSIGNMENT, tuple(checks)))
    return suites
