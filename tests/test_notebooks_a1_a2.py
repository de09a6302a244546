"""The A1/A2 notebooks run clean on the reference and stop only at a stub's NotImplementedError."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder import stubs

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


def stream(nb, name: str) -> str:
    return "".join(
        out.get("text", "")
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == name
    )


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_reference_notebook_runs_top_to_bottom_without_stderr(assignment):
    _, notebook = NOTEBOOKS[assignment]
    nb, error = run(REPO / "reference_solution" / assignment, notebook)
    assert error is None, f"{notebook} failed: {error}"
    assert stream(nb, "stderr") == ""
    assert "BEGIN SOLUTION" not in (REPO / "reference_solution" / assignment / notebook).read_text()


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_stub_notebook_stops_at_the_first_task(assignment):
    _, notebook = NOTEBOOKS[assignment]
    _, error = run(REPO / "assignments" / assignment, notebook)
    assert error is not None and error.ename == "NotImplementedError"
    assert error.evalue.startswith(f"Task {assignment[1]}.1: ")


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
