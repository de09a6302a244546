"""Is the staff package reachable from this Python? The check a student-facing kernel runs.

On a shared JupyterHub every student can read what is installed in the kernel's Python, so
an install of the instructor's checkout there (``pip install .``) hands every student the
hidden checks and the misconception catalogue (autograder/staff/). The notebooks' cells call
``staff_reachable()`` and print its warning; it only looks (``importlib.util.find_spec``),
it never imports the staff package or anything that holds answers. Which package to look
for comes from the registered entry points (the context factory's package), not a name here.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

SECRETS = ("hidden_checks", "misconceptions")
"""What in the staff package gives answers away, by folder name."""
STAFF_KERNEL_ENV = "BACKPROP_LAB_STAFF_KERNEL"
"""Set to 1 in a kernel only staff use (the instructor's own checkout): no warning."""


def registered_packages() -> list[str]:
    """The packages holding a registered context factory (``backprop_lab.context``), e.g.
    the one its entry point "pkg.sub.context:factory" lies in: "pkg.sub". The student bundle
    registers none; the instructor's install (metadata or its pyproject) does."""
    from autograder.context import ENTRY_POINT_GROUP, registered

    found = [point.value.partition(":")[0].rpartition(".")[0]
             for point in registered(ENTRY_POINT_GROUP)]
    return list(dict.fromkeys(name for name in found if name))


def staff_reachable() -> str | None:
    """The warning to show when this Python can import the staff package (naming where it
    lies and what a student could read there), or None when it cannot."""
    for package in registered_packages():
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            return _warning(Path(next(iter(spec.submodule_search_locations))))
    return None


def _warning(folder: Path) -> str:
    """The banner for a reachable staff package at ``folder``."""
    found = [name for name in SECRETS if (folder / name).exists()]
    what = " and ".join(found) if found else "the staff modules"
    return (f"WARNING: this Python can import the kit's staff package ({folder}): anyone "
            f"who runs code here can read the {what}. A kernel that runs student "
            "notebooks must have the student bundle installed, not the instructor's "
            "checkout (docs/NBGRADER.md, JupyterHub). Staff-only kernel: set "
            f"{STAFF_KERNEL_ENV}=1.")


def warning_once() -> str | None:
    """staff_reachable()'s warning the first time it is asked for in this process (unless
    $BACKPROP_LAB_STAFF_KERNEL=1), else None: one banner per kernel, not one per cell."""
    global _warned
    if _warned or os.environ.get(STAFF_KERNEL_ENV) == "1":
        return None
    _warned = True
    return staff_reachable()


_warned = False
