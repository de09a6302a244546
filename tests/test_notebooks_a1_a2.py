"""A1/A2 notebooks exercise every task: with one function stubbed, that stub is the only failure.

(Clean reference runs and stopping at the first stub are tested for all notebooks in
test_notebooks.py.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.staff import stubs

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = {
    "a1_perceptron": ("perceptron.py", "a1_perceptron.ipynb"),
    "a2_gradient_descent": ("gradient_descent.py", "a2_gradient_descent.ipynb"),
}
TIMEOUT_S = 120  # per cell; every cell here takes well under a second


def run(folder: Path, notebook: str):
    """Execute the notebook with ``folder`` as working directory; return (nb, error or None)."""
    nb = nbformat.read(folder / notebook, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        return nb, exc
    return nb, None


def _cases():
    for assignment, (module, _) in NOTEBOOKS.items():
        source = (REPO / "reference_solution" / assignment / module).read_text()
        for block in stubs.find_blocks(source, module):
            yield pytest.param(assignment, block, id=f"{assignment}-{block.function}")


@pytest.mark.parametrize(("assignment", "block"), list(_cases()))
def test_each_unfinished_function_is_the_only_failure(assignment, block, tmp_path):
    """Reference module with ONE block stubbed: the notebook reaches that function and
    fails there with its NotImplementedError, and nothing else goes wrong on the way."""
    module, notebook = NOTEBOOKS[assignment]
    source = (REPO / "reference_solution" / assignment / module).read_text()
    lines = source.splitlines(keepends=True)
    others = {b.begin for b in stubs.find_blocks(source, module) if b != block}
    others |= {b.end for b in stubs.find_blocks(source, module) if b != block}
    kept = "".join(line for n, line in enumerate(lines, 1) if n not in others)
    shutil.copy(REPO / "reference_solution" / assignment / notebook, tmp_path / notebook)
    (tmp_path / module).write_text(stubs.make_stub(kept, module))
    _, error = run(tmp_path, notebook)
    assert error is not None, f"the notebook never calls {block.function}"
    assert error.ename == "NotImplementedError"
    assert error.evalue == f"Task {block.task}: implement {block.function}"
