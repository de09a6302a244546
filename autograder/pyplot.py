"""The notebooks' matplotlib, or None with a one-line note: plots are optional, numbers are not.

A notebook's set-up cell calls ``pyplot()``; without matplotlib (an install without the
``notebooks`` or ``nbgrader`` extra) it prints why the plots are missing and returns None,
so the cells that compute still run (before, one failed import left ``np`` undefined in
every later cell).
"""

from __future__ import annotations

import sys
import warnings

NOTE = ("matplotlib is not installed: the plots are skipped "
        "(python -m pip install matplotlib).")


def pyplot():
    """matplotlib.pyplot (off-screen outside a Jupyter kernel, inline inside one), or None."""
    try:
        import matplotlib
    except ImportError:
        print(NOTE)
        return None
    if "ipykernel" not in sys.modules:  # plain python / CI without a notebook: off-screen
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    warnings.filterwarnings("ignore", module="matplotlib")  # font-cache chatter, not yours
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is not None and "ipykernel" in sys.modules:
        shell.run_line_magic("matplotlib", "inline")
    return plt
