"""A class's submissions on disk: who handed in what (discovery, both layouts), the class's
scope, and the content hash a rerun compares.

Below batch.py, cluster.py and the other staff tools that read a class folder, so none of
them imports the batch runner for its layout table.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import GradingError

HASH_BYTES_PER_FILE = 64 * 1024 * 1024
"""Bytes of one file read into the content hash (its size always counts): far above any
module or notebook, and a bound on what a hostile multi-GB file costs the parent."""

IGNORED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".git", ".DS_Store"}
"""Entries that are never a student and never part of a submission's content hash."""



@dataclass(frozen=True)
class Submission:
    """One student's submission: the directory to grade and the one to hash."""

    student: str
    path: Path
    source: Path  # the student's own directory (differs from path when staged)


def known_layout() -> tuple[dict[str, str], dict[str, str]]:
    """(folder -> id, module file -> folder) of every assignment the kit knows."""
    from autograder.checks import suite

    folders, modules = {}, {}
    for s in suite(include_hidden=False):
        folders[s.assignment.folder] = s.assignment.id
        modules[f"{s.assignment.module}.py"] = s.assignment.folder
    return folders, modules


def nbgrader_root(directory: Path) -> Path | None:
    """The ``submitted/`` directory when ``directory`` is an nbgrader course or its submitted/."""
    if (directory / "submitted").is_dir():
        return directory / "submitted"
    if directory.name == "submitted":
        return directory
    return None


def _entries(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.iterdir() if p.name not in IGNORED_NAMES and not p.name.startswith(".")
    )


def discover(directory: Path, staging: Path | None = None) -> tuple[str, list[Submission]]:
    """The layout name ("folders" or "nbgrader") and every student's submission, sorted.

    In the nbgrader layout an assignment folder whose name is not the kit's (e.g. ``a1``)
    is recognised by the module file it holds and copied under the kit's folder name into
    ``staging``.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise GradingError(f"{directory}: not a directory of student submissions.")
    folders, modules = known_layout()
    if any((directory / folder).is_dir() for folder in folders):
        raise GradingError(
            f"{directory} looks like ONE submission (it holds assignment folders):"
            " grade it with `autograder grade`, or point grade-all at the folder of students."
        )
    root = nbgrader_root(directory)
    layout = "nbgrader" if root else "folders"
    root = root or directory
    submissions = []
    for student_dir in _entries(root):
        if not student_dir.is_dir():
            continue
        path = student_dir
        if layout == "nbgrader":
            path = _normalise_nbgrader(student_dir, folders, modules, staging)
        submissions.append(Submission(student_dir.name, path, student_dir))
    return layout, submissions


def _normalise_nbgrader(
    student_dir: Path, folders: dict[str, str], modules: dict[str, str], staging: Path | None
) -> Path:
    """``student_dir`` itself when its assignment folders carry the kit's names, else a copy."""
    renames = {}
    for sub in _entries(student_dir):
        if not sub.is_dir() or sub.name in folders:
            continue
        for module_file, folder in modules.items():
            if (sub / module_file).is_file():
                renames[sub] = folder
    if not renames or staging is None:
        return student_dir
    target = staging / student_dir.name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for sub in _entries(student_dir):
        if sub.is_dir():
            shutil.copytree(
                sub,
                target / renames.get(sub, sub.name),
                ignore=shutil.ignore_patterns("__pycache__"),
            )
    return target


def content_hash(directory: Path) -> str:
    """sha256 over every entry's relative path and content, in sorted order, caches ignored.

    Never follows a link (its target text is hashed) and never opens anything but a regular
    file, so a FIFO or a link to /dev/zero in a submission cannot stall the parent.
    """
    digest = hashlib.sha256()
    directory = Path(directory)
    for here, dirs, files in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_NAMES)
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(here, d))]):
            path = Path(here, name)
            if name in IGNORED_NAMES or path.suffix == ".pyc":
                continue
            # fsencode: a student's non-UTF-8 file name must not crash the batch
            digest.update(os.fsencode(path.relative_to(directory).as_posix()) + b"\0")
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                digest.update(b"link:" + os.fsencode(os.readlink(path)))
            elif stat.S_ISREG(info.st_mode):
                digest.update(str(info.st_size).encode() + b":")
                with path.open("rb") as handle:
                    remaining = HASH_BYTES_PER_FILE
                    while remaining > 0 and (chunk := handle.read(min(remaining, 1 << 20))):
                        digest.update(chunk)
                        remaining -= len(chunk)
            else:
                digest.update(b"special:" + str(stat.S_IFMT(info.st_mode)).encode())
            digest.update(b"\0")
    return digest.hexdigest()


def class_scope(submissions: list[Submission]) -> list[str]:
    """Every assignment present in at least one submission: graded for everyone, so that a
    student who skipped one scores 0 on it and every row has the same maximum."""
    folders, _ = known_layout()
    present = {
        aid for s in submissions for folder, aid in folders.items() if (s.path / folder).is_dir()
    }
    return sorted(present)

