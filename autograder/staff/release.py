"""``autograder release --out DIR``: the bundle students get, with nothing that gives answers.

The bundle holds freshly generated stubs and the notebooks (assignments/), datasets/, the
autograder package without its hidden checks and without the instructor's modules that read
the reference solution, pyproject.toml, a student README, and the GitHub Classroom workflow
(.github/workflows/classroom.yml). Before it reports success it verifies itself: no file of
reference_solution/, no hidden checks, no import of the reference, and no solution body
(the text between ``### BEGIN SOLUTION`` and ``### END SOLUTION``) anywhere.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
from pathlib import Path

from autograder.grade import GradingError

STAFF_PACKAGE = "staff"
"""autograder/staff/ never ships: everything that reads the reference or is for staff only
(hidden checks, reference loader, batch, Gradescope, nbgrader course, release, stubs, corpus)."""

FORBIDDEN_IMPORTS = ("autograder.staff.reference", "autograder.staff.hidden_checks")
"""Modules whose import anywhere in a shipped file would reach for the reference."""

PACKAGING = ("pyproject.toml", "setup.py")
"""How the bundle installs (pip install -e .): the kit's own packaging files, the
pyproject without its ``backprop_lab.*`` entry point tables (student_pyproject)."""

KIT_GROUPS = re.compile(r'^\[project\.entry-points\."backprop_lab\.[^"]*"\]\s*$')
"""A table header of an entry point group the kit's core looks up (context, commands): they
name the staff side, which the bundle leaves out."""

SKIPPED = {"__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints"}
WORKFLOW = Path("autograder/classroom/classroom.yml")

_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION", re.M | re.S)

GITIGNORE = (
    ".venv/\nvenv/\n__pycache__/\n*.pyc\n*.egg-info/\n.hypothesis/\n.pytest_cache/\n"
    ".ipynb_checkpoints/\nfeedback/\n*.html\n"
)


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIPPED or n.endswith((".pyc", ".egg-info"))}


def solution_bodies(reference_root: Path) -> list[tuple[str, str]]:
    """(file, normalised body) of every fenced solution in the reference's modules."""
    bodies = []
    for path in sorted(Path(reference_root).rglob("*.py")):
        for match in _BLOCK.finditer(path.read_text()):
            body = normalise(match.group(1))
            if body:
                bodies.append((path.name, body))
    return bodies


def normalise(text: str) -> str:
    """Lines stripped of indentation, blank lines dropped: how a body is searched for."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def leaks(bundle: Path, reference_root: Path) -> list[str]:
    """Every reason the bundle would give answers away; empty when it is clean."""
    bundle = Path(bundle)
    problems = []
    if (bundle / "reference_solution").exists():
        problems.append("reference_solution/ is in the bundle")
    if (bundle / "autograder" / "checks" / "hidden").exists():
        problems.append("autograder/staff/hidden_checks/ is in the bundle")
    bodies = solution_bodies(reference_root)
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        rel = path.relative_to(bundle).as_posix()
        try:
            text = normalise(path.read_text())
        except UnicodeDecodeError:
            continue  # data files (the digits archive) hold no source text
        for name, body in bodies:
            if body in text:
                problems.append(f"{rel} contains a solution body from {name}: {body[:60]!r}")
        if path.suffix == ".py":
            for module in imported_modules(path):
                if module.startswith(FORBIDDEN_IMPORTS):
                    problems.append(f"{rel} imports {module}")
    return problems


def imported_modules(path: Path) -> list[str]:
    """Every absolute module name a Python file imports, anywhere in it."""
    try:
        tree = ast.parse(path.read_text())
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def point_table() -> str:
    """The Markdown point table of every assignment (visible checks' suite)."""
    from autograder.checks import suite

    lines = ["| task | what | points |", "|---|---|---|"]
    total = 0.0
    for s in suite(include_hidden=False):
        a = s.assignment
        lines.append(
            f"| **{a.id}** | **{a.title}** ({a.folder}/{a.module}.py) | **{a.max_points:g}** |"
        )
        for t in a.tasks:
            lines.append(f"| {t.id} | `{t.title}` | {t.points:g} |")
        total += a.max_points
    lines.append(f"| | **total** | **{total:g}** |")
    return "\n".join(lines)


def student_readme() -> str:
    """The bundle's README: how to install and check, every command from where it is typed."""
    return f"""# Backprop Lab

Commit and push only your edits under `assignments/` (`.py` and `.ipynb`). Never commit
`.venv/`, caches or feedback output: `.gitignore` already leaves them out of `git add -A`.

Four assignments on how neural networks learn: the perceptron (a1), gradient descent (a2),
backpropagation on a computation graph (a3) and training an MLP (a4). Each is a Python module
in `assignments/` with a notebook beside it. Fill in every function that raises
`NotImplementedError("Task N.M: ...")`; keep the file names and signatures.

## Set up (once), in this folder

You need Python 3.10 or newer. On Debian or Ubuntu, first `sudo apt-get install python3-venv`
(their own `python3` refuses `pip install` outside a virtual environment).

```bash
python3 -m venv .venv && . .venv/bin/activate     # again in every new shell: . .venv/bin/activate
python -m pip install -e '.[notebooks]'           # the checker, Jupyter and matplotlib
```

## Work on an assignment and check it

```bash
cd assignments/a1_perceptron                      # the assignment you work on
jupyter notebook a1_perceptron.ipynb              # work through it; fill in perceptron.py
autograder check                                  # the visible checks of this assignment
autograder check --task 1.4                       # one task only
autograder check --quiet                          # the table and a line per failed check
python -m pytest -m task1.4                       # the same checks as pytest (task1_4 works too)
```

In the notebook, the cell at the end of each task's section, `check("1.3")`, runs that
task's visible checks the same way and prints the table and the first failure.

`autograder check` works from any folder inside this one: in an assignment's folder it
checks that assignment, elsewhere every assignment (or name one: `autograder check a2`).
From this top folder, `python -m pytest assignments -m a2` runs every visible check of
assignment 2 as pytest. Every failed check says which task and function, the input, what was
expected and what your code returned; the checks that passed are listed too (a check that
stops at a function you have not written yet is one line: `not implemented yet (Task 1.3)`;
`--quiet` prints only the table and one line per failed check). Your code runs
in a separate, sandboxed process, so an endless loop or a crash is reported, not fatal.
Grading runs further (hidden) checks on other inputs: passing the visible checks is
necessary, not sufficient.

On every push to your GitHub Classroom repository, the workflow in
`.github/workflows/classroom.yml` runs the same visible checks and shows the score table in the
run's summary.

## Points

{point_table()}

A task earns its points times the share of its checks that pass.
"""


def student_pyproject(text: str) -> str:
    """``text`` (pyproject.toml) without its ``backprop_lab.*`` entry point tables and the
    comment lines just above each: the bundle registers no staff context and no staff
    command, so ``default_context`` there is the student's and the CLI lists student
    commands only. Package-data lines of staff packages (the hidden checks' plans) go too:
    the bundle has no such package."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith('"autograder.staff'):
            continue
        if KIT_GROUPS.match(line):
            while kept and kept[-1].lstrip().startswith("#"):
                kept.pop()
            skipping = True
            continue
        if skipping and line.lstrip().startswith("["):
            skipping = False
        if not skipping:
            kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "".join(kept))


def kit_entry_points(pyproject: Path) -> list[str]:
    """The ``backprop_lab.*`` entry point groups ``pyproject`` still declares."""
    return [line.strip() for line in pyproject.read_text().splitlines() if KIT_GROUPS.match(line)]


def _is_staff(module: str | None) -> bool:
    return bool(module) and (module == "autograder.staff" or module.startswith("autograder.staff."))


def _guard_shipped_imports(package: Path) -> list[str]:
    """Module-level imports in shipped files of modules that were left out (would break)."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and _is_staff(node.module):
                problems.append(f"{path.name} imports {node.module} at module level")
            if isinstance(node, ast.Import):
                problems += [
                    f"{path.name} imports {a.name} at module level"
                    for a in node.names
                    if _is_staff(a.name)
                ]
    return problems


def checkout_of(reference: Path | str | None = None) -> Path:
    """The instructor's checkout a bundle is made from: the folder holding the reference that
    every grading command would use (``reference.locate``: --reference, the environment, the
    current folder or a parent, the editable install), so a plain ``pip install .`` releases
    from the checkout it runs in."""
    from autograder.staff import reference as lookup

    try:
        root = lookup.locate(reference).parent
    except lookup.ReferenceMissing as error:
        raise GradingError(str(error)) from None
    missing = [name for name in ("assignments", "datasets", *PACKAGING[:1])
               if not (root / name).exists()]
    if missing:
        raise GradingError(f"{root} is not the instructor's checkout (no {', '.join(missing)}):"
                           " release from the checkout, or pass --reference DIR inside it.")
    return root


def build_bundle(out: Path, repo_root: Path | None = None) -> list[str]:
    """Write the student bundle into ``out`` (replaced if it exists); returns its files.
    ``repo_root``: the checkout (default: ``checkout_of()``)."""
    from autograder.staff.stubs import StubError, generate

    repo_root = Path(repo_root) if repo_root is not None else checkout_of()
    out = Path(out)
    reference = repo_root / "reference_solution"
    if not reference.is_dir():
        raise GradingError(f"{reference} is missing: release from the instructor's checkout.")
    if out.resolve() == repo_root.resolve():
        raise GradingError("--out must not be the repository itself.")
    if out.exists():
        if not (out / ".backprop-lab-bundle").exists() and any(out.iterdir()):
            raise GradingError(f"{out} exists and is not a bundle written by release: not touched.")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / ".backprop-lab-bundle").write_text("written by `autograder release`\n")

    if (repo_root / "assignments").is_dir():  # conftest.py and anything else generated there
        shutil.copytree(repo_root / "assignments", out / "assignments", ignore=_ignore)
    try:
        generate(reference, out / "assignments")  # always the current reference's stubs
    except StubError as error:
        raise GradingError(f"cannot make stubs: {error}") from None
    shutil.copytree(repo_root / "datasets", out / "datasets", ignore=_ignore)

    source_package = repo_root / "autograder"
    if not source_package.is_dir():  # a checkout without the package's source: the installed one
        source_package = Path(__file__).resolve().parents[1]
    left_out = {source_package / STAFF_PACKAGE}

    def ignore_package(directory: str, names: list[str]) -> set[str]:
        return _ignore(directory, names) | {n for n in names if Path(directory, n) in left_out}

    package = out / "autograder"
    shutil.copytree(source_package, package, ignore=ignore_package)
    for name in PACKAGING:
        shutil.copy2(repo_root / name, out / name)
    (out / "pyproject.toml").write_text(student_pyproject((repo_root / "pyproject.toml")
                                                          .read_text()))
    (out / "README.md").write_text(student_readme())
    (out / ".gitignore").write_text(GITIGNORE)
    workflow = out / ".github" / "workflows" / "classroom.yml"
    workflow.parent.mkdir(parents=True)
    shutil.copy2(source_package / WORKFLOW.relative_to("autograder"), workflow)

    problems = leaks(out, reference) + _guard_shipped_imports(package) + [
        f"pyproject.toml still registers {group}" for group in
        kit_entry_points(out / "pyproject.toml")]
    if problems:
        shutil.rmtree(out)
        raise GradingError(
            "the bundle would leak or break; nothing written:\n  " + "\n  ".join(problems)
        )
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="directory to write the bundle to")
    parser.add_argument("--reference", type=Path, default=None, metavar="DIR",
                        help="the reference solution (its folder's parent is the checkout "
                             "released); default: found as every grading command finds it")


def run(args: argparse.Namespace) -> int:
    from autograder.staff.git_guard import warn_if_unignored

    warn_if_unignored("--out", args.out, directory=True)
    files = build_bundle(args.out, checkout_of(args.reference))
    print(f"Student bundle written to {args.out} ({len(files)} files); verified: no reference,")
    print("no hidden checks, no solution text. Push it as the GitHub Classroom template repo.")
    return 0
