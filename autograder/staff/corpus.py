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

HEADER = re.compile(r"^#\s*(target|bug|why|loses|also_loses|names|diagnosis):\s*(.*)$")
TASK_ID = re.compile(r"\b\d+\.\d+\b")


@dataclass(frozen=True)
class CorpusEntry:
    """One buggy or alternative submission, as described by its header."""

    path: Path
    target: str
    description: str
    loses: tuple[str, ...]
    names: tuple[str, ...]
    also_loses: tuple[str, ...] = ()
    """Tasks the entry is KNOWN to lose too, against the one-bug-one-penalty rule: a
    temporary, documented exception (``# also_loses: 4.4 (why)``, one line per reason)."""
    diagnoses: tuple[str, ...] = ()
    """The catalogue ids a diagnosis of this entry may rightly name (``# diagnosis: id ...``;
    ``none`` or no line: no catalogued misconception is the entry's mistake)."""

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def folder(self) -> str:
        return self.target.split("/")[0]


def read_entry(path: Path) -> CorpusEntry:
    """Parse the header lines of a corpus file."""
    fields: dict[str, str] = {}
    also: list[str] = []
    for line in Path(path).read_text().splitlines():
        match = HEADER.match(line.strip())
        if match and match.group(1) == "also_loses":  # task ids outside the (reason)
            also += TASK_ID.findall(re.sub(r"\([^)]*\)", "", match.group(2)))
        elif match:
            fields[match.group(1)] = match.group(2).strip()
    if "target" not in fields:
        raise ValueError(f"{path}: a corpus entry needs a '# target: folder/module.py' line")
    loses = fields.get("loses", "none")
    diagnosis = fields.get("diagnosis", "none").replace(",", " ").split()
    return CorpusEntry(
        Path(path),
        fields["target"],
        fields.get("bug") or fields.get("why", ""),
        () if loses.lower() == "none" else tuple(loses.replace(",", " ").split()),
        tuple(fields.get("names", "").replace(",", " ").split()),
        tuple(dict.fromkeys(also)),
        () if diagnosis == ["none"] else tuple(diagnosis),
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
