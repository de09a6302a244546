"""The visible checks as pytest items, so a student can run ``pytest assignments -m task1_3``.

``assignments/conftest.py`` (generated with the stubs) imports the two hooks below. Each
assignment's module file (``a1_perceptron/perceptron.py``) is collected as one item per
visible check, marked ``a1`` and ``task1_3``; the check runs exactly as in grading, in the
sandboxed worker, and a failure shows the same message a grader would write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.checks import suite
from autograder.checks.framework import Check, Student, run_check


def _marker(task_id: str) -> str:
    return "task" + task_id.replace(".", "_")


def pytest_configure(config: pytest.Config) -> None:
    """Register one marker per assignment and per task, so ``-m`` needs no pytest.ini."""
    for s in suite(include_hidden=False):
        config.addinivalue_line("markers", f"{s.assignment.id}: checks of {s.assignment.title}")
        for task in s.assignment.tasks:
            config.addinivalue_line("markers", f"{_marker(task.id)}: task {task.id} {task.title}")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Collect ``aN_folder/module.py`` as the visible checks of that assignment."""
    for s in suite(include_hidden=False):
        a = s.assignment
        if file_path.name == f"{a.module}.py" and file_path.parent.name == a.folder:
            return AssignmentChecks.from_parent(parent, path=file_path, suite=s)
    return None


class AssignmentChecks(pytest.File):
    """One assignment's module file, seen as the list of its visible checks."""

    def __init__(self, *, suite, **kwargs):
        super().__init__(**kwargs)
        self.suite = suite

    def collect(self):
        for check in self.suite.checks:
            item = CheckItem.from_parent(self, name=f"{check.task} {check.name}", check=check)
            item.add_marker(self.suite.assignment.id)
            item.add_marker(_marker(check.task))
            yield item


_WORKERS: dict[Path, object] = {}


def _student(folder: Path, module: str, assignment=None) -> Student:
    """One worker per assignment folder for the whole pytest session."""
    from autograder.isolation.worker import Worker

    if folder not in _WORKERS:
        worker = Worker(folder)
        _WORKERS[folder] = worker
    return Student(_WORKERS[folder], module, assignment=assignment)


def pytest_unconfigure(config: pytest.Config) -> None:
    for worker in _WORKERS.values():
        worker.close()
    _WORKERS.clear()


class CheckFailed(Exception):
    """Carries a check's message to pytest's report."""


class CheckItem(pytest.Item):
    """A single visible check, run in the sandboxed worker."""

    def __init__(self, *, check: Check, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        a = self.parent.suite.assignment
        outcome = run_check(self.check, _student(self.path.parent, a.module, a))
        if not outcome.passed:
            raise CheckFailed(outcome.message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return f"Task {self.check.task} ({self.check.function}): {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"task {self.check.task}: {self.check.name}"
