"""Stub generator: strips fenced solutions from reference_solution/ into assignments/.

In every ``*.py`` under ``reference_solution/aN_*/`` each block

    ### BEGIN SOLUTION task=N.M
    ...solution lines...
    ### END SOLUTION

becomes ``raise NotImplementedError("Task N.M: implement <function>")`` at the
block's indentation, where ``<function>`` is the enclosing def (``Value.__add__``
for a method). Everything else -- docstrings, signatures, imports -- is kept byte
for byte. Notebooks (``*.ipynb``) are copied unchanged. ``check`` reports the
committed stubs that differ from what ``generate`` would write (drift).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# A line that looks like a marker at all (so typos such as "##BEGIN SOLUTION" or a
# missing task id are reported instead of silently shipping the solution).
_ANY_BEGIN = re.compile(r"^\s*#+\s*BEGIN\s+SOLUTION\b", re.IGNORECASE)
_ANY_END = re.compile(r"^\s*#+\s*END\s+SOLUTION\b", re.IGNORECASE)
# The exact accepted forms.
_BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION task=(?P<task>\d+\.\d+)[ \t]*$")
_END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
# Assignment folders: a1_perceptron, a2_gradient_descent, ...
_ASSIGNMENT_DIR = re.compile(r"^a(?P<number>\d+)_\w+$")
_COPIED_SUFFIXES = (".ipynb",)
_SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints"}


class StubError(ValueError):
    """A reference file whose solution markers cannot be turned into a valid stub."""


@dataclass(frozen=True)
class Block:
    """One fenced solution: 1-based line numbers of its markers, its task and function."""

    begin: int
    end: int
    task: str
    function: str
    indent: str


def _function_spans(tree: ast.Module) -> list[tuple[int, int, str]]:
    """(first line, last line, dotted name) of every def, outer before inner."""
    spans: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans


def _enclosing_function(
    spans: list[tuple[int, int, str]], line: int
) -> tuple[int, int, str] | None:
    """The innermost def whose body contains ``line``, or None at module/class level."""
    best: tuple[int, int, str] | None = None
    for span in spans:
        if span[0] < line <= span[1] and (best is None or span[0] >= best[0]):
            best = span
    return best


def find_blocks(
    source: str, filename: str = "<source>", assignment: int | None = None
) -> list[Block]:
    """Parse and validate the solution markers of one file.

    Raises StubError (naming the file and line) for a marker without a task id, a
    malformed marker, an END without BEGIN, nested or unterminated blocks, a block
    outside a function or spanning two functions, or a task id whose first number is
    not the assignment's (``assignment``, when given).
    """
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise StubError(f"{filename}:{exc.lineno}: reference does not parse: {exc.msg}") from exc
    spans = _function_spans(tree)
    # A block "runs past" its function when a statement outside that function starts
    # inside it (the END comment itself may sit after the function's last statement).
    statement_lines = sorted({n.lineno for n in ast.walk(tree) if isinstance(n, ast.stmt)})
    blocks: list[Block] = []
    open_line: int | None = None
    open_match: re.Match[str] | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        where = f"{filename}:{number}"
        if _ANY_BEGIN.match(line):
            if open_line is not None:
                raise StubError(
                    f"{where}: nested solution block (the block opened at line "
                    f"{open_line} is not closed yet)"
                )
            match = _BEGIN.match(line)
            if match is None:
                problem = (
                    "malformed solution marker"
                    if "task=" in line
                    else ("solution marker without a task id")
                )
                raise StubError(
                    f"{where}: {problem}; write exactly '### BEGIN SOLUTION task=N.M' "
                    f"(got {line.strip()!r})"
                )
            task_major = int(match["task"].split(".")[0])
            if assignment is not None and task_major != assignment:
                raise StubError(
                    f"{where}: task {match['task']} does not belong to assignment {assignment}"
                )
            open_line, open_match = number, match
        elif _ANY_END.match(line):
            if not _END.match(line):
                raise StubError(f"{where}: malformed end marker {line.strip()!r}")
            if open_line is None or open_match is None:
                raise StubError(f"{where}: '### END SOLUTION' without a matching BEGIN")
            span = _enclosing_function(spans, open_line)
            if span is None:
                raise StubError(f"{filename}:{open_line}: solution block outside any function")
            if any(span[1] < start < number for start in statement_lines):
                raise StubError(
                    f"{filename}:{open_line}: solution block runs past the end of {span[2]}"
                )
            blocks.append(
                Block(open_line, number, open_match["task"], span[2], open_match["indent"])
            )
            open_line, open_match = None, None
    if open_line is not None:
        raise StubError(f"{filename}:{open_line}: unterminated solution block (no END SOLUTION)")
    return blocks


def make_stub(source: str, filename: str = "<source>", assignment: int | None = None) -> str:
    """The student version of one reference module's source.

    Each fenced block becomes one ``raise NotImplementedError("Task N.M: implement f")``
    line; the result is compiled so a stub that would not import fails here, loudly.
    """
    blocks = find_blocks(source, filename, assignment)
    lines = source.splitlines(keepends=True)
    newline = "\r\n" if source.count("\r\n") * 2 > source.count("\n") else "\n"
    out: list[str] = []
    cursor = 0  # 0-based index of the next line to copy
    for block in blocks:
        out.extend(lines[cursor : block.begin - 1])
        message = f"Task {block.task}: implement {block.function}"
        literal = json.dumps(message, ensure_ascii=False)  # a double-quoted Python literal
        out.append(f"{block.indent}raise NotImplementedError({literal}){newline}")
        cursor = block.end
    out.extend(lines[cursor:])
    stub = "".join(out)
    try:
        compile(stub, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise StubError(
            f"{filename}: the generated stub is not valid Python (line {exc.lineno}: "
            f"{exc.msg}); check the indentation of the BEGIN SOLUTION markers"
        ) from exc
    return stub


def _assignment_dirs(reference_root: Path, only: Iterable[str] | None) -> list[Path]:
    """Reference assignment folders (aN_*), optionally restricted to the names in ``only``."""
    wanted = set(only) if only is not None else None
    dirs = [
        d
        for d in sorted(reference_root.iterdir())
        if d.is_dir() and _ASSIGNMENT_DIR.match(d.name) and (wanted is None or d.name in wanted)
    ]
    if wanted is not None:
        missing = wanted - {d.name for d in dirs}
        if missing:
            raise StubError(f"no such assignment under {reference_root}: {sorted(missing)}")
    return dirs


def _source_files(folder: Path) -> list[Path]:
    """Every *.py and *.ipynb under ``folder``, skipping caches and checkpoints."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and (p.suffix == ".py" or p.suffix in _COPIED_SUFFIXES)
        and not _SKIPPED_DIRS.intersection(p.relative_to(folder).parts)
    )


STUDENT_CONFTEST = (
    '"""Run the visible checks with pytest: `pytest -m task1_3` (generated: do not edit)."""\n'
    + """
from autograder.pytest_checks import (  # noqa: F401  (pytest finds its hooks by name)
    pytest_collect_file,
    pytest_configure,
    pytest_unconfigure,
)
"""
)
"""``assignments/conftest.py``: makes each module file a list of its visible checks."""


def expected_outputs(reference_root: Path, only: Iterable[str] | None = None) -> dict[Path, bytes]:
    """Map relative output path -> the bytes ``generate`` writes there."""
    outputs: dict[Path, bytes] = {}
    if only is None:
        outputs[Path("conftest.py")] = STUDENT_CONFTEST.encode("utf-8")
    for folder in _assignment_dirs(reference_root, only):
        number = int(_ASSIGNMENT_DIR.match(folder.name)["number"])  # type: ignore[index]
        for path in _source_files(folder):
            rel = path.relative_to(reference_root)
            if path.suffix == ".py":
                text = path.read_text(encoding="utf-8")
                outputs[rel] = make_stub(text, str(path), number).encode("utf-8")
            else:
                outputs[rel] = path.read_bytes()
    return outputs


def _stale_files(
    out_root: Path, reference_root: Path, expected: dict[Path, bytes], only: Iterable[str] | None
) -> list[Path]:
    """Generated-looking files in out_root's assignment folders with no reference source."""
    stale: list[Path] = []
    for folder in _assignment_dirs(reference_root, only):
        target = out_root / folder.name
        if target.is_dir():
            stale += [p for p in _source_files(target) if p.relative_to(out_root) not in expected]
    return stale


def generate(reference_root: Path, out_root: Path, only: Sequence[str] | None = None) -> list[Path]:
    """Write the stubs of every (or each ``only``) assignment; return the paths written.

    Files in out_root's assignment folders that no longer have a reference source
    are deleted. All stubs are built (and compiled) before anything is written, so a
    marker error leaves out_root untouched.
    """
    reference_root, out_root = Path(reference_root), Path(out_root)
    expected = expected_outputs(reference_root, only)
    for path in _stale_files(out_root, reference_root, expected, only):
        path.unlink()
    written: list[Path] = []
    for rel, data in expected.items():
        target = out_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def check(reference_root: Path, out_root: Path, only: Sequence[str] | None = None) -> list[str]:
    """Relative paths (posix) of stubs that are missing, differ, or have no source."""
    reference_root, out_root = Path(reference_root), Path(out_root)
    expected = expected_outputs(reference_root, only)
    drifted = [
        rel.as_posix()
        for rel, data in expected.items()
        if not (out_root / rel).is_file() or (out_root / rel).read_bytes() != data
    ]
    drifted += [
        p.relative_to(out_root).as_posix()
        for p in _stale_files(out_root, reference_root, expected, only)
    ]
    return sorted(drifted)


def make_stubs(repo_root: Path, check_only: bool, only: Sequence[str] | None = None) -> int:
    """CLI body of ``autograder make-stubs [--check]``; returns the exit code.

    0: stubs written (or, with check_only, up to date); 1: drift found by --check;
    2: a reference file's markers are invalid (message on stderr).
    """
    reference_root, out_root = (
        Path(repo_root) / "reference_solution",
        Path(repo_root) / "assignments",
    )
    try:
        drifted = check(reference_root, out_root, only)
        if check_only:
            for rel in drifted:
                print(f"drifted: assignments/{rel}")
            if drifted:
                print(
                    f"{len(drifted)} stub file(s) differ from reference_solution/; "
                    "run `autograder make-stubs`"
                )
                return 1
            print("stubs up to date")
            return 0
        generate(reference_root, out_root, only)
    except StubError as exc:
        print(f"make-stubs: {exc}", file=sys.stderr)
        return 2
    for rel in drifted:
        print(f"updated: assignments/{rel}")
    if not drifted:
        print("stubs already up to date")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autograder.staff.stubs [--check] [--root DIR] [ASSIGNMENT ...]``."""
    parser = argparse.ArgumentParser(
        prog="autograder make-stubs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the stubs have drifted")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    parser.add_argument("assignments", nargs="*", help="only these folders, e.g. a1_perceptron")
    args = parser.parse_args(argv)
    return make_stubs(args.root, args.check, args.assignments or None)


if __name__ == "__main__":
    raise SystemExit(main())


REPO_ROOT = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")


def run(args: argparse.Namespace) -> int:
    return make_stubs(REPO_ROOT, check_only=args.check)
