"""The visible checks as pytest items, so a student can run ``pytest assignments -m task1_3``.

``assignments/conftest.py`` (generated with the stubs) imports the two hooks below. Each
assignment's module file (``a1_perceptron/perceptron.py``) is collected as one item per
visible check, marked ``a1``, ``task1_3`` and ``task1.3`` (both spellings select it); the
check runs exactly as in grading, in the sandboxed worker, and a failure shows the same
message a grader would write. A ``-m`` expression naming a task or assignment the kit does
not have is a usage error, not a run that silently selects nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.checks import suite
from autograder.checks.framework import Check, Student, run_check

_NAMED = re.compile(r"(?<![\w.])(task[\w.]*|a\d+)(?![\w.])")
"""Words of a -m expression that name a task (task1_3, task1.3) or an assignment (a1)."""


def _marker(task_id: str) -> str:
    return "task" + task_id.replace(".", "_")


def _markers(task_id: str) -> tuple[str, str]:
    """Both spellings a student may type: task1_3 and task1.3."""
    return _marker(task_id), "task" + task_id


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers of every assignment and task, so ``-m`` needs no pytest.ini, and
    refuse a ``-m`` that names one that does not exist."""
    known = set()
    for s in suite(include_hidden=False):
        config.addinivalue_line("markers", f"{s.assignment.id}: checks of {s.assignment.title}")
        known.add(s.assignment.id)
        for task in s.assignment.tasks:
            for name in _markers(task.id):
                config.addinivalue_line("markers", f"{name}: task {task.id} {task.title}")
                known.add(name)
    expression = config.getoption("markexpr", "") or ""
    unknown = sorted(set(_NAMED.findall(expression)) - known)
    if unknown:
        tasks = sorted(m for m in known if m.startswith("task") and "_" in m)
        raise pytest.UsageError(
            f"-m {expression!r}: no assignment or task called {', '.join(unknown)}."
            f" Tasks: {' '.join(tasks)} (or task1.3 style); assignments: a1 a2 a3 a4."
        )


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
            for name in _markers(check.task):
                item.add_marker(name)
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
