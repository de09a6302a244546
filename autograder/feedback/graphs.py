"""A3: compare a Value graph node by node and name the first wrong gradient and its operator.

Backpropagation fills gradients from the output back (reverse topological order: the spec's
nodes reversed, then the inputs). The first node, in that order, whose grad is wrong was
made wrong by the local ``_backward`` of an operator that uses it, all of whose own grads
were still right: that operator (``__mul__``, ``__rtruediv__``, ``tanh``) is named. The
comparison also keeps plain data for the report's picture of the graph (``record``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from autograder.compare import ATOL, GRAD_REL_ERROR, RTOL, CheckFailure, rel_error
from autograder.feedback.messages import graph_code, method_of

ARTIFACT = "graphs"
"""Student.record key: {title: graph data} of the failing A3 checks, for the report."""


def backward_order(spec: Mapping[str, Any]) -> list[str]:
    """Node names in the order backward() finalises their gradients."""
    return [spec["output"]] + [n["id"] for n in reversed(spec["nodes"])
                               if n["id"] != spec["output"]] + list(reversed(spec["inputs"]))


def node_code(spec: Mapping[str, Any], name: str) -> str:
    """'n3 = n2.tanh()' for a node, 'x0 = Value(1.5)' for an input."""
    for line in graph_code({**spec, "nodes": [n for n in spec["nodes"] if n["id"] == name]},
                           "forward")[len(spec["inputs"]):-1]:
        return line
    return f"{name} = Value({spec['inputs'][name]!r})"


def consumers(spec: Mapping[str, Any], name: str) -> list[dict]:
    return [n for n in spec["nodes"] if name in [a for a in n["args"] if isinstance(a, str)]]


def _grad_wrong(got: float, expected: float) -> bool:
    return not np.isfinite(got) or (rel_error(got, expected) > GRAD_REL_ERROR
                                    and abs(got - expected) > ATOL)


def record(student: Any, title: str, spec: Mapping[str, Any], got: Mapping[str, Any],
           expected_data: Mapping[str, float], expected_grads: Mapping[str, float],
           wrong: str = "") -> None:
    """Keep the graph, both sides' values and gradients, and the first wrong node."""
    graphs = student.artifacts.setdefault(ARTIFACT, {})
    graphs[title] = {
        "spec": spec,
        "data": {k: _num(v) for k, v in (got.get("data") or {}).items()},
        "grads": {k: _num(v) for k, v in (got.get("grads") or {}).items()},
        "expected_data": dict(expected_data),
        "expected_grads": dict(expected_grads),
        "wrong": wrong,
    }


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def compare_graph(student: Any, title: str, spec: Mapping[str, Any], got: Mapping[str, Any],
                  expected_data: Mapping[str, float], expected_grads: Mapping[str, float],
                  what: str, judged: str = "ops") -> None:
    """Fail on the first wrong value (in forward order), else the first wrong gradient.

    ``judged``: "ops" (the expected values are the true ones: the operators' _backward are
    named as the cause) or "backward" (expected from the student's own ops: only backward()
    is judged, so it is named)."""
    data, grads = got.get("data") or {}, got.get("grads") or {}
    for node in list(spec["inputs"]) + [n["id"] for n in spec["nodes"]]:
        if node not in expected_data:
            continue
        value = _num(data.get(node))
        if value is None or not np.isclose(value, expected_data[node], rtol=RTOL, atol=ATOL):
            record(student, title, spec, got, expected_data, expected_grads, node)
            line = node_code(spec, node)
            method = _method_of_node(spec, node)
            raise CheckFailure(
                f"{what}: the value of {node} is wrong ({line}"
                + (f", computed by {method}" if method else "") + ").\n"
                f"  {node}.data: expected {expected_data[node]:.6g}, got "
                + (f"{value:.6g}" if value is not None else repr(data.get(node)))
            )
    for node in backward_order(spec):
        if node not in expected_grads:
            continue
        value = _num(grads.get(node))
        if value is not None and not _grad_wrong(value, expected_grads[node]):
            continue
        record(student, title, spec, got, expected_data, expected_grads, node)
        users = consumers(spec, node)
        if node == spec["output"]:
            cause = f"{node} is the output: backward() must start with {node}.grad = 1"
        elif judged == "backward":
            uses = "; ".join(node_code(spec, n["id"]) for n in users)
            cause = (f"{node} is used by {uses}; the expected value applies your own ops'"
                     " _backward closures, so backward() (its order, reset, seed or visiting)"
                     f" gave {node} a wrong gradient")
        else:
            ops = ", ".join(dict.fromkeys(method_of(n) for n in users))
            uses = "; ".join(node_code(spec, n["id"]) for n in users)
            cause = (f"{node} is used by {uses}: the _backward of {ops} (or backward()'s"
                     " order) passed it a wrong gradient")
        shown = f"{value:.6g}" if value is not None else repr(grads.get(node))
        raise CheckFailure(
            f"{what}: {node}.grad is the first wrong gradient, going back from the output.\n"
            f"  {node}.grad: expected {expected_grads[node]:.6g}, got {shown}\n"
            f"  {cause}."
        )


def _method_of_node(spec: Mapping[str, Any], name: str) -> str:
    for n in spec["nodes"]:
        if n["id"] == name:
            return method_of(n)
    return ""
