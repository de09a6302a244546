"""A student works in order: with tasks 1..k filled in, the notebook's sections of tasks 1..k run.

For every assignment and every k, the module is the stub with the reference's bodies of its
first k tasks (the solution markers of autograder/staff/stubs.py), the notebook runs to the end
with nbclient (errors allowed, so every cell runs), and:
- no cell before the first task heading, or in the section of task 1..k, has an error (a
  section runs from its "## Task N.M" heading to the next one);
- the first error is the next task's own NotImplementedError, in that task's section (each
  task's section calls its task, and needs no later one);
- each task's check cell (autograder.notebook.check) shows full marks for tasks 1..k and
  "not implemented yet" for the next one.
With every task filled in, the notebooks are test_notebooks.py's reference runs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograder.staff import stubs

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
MODULES = {"a1_perceptron": "perceptron.py", "a2_gradient_descent": "gradient_descent.py",
           "a3_backprop": "engine.py", "a4_mlp": "mlp.py"}
TASK_HEADING = re.compile(r"^## Task (\d+\.\d+)\b")
CHECK_CELL = re.compile(r'^check\("(\d+\.\d+)"\)$', re.M)
CELL_TIMEOUT = 120  # seconds; only catches a hang


def tasks_of(folder: str) -> list[str]:
    """The tasks of the reference module, in order of their numbers."""
    source = (REFERENCE / folder / MODULES[folder]).read_text()
    found = {b.task for b in stubs.find_blocks(source, MODULES[folder])}
    return sorted(found, key=lambda t: tuple(map(int, t.split("."))))


def module_up_to(folder: str, done: set[str]) -> str:
    """The stub with the reference's bodies of the tasks in ``done`` (their markers dropped)."""
    name = MODULES[folder]
    source = (REFERENCE / folder / name).read_text()
    markers = {line for b in stubs.find_blocks(source, name) if b.task in done
               for line in (b.begin, b.end)}
    kept = "".join(line for number, line in enumerate(source.splitlines(keepends=True), 1)
                   if number not in markers)
    return stubs.make_stub(kept, name)


def sections(nb) -> list[str | None]:
    """Per cell, the task whose section it is in (None before the first task heading)."""
    current, out = None, []
    for cell in nb.cells:
        heading = TASK_HEADING.match(cell.source) if cell.cell_type == "markdown" else None
        current = heading.group(1) if heading else current
        out.append(current)
    return out


def errors(cell) -> list:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def _cases():
    for folder in MODULES:
        tasks = tasks_of(folder)
        for k in range(len(tasks)):
            yield pytest.param(folder, k, id=f"{folder}-first-{k}")


@pytest.mark.parametrize(("folder", "k"), list(_cases()))
def test_sections_of_the_tasks_done_run_and_stop_at_the_next_task(folder, k, tmp_path):
    tasks = tasks_of(folder)
    done, following = set(tasks[:k]), tasks[k]
    notebook = f"{folder}.ipynb"
    shutil.copy(REFERENCE / folder / notebook, tmp_path / notebook)
    (tmp_path / MODULES[folder]).write_text(module_up_to(folder, done))
    nb = nbformat.read(tmp_path / notebook, as_version=4)
    assert set(tasks) <= set(sections(nb)), "every task needs its '## Task N.M' heading"
    nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    where = sections(nb)
    first_error = None
    for number, cell in enumerate(nb.cells):
        failed = errors(cell)
        if where[number] is None or where[number] in done:
            assert not failed, (f"cell {number} (section {where[number]}) failed with tasks"
                                f" {sorted(done)} done: {failed[0].ename}: {failed[0].evalue}"
                                f"\n{cell.source}")
        elif failed and first_error is None:
            first_error = (number, failed[0])
        if cell.cell_type == "code" and CHECK_CELL.search(cell.source):
            task = CHECK_CELL.search(cell.source).group(1)
            text = printed(cell)
            assert not failed and "could not run" not in text, (task, text)
            if task in done:
                row = re.search(rf"^  {re.escape(task)} +(\S+)/(\S+) +(\d+)/(\d+)  ", text, re.M)
                assert row and row[1] == row[2] and row[3] == row[4], text
            elif task == following:
                assert f"not implemented yet (Task {task})" in text, text
    assert first_error is not None, f"no cell of the notebook needs task {following}"
    number, error = first_error
    assert where[number] == following, f"cell {number}: the first failure is not in {following}"
    assert error.ename == "NotImplementedError", f"{error.ename}: {error.evalue}"
    assert error.evalue.startswith(f"Task {following}:"), error.evalue


NO_MATPLOTLIB = "import sys\nsys.modules['matplotlib'] = None  # import matplotlib -> ImportError"


@pytest.mark.parametrize("folder", list(MODULES))
def test_without_matplotlib_every_plot_is_skipped_with_a_line(folder, tmp_path):
    shutil.copytree(REFERENCE / folder, tmp_path / folder)
    nb = nbformat.read(tmp_path / folder / f"{folder}.ipynb", as_version=4)
    plotting = [c for c in nb.cells if c.cell_type == "code" and "plt." in c.source]
    assert plotting, "the notebook draws no plot"
    nb.cells.insert(0, nbformat.v4.new_code_cell(NO_MATPLOTLIB))
    nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path / folder)}}).execute()
    for cell in plotting:
        assert "matplotlib is not installed: this plot is skipped." in printed(cell), cell.source
