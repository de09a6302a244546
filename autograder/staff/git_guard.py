"""Student data written into a git work tree that does not ignore it: said once, on stderr.

The instructor commands write submissions' results, feedback, grade tables, the Gradescope
zip and the student bundle wherever they are told, often into the course's checkout. There
they are one ``git add -A`` away from the course repository. ``warn_if_unignored`` asks git
(``git check-ignore``); without git, or outside a work tree, it says nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

GIT_TIMEOUT_S = 10


def unignored_work_tree(path: Path | str, directory: bool = False) -> Path | None:
    """The root of the git work tree `path` lies in when git would not ignore it, else None
    (ignored, not in a work tree, no git). `path` need not exist yet."""
    git = shutil.which("git")
    if git is None:
        return None
    path = Path(path).absolute()
    here = path.parent
    while not here.is_dir() and here != here.parent:
        here = here.parent

    def ask(*argv: str) -> subprocess.CompletedProcess | None:
        try:
            return subprocess.run([git, "-C", str(here), *argv], capture_output=True, text=True,
                                  timeout=GIT_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError):
            return None

    top = ask("rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0 or not top.stdout.strip():
        return None
    root = Path(top.stdout.strip())
    name = str(path) + ("/" if directory or path.is_dir() else "")
    verdict = ask("check-ignore", "-q", "--no-index", name)
    return root if verdict is not None and verdict.returncode == 1 else None


def warn_if_unignored(option: str, path: Path | str, directory: bool = False) -> bool:
    """Print one warning line on stderr when `path` (given by `option`) is student data inside
    a git work tree that does not ignore it; True when it warned."""
    root = unignored_work_tree(path, directory)
    if root is None:
        return False
    print(f"autograder: warning: {option} {path} is inside the git work tree {root} and not "
          "ignored: student data is one `git add -A` away from the repository (add it to "
          ".gitignore).", file=sys.stderr)
    return True
