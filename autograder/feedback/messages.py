"""Finish a failure message: the call to paste, and the message for unseeded randomness.

``with_call`` adds, right under a failure's first line, the last call the check made into
the submission as code (``reproduce (import numpy as np; from mlp import *):``), which
replaces the check's own ``input:`` line unless the call had to elide a large array.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograder.feedback.calls import LINE_WIDTH, named_arguments, pasteable_call, py
from autograder.feedback.log import CallRecord, culprit
from autograder.feedback.names import output_names

REPRODUCE = "  reproduce"
"""The line that starts the pasteable code in every message (tests look for it)."""

OPERATOR = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
METHOD = {
    "add": "__add__", "sub": "__sub__", "mul": "__mul__", "div": "__truediv__",
    "pow": "__pow__", "neg": "__neg__",
}  # fmt: skip
"""Graph-spec op -> the Value method a student wrote (methods named like the op: exp...)."""
REVERSED = {"add": "__radd__", "sub": "__rsub__", "mul": "__rmul__", "div": "__rtruediv__"}
"""The method Python calls when a plain number is on the left: 2.0 / b is b.__rtruediv__."""


def method_of(node: Mapping[str, Any]) -> str:
    """The Value method that computes a graph node: '__add__', '__rtruediv__', 'tanh'."""
    op, args = node["op"], node["args"]
    if op in REVERSED and not isinstance(args[0], str):
        return REVERSED[op]
    return METHOD.get(op, op)


def const_code(arg: Mapping[str, Any]) -> str:
    """A graph spec's plain-number operand as code: an int as an int (`2`), else a float."""
    value = arg["const"]
    return repr(value) if type(value) is int else repr(float(value))


def graph_code(spec: Mapping[str, Any], mode: str) -> list[str]:
    """Python lines building the graph with Value and running it as the check did."""
    lines = [f"{name} = Value({x!r})" for name, x in spec["inputs"].items()]
    for node in spec["nodes"]:
        args = [a if isinstance(a, str) else const_code(a) for a in node["args"]]
        op = node["op"]
        if op in OPERATOR:
            expr = f"{args[0]} {OPERATOR[op]} {args[1]}"
        elif op == "pow":
            expr = f"{args[0]} ** {node['exponent']!r}"
        elif op == "neg":
            expr = f"-{args[0]}"
        else:
            expr = f"{args[0]}.{op}()"
        lines.append(f"{node['id']} = {expr}")
    out = spec["output"]
    names = list(spec["inputs"]) + [n["id"] for n in spec["nodes"]]
    if mode == "local":
        operands = list(dict.fromkeys(a for a in spec["nodes"][-1]["args"] if isinstance(a, str)))
        if spec.get("preset"):
            lines.append("; ".join(f"{n}.grad = {float(spec['preset'])!r}" for n in operands))
        lines.append(f"{out}.grad = {float(spec.get('seed', 1.0))!r}; {out}._backward()")
        lines.append("print(" + ", ".join(f"{n}.grad" for n in operands) + ")")
    elif mode == "forward":
        lines.append(f"print({out}.data)")
    elif mode == "chain":  # the grader's driver, not the student's backward()
        lines += [
            f"order, seen, todo = [], set(), [({out}, False)]  # topological order",
            "while todo:",
            "    v, done = todo.pop()",
            "    if done: order.append(v)",
            "    elif id(v) not in seen:",
            "        seen.add(id(v)); todo += [(v, True)] + [(c, False) for c in v._prev]",
            "for v in order: v.grad = 0.0",
            f"{out}.grad = 1.0",
            "for v in reversed(order): v._backward()",
        ]
        lines += textwrap.wrap("print(" + ", ".join(f"{n}.grad" for n in names) + ")",
                               LINE_WIDTH, subsequent_indent="      ")
    elif mode == "locals":  # each op alone, at the data the graph gave its operands
        lines += textwrap.wrap("print(" + ", ".join(f"{n}.data" for n in names) + ")",
                               LINE_WIDTH, subsequent_indent="      ")
        lines.append("# then, for the node named above: node.grad = 1.0; node._backward()")
    else:
        lines.append(f"{out}.backward()" + (f"; {out}.backward()" if mode == "backward_twice"
                                             else ""))
        lines += textwrap.wrap("print(" + ", ".join(f"{n}.grad" for n in names) + ")",
                               LINE_WIDTH, subsequent_indent="      ")
    return lines


def reproduce_block(record: CallRecord, module: str) -> list[str]:
    """'  reproduce (...):' and the code, indented for a message."""
    if record.kind == "graph":
        code = graph_code(record.spec, record.mode)
        header = f"{REPRODUCE} (from {module} import Value):"
    else:
        code = pasteable_call(record.function, record.args, record.kwargs, module=module)
        code = code.splitlines()
        header = f"{REPRODUCE} (import numpy as np; from {module} import *):"
    return [header] + ["      " + line for line in code]


FIXED_HINT = "  hint:"
"""A check's fixed per-check hint line: dropped, since a hint must come from a diagnosis of
the mistake actually made (the staff-side misconception catalogue), not from the check."""


def with_call(message: str, log: list[CallRecord], module: str, functions: str = "") -> str:
    """``message`` with the pasteable last call under its first line (once), and without
    the check's fixed hint lines."""
    lines = [line for line in message.splitlines() if not line.startswith(FIXED_HINT)]
    if not log or REPRODUCE in message or not lines:
        return "\n".join(lines)
    record = culprit(log, functions)
    block = reproduce_block(record, module)
    elided = any("too large to print" in line for line in block)
    rest = [line for line in lines[1:] if elided or not line.startswith("  input: ")]
    cut = 0  # after the student's traceback (indented 4), which belongs to the first line
    while cut < len(rest) and rest[cut].startswith("    "):
        cut += 1
    upto = log[: log.index(record) + 1]
    return "\n".join([lines[0], *rest[:cut], *block, *causes(upto, module), *rest[cut:]])


def _shapes(value: Any) -> dict[str, tuple]:
    if isinstance(value, Mapping):
        return {k: v.shape for k, v in value.items() if isinstance(v, np.ndarray)}
    return {}


def causes(log: list[CallRecord], module: str) -> list[str]:
    """When the last call raised and an argument is what an earlier call returned, say so.

    The grader passes the student's own results along (mlp_loss_and_grads' grads into
    sgd_momentum_step); a crash there is usually caused by that value, not by the function
    that crashed. A dict whose arrays' shapes differ from another dict argument's (grads
    against params) is named with the first key that differs."""
    if len(log) < 2 or log[-1].returned or log[-1].kind != "call":
        return []
    last = log[-1]
    named = named_arguments(module, last.function, last.args, last.kwargs)
    found = []
    for name, value in named:
        for earlier in log[:-1]:
            if not earlier.returned or earlier.kind != "call":
                continue
            parts = named_parts(module, earlier.function, earlier.result)
            part = next((p for p, v in parts.items() if v is value), None)
            if part is None and earlier.result is value:
                part = "the result"
            if part is None:
                continue
            what = "the result" if part == "the result" else f"the {part}"
            text = f"  cause: {name} is {what} your {earlier.function} returned"
            for other, other_value in named:
                mine, theirs = _shapes(value), _shapes(other_value)
                bad = [k for k in mine if k in theirs and mine[k] != theirs[k]]
                if other != name and bad:
                    text += (f": its [{bad[0]!r}] has shape {mine[bad[0]]}, {other}[{bad[0]!r}]"
                             f" has shape {theirs[bad[0]]}")
                    break
            found.append(text + ".")
            break
    return found


def named_parts(module: str, function: str, value: Any) -> dict[str, Any]:
    """A result split into its documented parts: {'dx': ..., 'dW': ..., 'db': ...}."""
    names = output_names(module, function)
    if isinstance(value, list) and names and len(value) == len(names):
        return dict(zip(names, value, strict=True))
    if isinstance(value, Mapping):
        return {f"[{k!r}]": v for k, v in value.items()}
    return {"the result": value}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f")))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and a == b


RERUNS = 10
"""Times a call is repeated to see it disagree with itself: a shuffle of even two points
shows in ten repeats but for a 2**-9 chance, and the list of outputs that differ settles
(each repeat is one ~0.2 ms round trip plus the student's own work)."""


def _repeat(student: Any, record: CallRecord) -> list[str]:
    """The named parts of record's result that change in any of RERUNS repeats of the call
    ([] when every repeat agrees with the first result, or a repeat fails)."""
    first = named_parts(student.module, record.function, record.result)
    differing: list[str] = []
    for _ in range(RERUNS):
        try:
            again = student.call(record.function, *record.args, **record.kwargs)
        except Exception:  # noqa: BLE001 - a fault here is reported by the check itself
            return []
        differing += [name for name, value in named_parts(
            student.module, record.function, again).items()
            if name not in first or not _same(first[name], value)]
    # In the documented order of the outputs, not the order the reruns happened to find
    # them in: the message is the same every run.
    changed = set(differing)
    return [name for name in first if name in changed] + sorted(changed - set(first))


def varies(student: Any, record: CallRecord) -> bool:
    """True if repeating this returned call gives another result: unseeded randomness."""
    return record.kind == "call" and record.returned and bool(_repeat(student, record))


def explain_flaky(student: Any, calls: list[CallRecord]) -> str:
    """The call that returns different results for the same input, and which outputs differ.

    ``calls`` are the calls of the check's first examples, in the order hypothesis drew
    them (the same on every run), so the message names the same call every run; each is
    repeated RERUNS times and the first that disagrees with itself is reported."""
    tried = set()
    for record in calls:
        if record.kind != "call" or not record.returned:
            continue
        key = pasteable_call(record.function, record.args, record.kwargs, module=student.module)
        if key in tried:
            continue
        tried.add(key)
        differing = _repeat(student, record)
        if differing:
            call = pasteable_call(record.function, record.args, record.kwargs,
                                  module=student.module)
            what = ", ".join(differing)
            return (
                f"{record.function} returned different results for the same input: {what}"
                " changed between two calls. Use no unseeded randomness (np.random.default_rng"
                "(seed) where the docstring gives a seed) and keep no state between calls.\n"
                f"{REPRODUCE} (call it twice; import numpy as np;"
                f" from {student.module} import *):\n"
                + "\n".join("      " + line for line in call.splitlines())
            )
    return (
        "gave different results for the same input on two runs of this check; every call"
        " repeated alone agreed with itself, so some state is kept between calls (a global or"
        " a mutable default argument?)."
    )


__all__ = ["explain_flaky", "graph_code", "method_of", "py", "with_call"]
