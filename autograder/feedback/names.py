"""Parameter and output names of the assignments' functions, read from source files.

Parameter names come from the student stubs' signatures (``assignments/<folder>/<module>.py``,
or the reference solution's file when the stubs are absent), parsed with ``ast``: the
grader never imports a module to learn a signature. The folder is found by the module's
file name, so an assignment added by an author (docs/AUTHORING.md's a5) is named too.
Output names come from the documented ``Returns:`` section (``dx: ...; dW: ...; db: ...``
names the three parts of a tuple), so a message can say ``db`` instead of ``linear_backward[2]``.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_RETURN_NAME = re.compile(r"(?:^|;)\s*([A-Za-z_]\w*)\s*:")


def _source(module: str) -> str:
    """The stub's source of ``module`` (else the reference's); '' when neither is here."""
    for base in ("assignments", "reference_solution"):
        for path in sorted((ROOT / base).glob(f"a*/{module}.py")):
            if path.is_file():
                return path.read_text()
    return ""


@cache
def _functions(module: str) -> dict[str, ast.FunctionDef]:
    """Top-level functions and Value's methods (as 'Value.name') of a module's source."""
    try:
        tree = ast.parse(_source(module))
    except SyntaxError:
        return {}
    found: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found[f"{node.name}.{item.name}"] = item
    return found


def parameters(module: str, function: str) -> list[str]:
    """Names of the positional-or-keyword parameters of ``function``; [] if unknown."""
    node = _functions(module).get(function)
    if node is None:
        return []
    return [a.arg for a in node.args.posonlyargs + node.args.args]


def output_names(module: str, function: str) -> list[str]:
    """Documented names of a tuple return, e.g. ['dx', 'dW', 'db']; [] when not a tuple."""
    node = _functions(module).get(function)
    doc = ast.get_docstring(node) if node is not None else None
    if not doc or "Returns:" not in doc:
        return []
    returns = doc.split("Returns:", 1)[1].split("\n\n", 1)[0]
    text = " ".join(returns.split())
    if text.startswith("("):  # "(new_params, new_velocity): ..."
        inside = text[1 : text.find(")")]
        names = [n.strip() for n in inside.split(",")]
        return names if all(n.isidentifier() for n in names) and len(names) > 1 else []
    names = _RETURN_NAME.findall(text)
    return names if len(names) > 1 else []


def output_name(module: str, function: str, index: int) -> str:
    """The documented name of part ``index`` of what ``function`` returns, else 'part i'."""
    names = output_names(module, function)
    return names[index] if index < len(names) else f"part {index} of the result"
