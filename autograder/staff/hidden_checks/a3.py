"""Hidden checks of A3: random expression graphs, differential against the reference Value.

Graphs are drawn by hypothesis from the ops of one task (plus + and *), with operands kept
inside each op's domain (log and fractional powers of t*t + 0.5, division by t*t + 0.5).
The reference runs on the trusted side through the same fixtures.run_graph the worker uses.
One bug, one penalty: an op task's graphs judge only that task's nodes, each at the data the
student's own graph gave it (checks.a3.check_ops_in_graph); backward()'s graphs are judged
against the chain rule composed from the student's own ops (checks.a3.check_backward).
"""

from __future__ import annotations

import math

from autograder.checks.a3 import check_backward, check_ops_in_graph, describe
from autograder.checks.framework import Registry, for_all
from autograder.checks.strategies import st
from autograder.feedback.messages import METHOD
from autograder.sandboxed import fixtures
from autograder.staff import reference

CHECKS = Registry(hidden=True)

MAX_MAGNITUDE = 1e6
"""Graphs whose values leave ±1e6 are discarded: they test overflow, not backprop."""

TASK_OPS = {
    "3.1": ("add", "mul", "sub", "neg"),
    "3.2": ("pow", "div"),
    "3.3": ("exp", "log", "sin", "cos"),
    "3.4": ("tanh", "sigmoid", "relu"),
    "3.5": ("add", "mul", "sub", "div", "pow", "exp", "log", "sin", "cos", "tanh", "sigmoid"),
}


@st.composite
def graphs(draw, ops: tuple[str, ...]) -> dict:
    """A random graph spec using `ops`, with at least one of them, on 1-3 inputs."""
    n_inputs = draw(st.integers(1, 3))
    inputs = {f"x{i}": draw(st.floats(-2.0, 2.0)) for i in range(n_inputs)}
    names = list(inputs)
    nodes: list[dict] = []

    def add(op: str, args: list, **extra) -> str:
        name = f"n{len(nodes)}"
        nodes.append({"id": name, "op": op, "args": args, **extra})
        names.append(name)
        return name

    def positive(arg: str) -> str:  # t * t + 0.5 > 0
        return add("add", [add("mul", [arg, arg]), {"const": 0.5}])

    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(ops + ("add", "mul")))
        a = draw(st.sampled_from(names))
        if op in ("add", "mul", "sub"):
            other = draw(
                st.one_of(st.sampled_from(names), st.floats(-2.0, 2.0).map(lambda c: {"const": c}))
            )
            args = [a, other] if draw(st.booleans()) or isinstance(other, str) else [other, a]
            add(op, args)
        elif op == "div":
            if draw(st.booleans()):
                add("div", [a, positive(draw(st.sampled_from(names)))])
            else:
                add("div", [{"const": draw(st.floats(-2.0, 2.0))}, positive(a)])
        elif op == "pow":
            k = draw(st.sampled_from([2, 3, -1, 0.5, -1.5]))
            add("pow", [a if k in (2, 3) else positive(a)], exponent=k)
        elif op == "log":
            add("log", [positive(a)])
        else:
            add(op, [a])
    return {"inputs": inputs, "nodes": nodes, "output": names[-1]}


def _reasonable(value_class: type, spec: dict) -> bool:
    """Whether the reference (``value_class``) computes the graph within ±MAX_MAGNITUDE."""
    try:
        result = fixtures.run_graph(value_class, spec, "forward")
    except (OverflowError, ValueError, ZeroDivisionError):
        return False
    return all(math.isfinite(v) and abs(v) < MAX_MAGNITUDE for v in result["data"].values())


def _graph_check(task: str, mode: str, name: str):
    # Filtered when `autograder make-plans` draws the examples (with the kit's reference):
    # a grading replays the stored graphs, whatever reference it grades against.
    strategy = graphs(TASK_OPS[task]).filter(
        lambda spec: _reasonable(reference.load("engine").Value, spec))

    functions = ", ".join(f"Value.{METHOD.get(op, op)}" for op in TASK_OPS[task])
    if task == "3.5":
        functions = "Value.backward"

    @CHECKS.check(task=task, function=functions, name=name)
    @for_all(strategy, max_examples=40, describe=describe)
    def check(student, spec) -> None:
        if task == "3.5":
            check_backward(student, spec, mode)
        else:
            check_ops_in_graph(student, spec, task, functions)

    check.__name__ = f"random_graphs_{task.replace('.', '_')}_{mode}"
    return check


for _task in ("3.1", "3.2", "3.3", "3.4"):
    _graph_check(_task, "chain", f"random graphs of task {_task}'s ops, each node where it stands")
_graph_check("3.5", "backward", "random graphs of every op, against the chain rule of your ops")
_graph_check("3.5", "backward_twice", "random graphs, backward() called twice")
