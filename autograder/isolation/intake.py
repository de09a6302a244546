"""Safe copy-in of a submission: the first thing the grader does with a student's files.

``stage(src, dst, folders)`` copies the assignment folders of ``src`` into ``dst`` and
nothing else. Every decision is made on ``lstat`` and on descriptors opened relative to a
directory descriptor with ``O_NOFOLLOW``, so a symbolic link (to the reference solution,
to the hidden checks, to /etc) is never followed, a FIFO never blocks, and a huge file is
refused from its size alone, before a byte of it is read. What was not copied is reported
per folder in words a student understands; the grader then only ever reads the copy.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest single file copied: a module is a few KiB; a notebook with plots a few MiB."""

MAX_TOTAL_BYTES = 50 * 1024 * 1024
"""All copied files together; equal to the sandbox's own copy limit so that it never trips."""

MAX_FILES = 200
"""Files copied per submission; equal to the sandbox's copy limit (a folder holds ~2)."""

MAX_DEPTH = 8
"""Directory levels below an assignment folder; deeper ones are skipped."""

NOTES_KEPT = 12
"""Individual notes kept per folder; the rest are counted in one closing line."""

COPY_CHUNK = 1024 * 1024
"""Bytes per read while copying."""

ALLOWED_SUFFIXES = {".py", ".ipynb", ".txt", ".md", ".csv", ".json", ".npy", ".npz"}
"""Code, notebooks and plain data. Anything else (pickles, binaries, archives) is skipped:
the grader never loads a student's file itself, and nothing else is needed to grade."""

SKIPPED_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache"}
"""Caches and VCS metadata, skipped silently (they are never part of an answer)."""

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


@dataclass
class IntakeReport:
    """What was copied, and per assignment folder what was not and why."""

    files: int = 0
    bytes: int = 0
    notes: dict[str, list[str]] = field(default_factory=dict)
    _dropped: dict[str, int] = field(default_factory=dict)

    def note(self, folder: str, text: str) -> None:
        kept = self.notes.setdefault(folder, [])
        if len(kept) < NOTES_KEPT:
            kept.append(text)
        else:
            self._dropped[folder] = self._dropped.get(folder, 0) + 1

    def notes_for(self, folder: str) -> list[str]:
        """The folder's notes, with a closing count of those not kept."""
        extra = self._dropped.get(folder, 0)
        tail = [f"... and {extra} more file(s) not copied."] if extra else []
        return [*self.notes.get(folder, []), *tail]


def printable(name: str) -> str:
    """A file name safe to print and to store as UTF-8 JSON (undecodable bytes escaped)."""
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)[:200]


def size_text(size: int) -> str:
    """1.0 GiB, 3.2 MiB, 12 KiB, 5 bytes."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def stage(src: Path, dst: Path, folders: list[str]) -> IntakeReport:
    """Copy ``src/<folder>`` for each folder present into ``dst``, safely; see the module doc.

    ``src`` itself is the instructor's path and may be a link; everything below it is the
    student's and is never followed.
    """
    report = IntakeReport()
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    root_fd = os.open(src, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for folder in folders:
            try:
                info = os.stat(folder, dir_fd=root_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(info.st_mode):
                report.note(folder, f"{folder}/ is a symbolic link: not followed, nothing in"
                                    " it was graded. Submit the folder itself.")
            elif not stat.S_ISDIR(info.st_mode):
                report.note(folder, f"{folder} is not a folder: not graded.")
            else:
                _copy_tree(root_fd, folder, dst / folder, report)
    finally:
        os.close(root_fd)
    return report


def _copy_tree(root_fd: int, folder: str, target: Path, report: IntakeReport) -> None:
    """Breadth first (the folder's own files before any subfolder), .py files first."""
    queue = deque([(folder, target, 0)])
    while queue:
        rel, there, depth = queue.popleft()
        try:
            fd = os.open(rel, _DIR_FLAGS, dir_fd=root_fd)
        except OSError as error:
            report.note(folder, f"{printable(rel)}/: not copied ({error.strerror}).")
            continue
        there.mkdir(mode=0o755, parents=True, exist_ok=True)
        try:
            names = sorted(os.listdir(fd), key=lambda n: (not n.endswith(".py"), n))
            for name in names:
                try:
                    _take(fd, name, f"{rel}/{name}", there, depth, folder, report, queue)
                except OSError as error:  # vanished, unreadable: say so, keep going
                    report.note(folder, f"{printable(rel)}/{printable(name)}: not copied"
                                        f" ({error.strerror}).")
        except OSError as error:
            report.note(folder, f"{printable(rel)}/: not copied ({error.strerror}).")
        finally:
            os.close(fd)


HARD_LINK_NOTE = ("{shown} is a hard link (the same file has another name elsewhere):"
                  " not copied; submit a copy of the file instead.")
"""A hard link to a file outside the submission (the reference's module) reads like a
symbolic link's target without being one, so it is refused like a symbolic link."""


def _take(dir_fd: int, name: str, rel: str, there: Path, depth: int, folder: str,
          report: IntakeReport, queue: deque) -> None:
    """Copy one entry of an open directory, or say why not."""
    shown = printable(rel)
    info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    if stat.S_ISLNK(info.st_mode):
        report.note(folder, f"{shown} is a symbolic link: not followed, not copied.")
    elif stat.S_ISDIR(info.st_mode):
        if name in SKIPPED_DIRS:
            return
        if depth + 1 > MAX_DEPTH:
            report.note(folder, f"{shown}/: nested deeper than {MAX_DEPTH} levels, not copied.")
        else:
            queue.append((rel, there / name, depth + 1))
    elif not stat.S_ISREG(info.st_mode):
        report.note(folder, f"{shown} is not a regular file: not copied.")
    elif info.st_nlink > 1:
        report.note(folder, HARD_LINK_NOTE.format(shown=shown))
    elif os.path.splitext(name)[1].lower() not in ALLOWED_SUFFIXES:
        report.note(folder, f"{shown}: not copied (only {', '.join(sorted(ALLOWED_SUFFIXES))}"
                            " files are used; the grader never loads anything else).")
    elif info.st_size > MAX_FILE_BYTES:
        report.note(folder, f"{shown} is {size_text(info.st_size)}, more than the "
                            f"{size_text(MAX_FILE_BYTES)} allowed per file: not copied.")
    elif report.files >= MAX_FILES:
        report.note(folder, f"{shown}: not copied, the submission already has {MAX_FILES}"
                            " files (the limit).")
    elif report.bytes + info.st_size > MAX_TOTAL_BYTES:
        report.note(folder, f"{shown}: not copied, the submission would exceed "
                            f"{size_text(MAX_TOTAL_BYTES)} in all.")
    else:
        _copy_file(dir_fd, name, there / name, shown, folder, report)


def _copy_file(dir_fd: int, name: str, target: Path, shown: str, folder: str,
               report: IntakeReport) -> None:
    """Copy a regular file through an O_NOFOLLOW descriptor, never more than its limit."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as error:
        report.note(folder, f"{shown}: not copied ({error.strerror}).")
        return
    try:
        info = os.fstat(fd)  # the file opened, not the one lstat saw: check again
        room = min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - report.bytes)
        if info.st_nlink > 1:  # made a hard link after lstat: refused all the same
            report.note(folder, HARD_LINK_NOTE.format(shown=shown))
            return
        if not stat.S_ISREG(info.st_mode) or info.st_size > room:
            report.note(folder, f"{shown}: changed while being copied, not copied.")
            return
        copied = 0
        with open(target, "wb") as out:
            while chunk := os.read(fd, min(COPY_CHUNK, room + 1 - copied)):
                copied += len(chunk)
                if copied > room:
                    break
                out.write(chunk)
        if copied > room:
            target.unlink()
            report.note(folder, f"{shown}: grew while being copied, not copied.")
            return
        os.chmod(target, 0o644)
        report.files += 1
        report.bytes += copied
    finally:
        os.close(fd)
