"""Build submissions from the corpus: a reference module with a snippet appended.

A corpus entry (``tests/corpus/buggy/*.py``, ``tests/corpus/alternative/*.py``) is a short
file whose header names the module it patches; appending it to the reference module makes
its definitions replace the reference's. One source of truth: the entry holds only the
difference, never a second copy of the solution.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

HEADER = re.compile(r"^#\s*(target|bug|why|loses|names):\s*(.*)$")


@dataclass(frozen=True)
class CorpusEntry:
    """One buggy or alternative submission, as described by its header."""

    path: Path
    target: str
    description: str
    loses: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def folder(self) -> str:
        return self.target.split("/")[0]


def read_entry(path: Path) -> CorpusEntry:
    """Parse the header lines of a corpus file."""
    fields: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        match = HEADER.match(line.strip())
        if match:
            fields[match.group(1)] = match.group(2).strip()
    if "target" not in fields:
        raise ValueError(f"{path}: a corpus entry needs a '# target: folder/module.py' line")
    loses = fields.get("loses", "none")
    return CorpusEntry(
        Path(path),
        fields["target"],
        fields.get("bug") or fields.get("why", ""),
        () if loses.lower() == "none" else tuple(loses.replace(",", " ").split()),
        tuple(fields.get("names", "").replace(",", " ").split()),
    )


def entries(corpus_dir: Path) -> list[CorpusEntry]:
    """Every entry of a corpus folder, sorted by name."""
    return [read_entry(p) for p in sorted(Path(corpus_dir).glob("*.py"))]


def materialize(entry: CorpusEntry, reference_root: Path, out_root: Path) -> Path:
    """Write a one-assignment submission for ``entry`` under ``out_root/entry.name``."""
    submission = Path(out_root) / entry.name
    folder = submission / entry.folder
    if submission.exists():
        shutil.rmtree(submission)
    shutil.copytree(
        Path(reference_root) / entry.folder,
        folder,
        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"),
    )
    target = submission / entry.target
    patch = entry.path.read_text()
    target.write_text(target.read_text().rstrip() + "\n\n\n# --- corpus patch ---\n" + patch)
    return submission
