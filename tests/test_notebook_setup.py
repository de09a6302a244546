"""A notebook's set-up cells without matplotlib: one note, and numpy still defined after.

Each assignment notebook imports numpy (and its module) in its first code cell and asks
autograder.pyplot for matplotlib in the second. Here those two cells run, in a fresh
interpreter where `import matplotlib` fails, in the assignment's folder of the stubs.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import STUBS

from autograder.pyplot import NOTE

NOTEBOOKS = sorted(STUBS.glob("a*/*.ipynb"))
BLOCK = "import sys; sys.modules['matplotlib'] = None  # import matplotlib -> ImportError\n"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cells_run_without_matplotlib(notebook):
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    first, setup = ("".join(c["source"]) for c in cells[:2])
    assert "matplotlib" not in first and "pyplot()" in setup
    code = BLOCK + first + "\n" + setup + "\nprint('plt is', plt)\n"
    code += "print('np is here:', np.__name__)\n" if "numpy" in first else ""
    done = subprocess.run([sys.executable, "-c", code], cwd=notebook.parent,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[:2] == [NOTE, "plt is None"], done.stdout
    assert done.stderr == ""
    if "numpy" in first:
        assert "np is here: numpy" in done.stdout
