"""The kit's layering, read from its files with ast (nothing is imported):

(a) no module of the shipped core (autograder/ but autograder/staff/) names the staff package,
    by import, by attribute or in a string (docstrings and comments may say the word);
(b) the import graph of autograder/ has no cycle (imports inside functions count: a lazy
    import is still a dependency, and the old eleven-module circle went through two);
(c) every module sits in one layer of LAYERS and imports only its own layer or lower ones;
    sandboxed/ imports nothing of the kit at all.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "autograder"
STAFF = "staff"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base: shared exceptions, the grading context, the version",
     ("autograder", "autograder.errors", "autograder.context")),
    ("worker side: stdlib and numpy only", ("autograder.sandboxed",)),
    ("support: comparisons, feedback text, data, pictures",
     ("autograder.compare", "autograder.feedback", "autograder.data", "autograder.plots",
      "autograder.pyplot", "autograder.gradcheck", "autograder.hub_guard")),
    ("isolation: the trusted side of the sandbox", ("autograder.isolation",)),
    ("checks: the vocabulary and the visible checks", ("autograder.checks",)),
    ("grading: one submission over a context",
     ("autograder.grade", "autograder.assignment_pool", "autograder.pytest_checks")),
    ("output: reports", ("autograder.report",)),
    ("entry points: the command, notebooks, Classroom",
     ("autograder.cli", "autograder.__main__", "autograder.nbgrader_cells", "autograder.notebook",
      "autograder.classroom")),
    ("staff parts: the reference, the context, a class's files, the gradebook, one grading",
     ("autograder.staff.reference", "autograder.staff.context", "autograder.staff.layout",
      "autograder.staff.gradebook", "autograder.staff.grading_task")),
    ("staff: never shipped; found through entry points only", ("autograder.staff",)),
]
"""Bottom first. A module belongs to the layer of its longest matching prefix."""

KNOWN_CYCLES: list[set[str]] = []
"""Cycles left on purpose, each with its reason (none today: the last one, batch.py <-> lms.py
<-> cluster.py, went when the gradebook, the class layout and one grading moved below them)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
CORE = {m: p for m, p in MODULES.items() if STAFF not in p.relative_to(PACKAGE).parts[:1]}


def _resolve(name: str, modules) -> str | None:
    """The module of ``modules`` that importing ``name`` runs (a name inside a module
    resolves to that module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imported(source: str, me: str, is_package: bool, modules=MODULES) -> set[str]:
    """The kit modules ``source`` (module ``me``) imports, anywhere in the file, including
    ``importlib.import_module("constant")``; ``from pkg import sub`` is ``pkg.sub``."""
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {_resolve(a.name, modules) for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = me if is_package else me.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else _resolve(base, modules))
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.add(_resolve(node.args[0].value, modules))
    return {m for m in found if m and m != me and m.split(".")[0] == "autograder"}


@functools.cache
def _graph() -> dict[str, frozenset[str]]:
    return {m: frozenset(targets) for m, targets in _read_graph().items()}


def graph() -> dict[str, set[str]]:
    """Module -> the kit modules it imports (read once per run)."""
    return {m: set(targets) for m, targets in _graph().items()}


def _read_graph() -> dict[str, set[str]]:
    return {m: imported(p.read_text(), m, p.name == "__init__.py") for m, p in MODULES.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def path_in(component: list[str], edges: dict[str, set[str]]) -> str:
    """The shortest circle through the component's first module, as 'a -> b -> ... -> a'
    (breadth first inside the component: a strongly connected one always has one)."""
    start, members = component[0], set(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(edges[v] & members):
                if w == start:
                    trail = [v]
                    while trail[-1] != start:
                        trail.append(came_from[trail[-1]])
                    return " -> ".join([*reversed(trail), start])
                if w not in came_from:
                    came_from[w] = v
                    following.append(w)
        frontier = following
    return " -> ".join(component)  # not strongly connected: list it as it is


NAMES_STAFF = re.compile(rf"(^|[./\\]){STAFF}($|[./\\:])")
"""A string naming the package or its folder: "autograder.staff", ".../staff/...", "staff"."""


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings: a module's, class's or function's
    first statement, and an attribute's (a string statement right after an assignment)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for i, statement in enumerate(body):
            if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)):
                continue
            first = i == 0 and isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                                 ast.AsyncFunctionDef))
            after_assignment = i > 0 and isinstance(body[i - 1], (ast.Assign, ast.AnnAssign))
            if first or after_assignment:
                found.add(id(statement.value))
    return found


def staff_mentions(source: str) -> list[str]:
    """'line N: ...' for every place ``source`` names the staff package in code."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if STAFF in a.name.split(".")]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "").split("."), *([a.name] for a in node.names)]
            if any(STAFF in parts for parts in names):
                found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Attribute) and node.attr == STAFF:
            found.append(f"line {node.lineno}: attribute .{STAFF}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings and NAMES_STAFF.search(node.value)):
            found.append(f"line {node.lineno}: string {node.value[:60]!r}")
    return found


def layer_of(module: str) -> int | None:
    best, rank = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


# ----------------------------------------------------------------- the rules, on the kit


def test_no_module_of_the_shipped_core_names_the_staff_package():
    assert len(CORE) > 30 and not any(m.startswith("autograder.staff") for m in CORE)
    found = [f"{p.relative_to(ROOT)} {where}" for p in CORE.values()
             for where in staff_mentions(p.read_text())]
    assert not found, "the shipped core names the staff package:\n" + "\n".join(found)


def test_the_import_graph_of_the_kit_has_no_cycle():
    edges = graph()
    left = [c for c in cycles(edges) if set(c) not in KNOWN_CYCLES]
    assert not left, "import cycles:\n" + "\n".join(path_in(c, edges) for c in left)


def test_every_known_cycle_is_still_there():
    """An exception that no longer applies is removed from KNOWN_CYCLES, not kept."""
    present = [set(c) for c in cycles(graph())]
    assert all(known in present for known in KNOWN_CYCLES), (KNOWN_CYCLES, present)


def test_every_module_is_in_exactly_one_layer():
    unplaced = [m for m in MODULES if layer_of(m) is None]
    assert not unplaced, f"place these modules in LAYERS: {unplaced}"


def test_imports_go_down_the_layers_only():
    edges = graph()
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0].split(':')[0]}) imports {target}"
        f" ({LAYERS[layer_of(target)][0].split(':')[0]})"
        for m, targets in sorted(edges.items()) for target in sorted(targets)
        if layer_of(target) > layer_of(m)
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_the_worker_side_imports_nothing_of_the_kit():
    found = {m: sorted(targets) for m, targets in graph().items()
             if m.startswith("autograder.sandboxed") and targets}
    assert not found, found


@pytest.mark.parametrize("low, high", [
    ("autograder.isolation", "autograder.checks"),
    ("autograder.isolation", "autograder.grade"),
    ("autograder.checks", "autograder.grade"),
    ("autograder.errors", "autograder.isolation"),
    ("autograder.context", "autograder.checks"),
])
def test_named_boundaries_hold(low, high):
    """The boundaries the old circle crossed, spelled out (LAYERS implies them)."""
    edges = graph()
    crossing = [(m, t) for m, targets in edges.items() if m.startswith(low)
                for t in targets if t.startswith(high)]
    assert not crossing, crossing


# ------------------------------------------------ the detectors catch what they must


FLAGGED = '''
import importlib
from autograder.staff import reference
from autograder import staff
import autograder.staff.batch
x = importlib.import_module("autograder.staff.reference")
y = kit / "staff" / "hidden_checks"
z = autograder.staff
w = f"{kit}/staff/hidden_checks"
'''
"""Seven ways code names the package, one a line (lines 3-9): each must be flagged."""

PROSE = '''
"""The staff side: autograder.staff is never shipped."""
# from autograder.staff import reference
A = 1
"""The docstring of A may name autograder/staff/ too."""


def f():
    """Tell the course staff (autograder.staff)."""
    return "tell the course staff"


STAFF_KERNEL_ENV = "BACKPROP_LAB_STAFF_KERNEL"
'''
"""Docstrings, comments and the word in a message: none flagged."""


def test_the_staff_detector_sees_code_and_not_prose():
    flagged = staff_mentions(FLAGGED)
    lines = sorted(int(found.split(":")[0].split()[1]) for found in flagged)
    assert lines == list(range(3, 10)), flagged
    assert staff_mentions(PROSE) == []


def test_the_cycle_finder_reports_the_old_circle():
    """The circle issue 17 names: probes took NotGraded from grade.py, which imports the
    worker, which imports the probes."""
    modules = {"autograder.grade": 0, "autograder.isolation.probes": 0,
               "autograder.isolation.worker": 0, "autograder.errors": 0}
    edges = {
        "autograder.isolation.probes": imported(
            "from autograder.grade import NotGraded\n", "autograder.isolation.probes", False,
            modules),
        "autograder.grade": imported(
            "def g():\n    from autograder.isolation.worker import Worker\n",
            "autograder.grade", False, modules),
        "autograder.isolation.worker": imported(
            "from autograder.isolation import probes\n", "autograder.isolation.worker", False,
            modules),
        "autograder.errors": set(),
    }
    (found,) = cycles(edges)
    assert found == ["autograder.grade", "autograder.isolation.probes",
                     "autograder.isolation.worker"]
    assert path_in(found, edges) == ("autograder.grade -> autograder.isolation.worker ->"
                                     " autograder.isolation.probes -> autograder.grade")
    edges["autograder.isolation.probes"] = imported(
        "from autograder.errors import NotGraded\n", "autograder.isolation.probes", False,
        modules)
    assert cycles(edges) == []
