"""A call into student code written as Python the student can paste and run.

``pasteable_call("linear_backward", (dout, x, W, b), {}, module="mlp")`` gives::

    linear_backward(dout=np.array([[0.5, -1.25]]), x=np.array([[1.0]]), ...)

Every argument is named by its parameter name (from the stub's signature, names.py).
Floats are printed with the shortest repr that reads back to the same float64
(``floatmode="unique"``), so the call reproduces the grader's input bit for bit. An array
with more than MAX_PASTE_ENTRIES entries is elided (its shape and first entries shown).
A2's test functions (``FnRef``) are written out as lambdas of the same formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from autograder.feedback.names import parameters
from autograder.sandboxed.protocol import FnRef, Unencodable

MAX_PASTE_ENTRIES = 120
"""Entries of an array printed in full in a call: a (12, 10) batch still fits, and the
message stays a screenful. Larger arrays (the digits set) are elided and described."""
LINE_WIDTH = 64
"""Characters per line of pasteable code: the console shows it indented by 16 columns
(section, check, message, code block), and it must fit an 80-column terminal."""


def py(value: Any) -> str:
    """``value`` as Python source that evaluates to an equal value (with numpy as np)."""
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, FnRef):
        return fn_source(value)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        if np.isnan(value):
            return "float('nan')"
        if np.isinf(value):
            return "float('inf')" if value > 0 else "-float('inf')"
        return repr(float(value))  # np.float64 too: 1.5, not np.float64(1.5)
    if isinstance(value, (int, str)):
        return repr(value)
    if isinstance(value, Unencodable):
        return f"<a {value.type_name} object>"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(py(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(py(v) for v in value) + "]"
    return repr(value)


def _entry(v: Any) -> str:
    if isinstance(v, float):
        return py(v)
    return repr(v.item() if hasattr(v, "item") else v)


def _nested(a: np.ndarray) -> str:
    if a.ndim == 0:
        return _entry(a.item())
    return "[" + ", ".join(_nested(row) for row in a) + "]"


def _array(a: np.ndarray) -> str:
    if a.size > MAX_PASTE_ENTRIES:
        return f"<array of shape {a.shape}: too large to print>"
    default = a.dtype == np.float64 or a.dtype == np.int64 or a.dtype == np.bool_
    suffix = "" if default else f", dtype=np.{a.dtype}"
    if a.size == 0:
        return f"np.zeros({a.shape}{suffix})"
    return f"np.array({_nested(a)}{suffix})"


def _vec(params: Mapping, key: str) -> str:
    return py(np.asarray(params[key], dtype=float))


def fn_source(ref: FnRef) -> str:
    """A lambda computing the same f, gradient or Hessian as fixtures.py's catalogue entry."""
    name, part, p = ref.name, ref.part, dict(ref.params)
    if name == "wrong_grad":
        base = fn_source(FnRef(p["base"], "grad", p.get("base_params", {})))
        coord, delta = int(p["coord"]), float(p.get("delta", 1.0))
        if part != "grad":
            return fn_source(FnRef(p["base"], part, p.get("base_params", {})))
        return f"lambda x: ({base})(x) + {delta!r} * (np.arange(len(x)) == {coord})"
    if name == "lecture_2var":
        return {
            "f": "lambda x: x[0]**2 + x[0]*x[1] + 4*x[1]**2",
            "grad": "lambda x: np.array([2*x[0] + x[1], x[0] + 8*x[1]])",
        }.get(part, "lambda x: np.array([[2.0, 1.0], [1.0, 8.0]])")
    if name == "lecture_3var":
        return {
            "f": "lambda x: x[0]**2 + x[0]*(1 - x[1]) + x[1]**2 - x[1]*x[2] + x[2]**2 + x[2]",
            "grad": "lambda x: np.array([2*x[0] + 1 - x[1], -x[0] + 2*x[1] - x[2],"
            " -x[1] + 2*x[2] + 1])",
        }.get(part, "lambda x: np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]])")
    if name == "quadratic":
        A = np.asarray(p["A"], dtype=float)
        b = np.asarray(p.get("b", np.zeros(A.shape[0])), dtype=float)
        c = float(p.get("c", 0.0))
        sym = py(0.5 * (A + A.T))
        if part == "f":
            return f"lambda x: 0.5 * x @ {py(A)} @ x + {py(b)} @ x" + (f" + {c!r}" if c else "")
        return f"lambda x: {sym} @ x + {py(b)}" if part == "grad" else f"lambda x: {sym}"
    if name == "sum_sin":
        a = _vec(p, "a")
        if part == "f":
            return f"lambda x: np.sum(np.sin({a} * x)) + 0.5 * x @ x"
        if part == "grad":
            return f"lambda x: {a} * np.cos({a} * x) + x"
        return f"lambda x: np.diag(1.0 - {a}**2 * np.sin({a} * x))"
    if name == "rosenbrock":
        a, b = float(p.get("a", 1.0)), float(p.get("b", 100.0))
        if part == "f":
            return f"lambda x: np.sum({b!r} * (x[1:] - x[:-1]**2)**2 + ({a!r} - x[:-1])**2)"
        if part == "grad":
            return (
                f"lambda x: np.append(-4*{b!r}*x[:-1]*(x[1:] - x[:-1]**2) - 2*({a!r} - x[:-1]), 0)"
                f" + np.insert(2*{b!r}*(x[1:] - x[:-1]**2), 0, 0)"
            )
    if name == "scribbler":  # the base function, then it writes 2 x + 1 into its argument
        base = fn_source(FnRef(p["base"], part, p.get("base_params", {})))
        return (f"lambda x: (lambda v: (x.__setitem__(Ellipsis, 2 * x + 1), v)[1])"
                f"(({base})(np.array(x)))")
    if name == "nan_below":
        base = fn_source(FnRef(p["base"], part, p.get("base_params", {})))
        if part != "f":
            return base
        return f"lambda x: float('nan') if x[0] < {float(p['below'])!r} else ({base})(x)"
    return f"...  # the grader's test function {name} ({part}), {p}"


def array_lines(name: str, a: np.ndarray) -> list[str]:
    """``name = np.array([...])`` over lines of at most LINE_WIDTH: a matrix a row at a time
    (a long row wrapped), anything else wrapped (Python reads on inside brackets)."""
    import textwrap

    suffix = _array(a)[len("np.array(") + len(_nested(a)):-1]
    if a.ndim == 2:
        rows = [line for row in a for line in textwrap.wrap(
            f"{_nested(row)},", LINE_WIDTH, initial_indent="    ", subsequent_indent="     ",
            break_long_words=False, break_on_hyphens=False)]
        return [f"{name} = np.array(["] + rows + [f"]{suffix})"]
    return textwrap.wrap(f"{name} = {_array(a)}", LINE_WIDTH, subsequent_indent="    ",
                         break_long_words=False, break_on_hyphens=False)


def named_arguments(
    module: str, function: str, args: tuple | list, kwargs: Mapping[str, Any]
) -> list[tuple[str, Any]]:
    """(parameter name, value) for every argument, positional ones named by the signature
    ('' for a positional argument the signature does not name: it stays positional)."""
    names = [n for n in parameters(module, function) if n != "self"]
    named = []
    for i, value in enumerate(args):
        named.append((names[i] if i < len(names) else "", value))
    named += list(kwargs.items())
    return named


def pasteable_call(
    function: str, args: tuple | list, kwargs: Mapping[str, Any], *, module: str
) -> str:
    """``function(name=value, ...)`` on one line, or one argument per line if it is long.

    Callables (A2's f and grad_f) and long arrays are defined on lines of their own before
    the call (a dict's long arrays as ``<name>_<key>``), so no line is longer than
    LINE_WIDTH unless one number is."""
    named = named_arguments(module, function, args, kwargs)
    setup: list[str] = []
    parts: list[tuple[str, str | list[str]]] = []  # (name, text, or a dict's entries)
    for name, value in named:
        var = name or f"arg{len(parts) + 1}"  # a variable for a long value
        if isinstance(value, FnRef):
            setup.append(f"{var} = {fn_source(value)}")
            parts.append((name, var))
        elif isinstance(value, np.ndarray) and value.size > MAX_PASTE_ENTRIES:
            setup.append(f"{var} = ...  # an array of shape {value.shape}: too large to print")
            parts.append((name, var))
        elif isinstance(value, np.ndarray) and len(py(value)) > LINE_WIDTH - 8:
            setup += array_lines(var, value)
            parts.append((name, var))
        elif isinstance(value, Mapping) and value and len(py(value)) > LINE_WIDTH - 8:
            entries = []
            for key, item in value.items():
                if isinstance(item, np.ndarray) and len(py(item)) > LINE_WIDTH - 16 and (
                        item.size <= MAX_PASTE_ENTRIES) and str(key).isidentifier():
                    setup += array_lines(f"{var}_{key}", item)
                    entries.append(f"{key!r}: {var}_{key}")
                else:
                    entries.append(f"{key!r}: {py(item)}")
            parts.append((name, entries))
        else:
            parts.append((name, py(value)))

    def inline(text: str | list[str]) -> str:
        return text if isinstance(text, str) else "{" + ", ".join(text) + "}"

    def arg(name: str, text: str | list[str]) -> str:
        return f"{name}={inline(text)}" if name else inline(text)

    one_line = f"{function}({', '.join(arg(n, t) for n, t in parts)})"
    if len(one_line) <= LINE_WIDTH:
        return "\n".join(setup + [one_line])
    lines = setup + [f"{function}("]
    for name, text in parts:
        if isinstance(text, list) and len(f"    {arg(name, text)},") > LINE_WIDTH:
            lines += [f"    {name}={{" if name else "    {"]
            lines += [f"        {e}," for e in text] + ["    },"]
        else:
            lines.append(f"    {arg(name, text)},")
    return "\n".join(lines + [")"])
