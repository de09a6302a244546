"""Mutation analysis of the checks: one-change mutants of the reference, each graded.

Every mutant is the reference solution with ONE change inside a `### BEGIN SOLUTION` /
`### END SOLUTION` block (the code students write): arithmetic operator swap, comparison
swap, constant change (0<->1, n -> n+1, True<->False), slice bound shift (+1), augmented
assignment swap, deleted statement (-> `pass`), removed copy (`x.copy()`, `np.copy(x)`,
`copy.copy/deepcopy(x)` -> `x`). It is graded like a submission (hidden checks, the
reference as reference) and is KILLED when it loses points, else it SURVIVES. A survivor is
a failure unless `benchmarks/mutation_equivalent.txt` lists its id with a one-line reason.

Why our own AST mutator and not mutmut 3.x or cosmic-ray 8.x: both are driven by a test
command, mutate whole files (every line, not only the solution blocks; mutmut 3 rewrites
modules into a `mutants/` tree with trampolines that the sandboxed worker could not import
from a plain copy) and keep their results in a session database; we need mutants of the
solution blocks only, each graded by `grade_submission` as a copied submission, and ids
that stay stable across runs so an equivalence list can name them. An
`ast.NodeTransformer` that counts candidate sites in a fixed pre-order and changes the
k-th, then `ast.unparse` of the one enclosing block statement spliced back into the source,
is ~200 lines, deterministic and has no dependency.

Ids: `<assignment>:<function qualname>:<operator><k>`, k counting that operator's sites
within the function in source order (stable while the function's code does not change).

Run: python benchmarks/mutation.py [--jobs 2] [--sample N --seed S] [--assignment a1 ...]
     [--budget SECONDS] [--list]
"""

from __future__ import annotations

import argparse
import ast
import difflib
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import _common

REFERENCE = _common.REPO_ROOT / "reference_solution"
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")
FILES = {
    "a1": "a1_perceptron/perceptron.py",
    "a2": "a2_gradient_descent/gradient_descent.py",
    "a3": "a3_backprop/engine.py",
    "a4": "a4_mlp/mlp.py",
}

_BINOP = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv, ast.MatMult: ast.Mult,
}
_CMP = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_AUG = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_DELETABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For,
              ast.While, ast.Raise, ast.Assert)


@dataclass(frozen=True)
class Mutant:
    id: str
    assignment: str
    description: str
    source: str
    diff: str


def solution_lines(source: str) -> list[tuple[int, int]]:
    """(first, last) 1-based line numbers strictly inside each solution block."""
    blocks, start = [], None
    for number, line in enumerate(source.splitlines(), 1):
        text = line.strip()
        if text.startswith("### BEGIN SOLUTION"):
            start = number
        elif text.startswith("### END SOLUTION") and start is not None:
            blocks.append((start + 1, number - 1))
            start = None
    return blocks


def _is_copy_call(node: ast.AST) -> ast.expr | None:
    """The copied expression when ``node`` is x.copy(), np.copy(x) or copy.(deep)copy(x)."""
    if not isinstance(node, ast.Call) or node.keywords:
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "copy" and not node.args:
        if not (isinstance(func.value, ast.Name) and func.value.id in ("np", "copy")):
            return func.value
    if (isinstance(func, ast.Attribute) and func.attr in ("copy", "deepcopy")
            and isinstance(func.value, ast.Name) and func.value.id in ("np", "numpy", "copy")
            and len(node.args) == 1):
        return node.args[0]
    return None


class _Mutator(ast.NodeTransformer):
    """Pre-order walk counting candidate sites; applies site number ``target`` (or none)."""

    def __init__(self, blocks: list[tuple[int, int]], target: int = -1) -> None:
        self.blocks, self.target = blocks, target
        self.sites: list[tuple[str, str, str]] = []  # (qualname, operator, description)
        self.names: list[str] = []
        self.root: ast.stmt | None = None  # the block statement holding the applied change
        self._root_stack: list[ast.stmt] = []

    def _inside(self, node: ast.AST) -> bool:
        line = getattr(node, "lineno", None)
        return line is not None and any(a <= line <= b for a, b in self.blocks)

    def _site(self, operator: str, description: str) -> bool:
        """Record one site; True when it is the one to apply."""
        self.sites.append((".".join(self.names) or "<module>", operator, description))
        hit = len(self.sites) - 1 == self.target
        if hit:
            self.root = self._root_stack[0]
        return hit

    def visit(self, node: ast.AST) -> ast.AST:
        named = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if named:
            self.names.append(node.name)
        pushed = isinstance(node, ast.stmt) and self._inside(node) and not self._root_stack
        if pushed:
            self._root_stack.append(node)
        try:
            if self._root_stack and isinstance(node, ast.JoinedStr):
                return node  # f-strings: messages, not computation
            result = self._mutate(node) if self._root_stack else node
            if result is node:
                result = self.generic_visit(node)
            elif pushed and self.root is node:  # the block statement itself was replaced
                self.root = result
            return result
        finally:
            if pushed:
                self._root_stack.pop()
            if named:
                self.names.pop()

    def _mutate(self, node: ast.AST) -> ast.AST:  # noqa: C901 (one branch per operator)
        line = getattr(node, "lineno", 0)
        if isinstance(node, _DELETABLE) and not _is_docstring(node):
            if self._site("delete", f"line {line}: delete `{_short(node)}`"):
                return ast.copy_location(ast.Pass(), node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOP:
            new = _BINOP[type(node.op)]
            if self._site("binop", f"line {line}: {type(node.op).__name__} -> {new.__name__}"):
                node.op = new()
                return node
        if isinstance(node, ast.AugAssign) and type(node.op) in _AUG:
            new = _AUG[type(node.op)]
            if self._site("aug", f"line {line}: {type(node.op).__name__}= -> {new.__name__}="):
                node.op = new()
                return node
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                new = _CMP.get(type(op))
                if new and self._site("cmp", f"line {line}: {type(op).__name__} -> "
                                      f"{new.__name__}"):
                    node.ops[i] = new()
                    return node
        if isinstance(node, ast.Constant) and type(node.value) in (bool, int, float):
            value = node.value
            if isinstance(value, bool):
                changed: object = not value
            elif value == 0:
                changed = type(value)(1)
            elif value == 1:
                changed = type(value)(0)
            else:
                changed = value + 1
            if self._site("const", f"line {line}: {value!r} -> {changed!r}"):
                return ast.copy_location(ast.Constant(changed), node)
        if isinstance(node, ast.Slice):
            for bound in ("lower", "upper"):
                expr = getattr(node, bound)
                if expr is None and bound == "upper":
                    continue
                if self._site("slice", f"line {line}: slice {bound} + 1"):
                    base = expr if expr is not None else ast.Constant(0)
                    setattr(node, bound, ast.BinOp(base, ast.Add(), ast.Constant(1)))
                    return node
        copied = _is_copy_call(node)
        if copied is not None and self._site("copy", f"line {line}: remove copy"):
            return copied
        return node


def _is_docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
        and isinstance(node.value.value, str)


def _short(node: ast.AST) -> str:
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= 40 else text[:37] + "..."


def mutants(assignment: str) -> list[Mutant]:
    """Every mutant of one assignment's reference module, in site order."""
    path = REFERENCE / FILES[assignment]
    source = path.read_text()
    blocks = solution_lines(source)
    counter = _Mutator(blocks)
    counter.visit(ast.parse(source))
    lines = source.splitlines(keepends=True)
    seen: Counter[tuple[str, str]] = Counter()
    found = []
    for target, (qualname, operator, description) in enumerate(counter.sites):
        seen[(qualname, operator)] += 1
        mutant_id = f"{assignment}:{qualname}:{operator}{seen[(qualname, operator)]}"
        mutator = _Mutator(blocks, target)
        tree = mutator.visit(ast.parse(source))
        root = mutator.root
        assert root is not None, mutant_id
        ast.fix_missing_locations(tree)
        indent = " " * root.col_offset
        body = "".join(indent + text + "\n" for text in ast.unparse(root).splitlines())
        new_lines = lines[: root.lineno - 1] + body.splitlines(True) + lines[root.end_lineno:]
        new_source = "".join(new_lines)
        diff = "".join(difflib.unified_diff(lines, new_lines, FILES[assignment],
                                            FILES[assignment] + " (mutant)", n=0))
        found.append(Mutant(mutant_id, assignment, description, new_source, diff))
    return found


def load_equivalent(path: Path = EQUIVALENT) -> dict[str, str]:
    """id -> reason from the equivalence list (`id  reason`, # comments)."""
    listed = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line
            if line.strip():
                mutant_id, _, reason = line.strip().partition(" ")
                listed[mutant_id] = reason.strip()
    return listed


def grade_mutant(mutant: Mutant, slot: int = 0) -> tuple[str, float, float, str]:
    """(id, score, max score, error) for the mutant graded as a submission."""
    from autograder.grade import grade_submission

    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        folder = Path(FILES[mutant.assignment]).parent
        target = Path(tmp) / folder
        shutil.copytree(REFERENCE / folder, target,
                        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
        (Path(tmp) / FILES[mutant.assignment]).write_text(mutant.source)
        try:
            result = grade_submission(Path(tmp), only=[mutant.assignment], slot=slot,
                                      reference=REFERENCE)
        except Exception as exc:  # noqa: BLE001 (reported as its own outcome)
            return mutant.id, 0.0, 0.0, f"{type(exc).__name__}: {exc}"
        return mutant.id, result.score, result.max_score, ""


def _grade_indexed(args: tuple[Mutant, int]) -> tuple[str, float, float, str]:
    return grade_mutant(*args)


def select(assignments: list[str], sample: int | None, seed: int) -> list[Mutant]:
    """All mutants of ``assignments``, or a seeded sample spread over them (round robin)."""
    per = {a: mutants(a) for a in assignments}
    if sample is None:
        return [m for a in assignments for m in per[a]]
    rng = random.Random(seed)
    for a in assignments:
        rng.shuffle(per[a])
    chosen: list[Mutant] = []
    while len(chosen) < sample and any(per.values()):
        for a in assignments:
            if per[a] and len(chosen) < sample:
                chosen.append(per[a].pop())
    return chosen


def run(chosen: list[Mutant], jobs: int, budget: float | None) -> dict[str, tuple]:
    """Grade each mutant (jobs in parallel) until the budget is spent; id -> outcome."""
    started, outcomes = time.monotonic(), {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending = [pool.submit(_grade_indexed, (m, i % jobs)) for i, m in enumerate(chosen)]
        for future in pending:
            if budget is not None and time.monotonic() - started > budget:
                for rest in pending:
                    rest.cancel()
            if future.cancelled():
                continue
            mutant_id, score, max_score, error = future.result()
            outcomes[mutant_id] = (score, max_score, error)
    return outcomes


def report(chosen: list[Mutant], outcomes: dict[str, tuple], equivalent: dict[str, str],
           full: dict[str, float]) -> int:
    """Print the table and the unexplained survivors; the number of those survivors."""
    rows, failures = [], []
    for a in sorted({m.assignment for m in chosen}):
        mine = [m for m in chosen if m.assignment == a and m.id in outcomes]
        killed = [m for m in mine if outcomes[m.id][0] < full[a] - 1e-9 and not outcomes[m.id][2]]
        errors = [m for m in mine if outcomes[m.id][2]]
        survived = [m for m in mine if m not in killed and m not in errors]
        listed = [m for m in survived if m.id in equivalent]
        failures += [m for m in survived if m.id not in equivalent]
        rows.append([a, str(len(mine)), str(len(killed)), str(len(survived)),
                     str(len(listed)), str(len(errors))])
    _common.print_table(["assignment", "mutants", "killed", "survived", "equivalent",
                         "errors"], rows)
    for m in failures:
        print(f"\nSURVIVED {m.id}  ({m.description})\n{m.diff}")
    for m in chosen:
        if m.id in outcomes and outcomes[m.id][2]:
            print(f"\nERROR {m.id}: {outcomes[m.id][2]}")
    return len(failures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", choices=sorted(FILES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=None, help="seconds")
    parser.add_argument("--list", action="store_true", help="print the mutants, grade none")
    args = parser.parse_args(argv)
    assignments = args.assignment or sorted(FILES)
    chosen = select(assignments, args.sample, args.seed)
    if args.list:
        for m in chosen:
            print(f"{m.id}  {m.description}")
        print(f"{len(chosen)} mutants")
        return 0
    print(_common.machine_header())
    full = {}
    for a in assignments:  # the reference's own score: what a mutant must fall below
        _, score, max_score, error = grade_mutant(
            Mutant("reference", a, "", (REFERENCE / FILES[a]).read_text(), ""))
        if error or score < max_score:
            print(f"reference {a} scores {score}/{max_score} {error}", file=sys.stderr)
            return 2
        full[a] = score
    started = time.monotonic()
    outcomes = run(chosen, args.jobs, args.budget)
    print(f"{len(outcomes)} of {len(chosen)} mutants graded in "
          f"{time.monotonic() - started:.0f} s, jobs={args.jobs}")
    return 1 if report(chosen, outcomes, load_equivalent(), full) else 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Mutant", "mutants", "select", "grade_mutant", "load_equivalent"]
