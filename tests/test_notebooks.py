"""Every reference notebook runs top to bottom cleanly; every stub notebook stops at a stub.

Reference notebooks: no error and nothing written to stderr (warnings included).
Stub notebooks (generated to a temp dir from reference_solution/): the first error must be
the stub's own ``NotImplementedError("Task N.M: ...")``, never an ImportError, NameError or
a bug in the notebook itself.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
from nbclient.exceptions import CellExecutionError  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference_solution"
NOTEBOOKS = sorted(REFERENCE.glob("*/*.ipynb"))
# Wall seconds per cell: each reference notebook takes a few seconds in all; 120 s only
# catches a hang.
CELL_TIMEOUT = 120

pytestmark = pytest.mark.slow


def run_notebook(path: Path) -> nbformat.NotebookNode:
    """Execute a notebook in its own folder (so `from mlp import ...` finds the module)."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


def ids(paths):
    return [f"{p.parent.name}/{p.name}" for p in paths]


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks under {REFERENCE}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_reference_notebook_runs_cleanly(path):
    nb = run_notebook(path)
    for number, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"cell {number}: {output.get('evalue')}"
            if output.output_type == "stream":
                assert output.name != "stderr", f"cell {number} wrote to stderr: {output.text}"


@pytest.fixture(scope="module")
def stub_root(tmp_path_factory):
    if importlib.util.find_spec("autograder.staff.stubs") is None:
        pytest.skip("autograder.staff.stubs (the stub generator) does not exist yet")
    from autograder.staff import stubs

    out = tmp_path_factory.mktemp("assignments")
    stubs.generate(REFERENCE, out)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_stub_notebook_fails_only_at_a_stub(path, stub_root):
    stub_notebook = stub_root / path.parent.name / path.name
    assert stub_notebook.is_file(), f"the stub generator did not copy {path.name}"
    with pytest.raises(CellExecutionError) as info:
        run_notebook(stub_notebook)
    error = info.value
    assert error.ename == "NotImplementedError", f"first error: {error.ename}: {error.evalue}"
    assert error.evalue.startswith("Task "), error.evalue
