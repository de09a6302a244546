"""Visible checks of A3 (scalar autograd engine): lecture numbers and central differences.

Every expected value is computed here on plain floats: `evaluate` runs a graph spec (the
plain-data format of autograder/sandboxed/fixtures.py) with `math`, and gradients come from
central differences of that evaluation. The submission's Value class is run in the worker
through `student.graph(spec, mode)`.

One bug, one penalty: checks of the ops (3.1-3.4) run graphs with the grader's driver (mode
"chain": the student's `_backward` closures in reverse topological order, never their
backward()); checks of backward() (3.5) compare it with the chain rule composed HERE from the
student's own ops, each measured alone (mode "locals"), so a wrong tanh' costs 3.4 only and
a wrong backward() costs 3.5 only.
"""

from __future__ import annotations

import math

from autograder.checks.framework import (
    Assignment,
    CarriedForward,
    NotJudged,
    Registry,
    StudentFault,
    Task,
    for_all,
)
from autograder.checks.strategies import st
from autograder.compare import (
    CheckFailure,
    assert_close,
    assert_gradient_close,
    expect_dict,
    expect_float,
)
from autograder.feedback.graphs import compare_graph
from autograder.feedback.messages import const_code

ASSIGNMENT = Assignment(
    id="a3",
    folder="a3_backprop",
    module="engine",
    title="Backpropagation on a computation graph",
    tasks=(
        Task(
            "3.1",
            "+, *, -, numbers on either side",
            4,
            ("__add__", "__mul__", "__radd__", "__rmul__", "__neg__", "__sub__", "__rsub__"),
        ),
        Task("3.2", "powers and division", 3, ("__pow__", "__truediv__", "__rtruediv__")),
        Task("3.3", "exp, log, sin, cos", 4, ("exp", "log", "sin", "cos")),
        Task("3.4", "tanh, sigmoid, relu", 4, ("tanh", "sigmoid", "relu")),
        Task("3.5", "backward()", 5, ("backward",)),
    ),
)
CHECKS = Registry()

H = 1e-6
"""Central-difference step on O(1) floats: truncation ~h² = 1e-12, rounding ~1e-16/h = 1e-10,
both far below compare.GRAD_REL_ERROR."""
NUMERIC_ATOL = 1e-7
"""Absolute slack against a central difference: where the true derivative is 0 the difference
still carries rounding noise ~1e-16·|f|/h ≈ 1e-10·|f|, which a relative error would magnify."""

# ---------------------------------------------------------------- trusted float evaluation

_FLOAT_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "exp": math.exp,
    "log": math.log,
    "sin": math.sin,
    "cos": math.cos,
    "tanh": math.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x)),
    "relu": lambda x: x if x > 0 else 0.0,
    "neg": lambda x: -x,
}
SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
METHOD_OF_OP = {
    "add": "__add__",
    "sub": "__sub__",
    "mul": "__mul__",
    "div": "__truediv__",
    "pow": "__pow__",
    "neg": "__neg__",
}


def evaluate(spec: dict, inputs: dict[str, float] | None = None) -> dict[str, float]:
    """Every node's value of a graph spec, on plain floats (the grader's own forward)."""
    values = dict(spec["inputs"] if inputs is None else inputs)

    def operand(arg):
        return values[arg] if isinstance(arg, str) else float(arg["const"])

    for node in spec["nodes"]:
        args = [operand(a) for a in node["args"]]
        if node["op"] == "pow":
            values[node["id"]] = args[0] ** node["exponent"]
        else:
            values[node["id"]] = _FLOAT_OPS[node["op"]](*args)
    return values


def numeric_grads(spec: dict) -> dict[str, float]:
    """d output / d input for every input of spec, by central differences of `evaluate`."""
    grads = {}
    for name, x in spec["inputs"].items():
        up = evaluate(spec, {**spec["inputs"], name: x + H})[spec["output"]]
        down = evaluate(spec, {**spec["inputs"], name: x - H})[spec["output"]]
        grads[name] = (up - down) / (2 * H)
    return grads


def describe(spec: dict) -> str:
    """The graph as code a student can paste: 'a = Value(1.5); ...; out = a * b'."""
    lines = [f"{name} = Value({x!r})" for name, x in spec["inputs"].items()]
    for node in spec["nodes"]:
        args = [a if isinstance(a, str) else const_code(a) for a in node["args"]]
        if node["op"] in SYMBOL:
            expr = f"{args[0]} {SYMBOL[node['op']]} {args[1]}"
        elif node["op"] == "pow":
            expr = f"{args[0]} ** {node['exponent']!r}"
        elif node["op"] == "neg":
            expr = f"-{args[0]}"
        else:
            expr = f"{args[0]}.{node['op']}()"
        lines.append(f"{node['id']} = {expr}")
    return "; ".join(lines)


def graph_result(student, spec: dict, mode: str, function: str) -> dict:
    """Run spec in the worker; validate the reply's shape (data and grads dicts of floats)."""
    got = student.graph(spec, mode, function=function)
    keys = ["data"] if mode == "forward" else ["data", "grads"]
    return expect_dict(got, keys, what=f"Value graph ({mode})")


def check_graph(
    student,
    spec: dict,
    mode: str,
    function: str,
    hint: str = "",
    expected_grads: dict[str, float] | None = None,
) -> None:
    """Values of every node, then d out / d input for every input, against our own floats."""
    got = graph_result(student, spec, mode, function)
    values = evaluate(spec)  # every node's value, on plain floats
    grads: dict[str, float] = {}
    if mode != "forward":
        numeric = expected_grads is None
        for name, expected in (numeric_grads(spec) if numeric else expected_grads).items():
            got_grad = got["grads"].get(name)
            close = isinstance(got_grad, float) and abs(got_grad - expected) <= NUMERIC_ATOL
            grads[name] = got_grad if numeric and close else expected  # rounding of the diff
    # Node by node: the first wrong value, else the first wrong gradient and its operator.
    compare_graph(student, function, spec, got, values, grads, function)


TASK_OPS = {
    "3.1": ("add", "mul", "sub", "neg"),
    "3.2": ("pow", "div"),
    "3.3": ("exp", "log", "sin", "cos"),
    "3.4": ("tanh", "sigmoid", "relu"),
}
"""The spec ops each op task is judged on; a graph's other ops are other tasks' business."""
BUILT_FROM_MUL = ("div",)
"""Ops the docs build from * (a / b = a * b**-1): not judged while the student's * is wrong."""


def _operands(node: dict, data: dict[str, float]) -> list[float]:
    return [data[a] if isinstance(a, str) else float(a["const"]) for a in node["args"]]


def _op_value(node: dict, args: list[float]) -> float:
    if node["op"] == "pow":
        return args[0] ** node["exponent"]
    return _FLOAT_OPS[node["op"]](*args)


def _sigmoid(x: float) -> float:
    return _FLOAT_OPS["sigmoid"](x)


_PARTIALS = {  # op -> the partial derivatives at its operands' values, written out here
    "add": lambda a, b: (1.0, 1.0),
    "sub": lambda a, b: (1.0, -1.0),
    "mul": lambda a, b: (b, a),
    "div": lambda a, b: (1.0 / b, -a / (b * b)),
    "neg": lambda a: (-1.0,),
    "exp": lambda a: (math.exp(a),),
    "log": lambda a: (1.0 / a,),
    "sin": lambda a: (math.cos(a),),
    "cos": lambda a: (-math.sin(a),),
    "tanh": lambda a: (1.0 - math.tanh(a) ** 2,),
    "sigmoid": lambda a: (_sigmoid(a) * (1.0 - _sigmoid(a)),),
    "relu": lambda a: (1.0 if a > 0 else 0.0,),  # the kit's relu'(0) = 0
}


def _op_derivatives(node: dict, data: dict[str, float]) -> dict[str, float]:
    """d node / d operand for each distinct operand name (summed when it appears twice)."""
    args = _operands(node, data)
    if node["op"] == "pow":
        k = node["exponent"]
        partials = (k * args[0] ** (k - 1),)
    else:
        partials = _PARTIALS[node["op"]](*args)
    grads: dict[str, float] = {}
    for arg, partial in zip(node["args"], partials, strict=True):
        if isinstance(arg, str):
            grads[arg] = grads.get(arg, 0.0) + partial
    return grads


MUL_PROBES = {  # a * operator -> (its probe's operands, the division built from it)
    "__mul__": (["a", "b"], ["a", "b"]),
    "__rmul__": ([{"const": -0.7}, "a"], [{"const": 2.0}, "b"]),
}
"""Divisions the docs build from * (a / b = a * b**-1, 2 / b = 2 * b**-1), each paired with
the * operator it uses."""


def mul_is_wrong(student, method: str = "__mul__", number: dict | None = None) -> bool:
    """Whether the student's ``*`` (``__mul__``: a * b; ``__rmul__``: number * a; task 3.1)
    gets a fan-out probe wrong: then a division built from it is not judged (its bug is
    already paid for in 3.1). ``number`` (a spec operand ``{"const": 2}``) replaces the
    probe's plain number, so that an int division is excused by an int product only."""
    args = MUL_PROBES[method][0]
    if number is not None:
        args = [number if isinstance(arg, dict) else arg for arg in args]
    spec = single_op("mul", args, {n: v for n, v in (("a", 1.3), ("b", -0.7)) if n in args})
    data = evaluate(spec)
    try:
        got = student.graph({**spec, "seed": 2.0, "preset": 0.5}, "local",
                            function=f"Value.{method}")
        grads = got["grads"]
        return not (abs(got["data"]["out"] - data["out"]) < 1e-9 and all(
            abs(grads[name] - (0.5 + 2 * d)) < 1e-9
            for name, d in _op_derivatives(spec["nodes"][0], data).items()))
    except Exception:  # noqa: BLE001 - any failure of the student's * counts as wrong
        return True


def div_built_from(student, method: str, number: dict | None = None) -> bool:
    """Whether the student's division paired with ``method`` IS the result of that ``*``,
    seen in the graph (mode "made_by": the node the division returned was made by it).
    The premise of excusing a wrong division while their ``*`` is wrong: a division written
    on its own pays for its own bugs. The probe's call is not this check's call to paste.
    ``number`` replaces the probe's plain number (as in mul_is_wrong)."""
    args = MUL_PROBES[method][1]
    if number is not None:
        args = [number if isinstance(arg, dict) else arg for arg in args]
    kept = len(student.log)
    try:
        got = student.graph(single_op("div", args, {"a": 1.3, "b": 0.7}), "made_by",
                            function="Value.__truediv__")
    except Exception:  # noqa: BLE001 - a division that cannot be traced is not built from *
        return False
    finally:
        del student.log[kept:]
    made = got.get("made_by") if isinstance(got, dict) else None
    names = made.get("out") if isinstance(made, dict) else None
    return isinstance(names, list) and method in names


def division_excused(student, args: list) -> bool:
    """A wrong division (operands ``args``) is excused only when it is built from the
    student's * of its form (a / b from ``__mul__``, 2 / b from ``__rmul__``) and that * is
    wrong (its bug is paid for in 3.1): both premises proven, never assumed."""
    method = "__mul__" if isinstance(args[0], str) else "__rmul__"
    number = _int_number(args)
    return mul_is_wrong(student, method, number) and div_built_from(student, method, number)


def _int_number(args: list) -> dict | None:
    """The plain-int operand of a division's args (``2 / b``), else None (the probes keep
    their float numbers)."""
    return next((a for a in args if isinstance(a, dict) and type(a["const"]) is int), None)


def own_task_graph(student, spec: dict, task: str) -> dict:
    """spec with every node of another task's op that the student's op does not get right,
    at the grader's own data, replaced by an input holding the grader's value: a task's
    graph uses other tasks' operators only where the student's own are right (a broken
    ``number * Value``, ``0.0 - x`` or ``** 0.5`` costs its own task, never this one). The
    probe (each such node built alone on the grader's data) is not this check's call."""
    foreign = [node for node in spec["nodes"] if node["op"] not in TASK_OPS[task]]
    if not foreign:
        return spec
    values = evaluate(spec)
    probe: dict = {"inputs": {}, "nodes": [], "output": foreign[-1]["id"]}
    for node in foreign:
        args = []
        for i, arg in enumerate(node["args"]):
            if isinstance(arg, str):
                leaf = f"{node['id']}_arg{i}"
                probe["inputs"][leaf] = values[arg]
                args.append(leaf)
            else:
                args.append(arg)
        probe["nodes"].append({**node, "args": args})
    kept = len(student.log)
    right: set[str] = set()
    try:
        got = student.graph(probe, "forward", function="Value")
        data = got.get("data") if isinstance(got, dict) else None
        for node in foreign:
            got = data.get(node["id"]) if isinstance(data, dict) else None
            if isinstance(got, float) and math.isclose(got, values[node["id"]], rel_tol=1e-9,
                                                        abs_tol=1e-12):
                right.add(node["id"])
    except StudentFault as fault:  # one of them raises: none is used
        if fault.fatal:
            raise
    finally:
        del student.log[kept:]
    cut = [node["id"] for node in foreign if node["id"] not in right]
    if not cut:
        return spec
    return {
        "inputs": {**spec["inputs"], **{name: values[name] for name in cut}},
        "nodes": [node for node in spec["nodes"] if node["id"] not in cut],
        "output": spec["output"],
    }


def check_ops_in_graph(student, spec: dict, task: str, function: str, hint: str = "") -> None:
    """A graph's task-`task` ops judged where they stand: each such node's value, local
    derivative (at the data the student's own graph gave its operands) and children
    (``_prev`` reaches its operands), against this module's floats. Other tasks' ops are
    used only where the student's own are right (own_task_graph)."""
    spec = own_task_graph(student, spec, task)
    got = expect_dict(student.graph(spec, "locals", function=function), ["data", "locals"],
                      what="Value graph (locals)")
    data = {name: expect_float(got["data"].get(name), what=f"{function}: {name}.data")
            for name in [*spec["inputs"], *(n["id"] for n in spec["nodes"])]}
    links = student_links(got, spec)
    inputs = describe(spec)
    for node in spec["nodes"]:
        if node["op"] not in TASK_OPS[task] or (
                node["op"] in BUILT_FROM_MUL and division_excused(student, node["args"])):
            continue
        where = f"{node['id']} = {_describe_node(node)}"
        assert_close(data[node["id"]], _op_value(node, _operands(node, data)),
                     what=f"{function}: the value of {where}", inputs=inputs, hint=hint)
        probes = got["locals"].get(node["id"]) or [{}, {}, {}]
        for name, d in _op_derivatives(node, data).items():
            r1, r2 = (expect_float(probes[k].get(name), what=f"{name}.grad") for k in (0, 1))
            local = r2 - r1  # out.grad 2 minus out.grad 1: the derivative, += or = alike
            if abs(local - d) <= NUMERIC_ATOL:
                continue
            assert_gradient_close(
                local, d, what=function, parameter=f"d {node['id']} / d {name}",
                inputs=f"{inputs}  (at {where}, {name}.data = {data[name]!r})", hint=hint,
            )
        missing = [a for a in dict.fromkeys(a for a in node["args"] if isinstance(a, str))
                   if a not in links[node["id"]]]
        if missing:
            raise CheckFailure(
                f"{function}: {where} does not keep {', '.join(missing)} among its children"
                f" (_prev), so backward() cannot reach {'it' if len(missing) == 1 else 'them'}."
                f"\n  input: {inputs}\n  hint: pass the operands as _children when you build"
                " the result Value (an op built from others: through its inner nodes)")


def _describe_node(node: dict) -> str:
    return describe({"inputs": {}, "nodes": [node], "output": node["id"]}).split(" = ", 1)[1]


def single_op(op: str, args: list, inputs: dict[str, float], **extra) -> dict:
    """A spec with one op node 'out' over the given operands."""
    return {
        "inputs": inputs,
        "nodes": [{"id": "out", "op": op, "args": args, **extra}],
        "output": "out",
    }


def check_local(student, spec: dict, function: str, hint: str = "") -> None:
    """The op alone: out.grad = 1; out._backward(); each input's grad = its local derivative."""
    check_graph(
        student,
        spec,
        "local",
        function,
        hint=hint
        or "set out.grad = 1.0 and call out._backward(): each input's grad must"
        " be the local derivative times out.grad",
    )


moderate = st.floats(-3.0, 3.0, allow_nan=False)
positive = st.floats(0.2, 5.0, allow_nan=False)
away_from_zero = moderate.filter(lambda x: abs(x) > 1e-3)


def pair(first=moderate, second=moderate):
    return st.tuples(first, second)


# ---------------------------------------------------------------- 3.1 add, mul, sub, neg


@CHECKS.check(
    task="3.1",
    function="Value.__add__, Value.__mul__",
    name="lecture 000: f = (x + y) * z at (-2, 5, -4)",
)
def lecture000_add_mul(student) -> None:
    spec = {
        "inputs": {"x": -2.0, "y": 5.0, "z": -4.0},
        "nodes": [
            {"id": "q", "op": "add", "args": ["x", "y"]},
            {"id": "f", "op": "mul", "args": ["q", "z"]},
        ],
        "output": "f",
    }
    # Lecture 000: df/dx = df/dy = z = -4, df/dz = q = 3.
    check_graph(
        student,
        spec,
        "chain",
        "Value.__add__, Value.__mul__",
        expected_grads={"x": -4.0, "y": -4.0, "z": 3.0},
    )


@CHECKS.check(task="3.1", function="Value.__add__", name="a + b: value and local gradients")
@for_all(pair(), describe=lambda ab: f"a = Value({ab[0]!r}), b = Value({ab[1]!r})")
def add_local(student, ab) -> None:
    check_local(student, single_op("add", ["a", "b"], {"a": ab[0], "b": ab[1]}), "Value.__add__")


@CHECKS.check(task="3.1", function="Value.__mul__", name="a * b: value and local gradients")
@for_all(pair(), describe=lambda ab: f"a = Value({ab[0]!r}), b = Value({ab[1]!r})")
def mul_local(student, ab) -> None:
    check_local(
        student,
        single_op("mul", ["a", "b"], {"a": ab[0], "b": ab[1]}),
        "Value.__mul__",
        hint="d(a*b)/da = b.data * out.grad, d(a*b)/db = a.data * out.grad",
    )


@CHECKS.check(
    task="3.1",
    function="Value.__add__, Value.__mul__",
    name="a node used twice in one op accumulates: a + a, a * a",
)
@for_all(moderate, describe=lambda a: f"a = Value({a!r})")
def same_operand_twice(student, a) -> None:
    for op in ("add", "mul"):
        check_graph(
            student,
            single_op(op, ["a", "a"], {"a": a}),
            "chain",
            f"Value.{METHOD_OF_OP[op]}",
            hint="use += in _backward: with both operands the same node, both"
            " contributions must add up",
        )


RIGHT_AND_LEFT = [  # (op, args, method): numbers on either side
    ("add", ["a", {"const": 2.5}], "Value.__add__"),
    ("add", [{"const": 2.5}, "a"], "Value.__radd__"),
    ("mul", ["a", {"const": -3.0}], "Value.__mul__"),
    ("mul", [{"const": -3.0}, "a"], "Value.__rmul__"),
    ("sub", ["a", {"const": 1.5}], "Value.__sub__"),
    ("sub", [{"const": 1.5}, "a"], "Value.__rsub__"),
    ("neg", ["a"], "Value.__neg__"),
]


@CHECKS.check(
    task="3.1",
    function="Value.__radd__, __rmul__, __sub__, __rsub__, __neg__",
    name="plain numbers on either side, subtraction and negation",
)
@for_all(moderate, describe=lambda a: f"a = Value({a!r})")
def numbers_either_side(student, a) -> None:
    for op, args, method in RIGHT_AND_LEFT:
        check_graph(student, single_op(op, args, {"a": a}), "chain", method)


@CHECKS.check(task="3.1", function="Value.__sub__", name="a - b: value and gradients")
@for_all(pair(), describe=lambda ab: f"a = Value({ab[0]!r}), b = Value({ab[1]!r})")
def sub_two_values(student, ab) -> None:
    check_graph(
        student,
        single_op("sub", ["a", "b"], {"a": ab[0], "b": ab[1]}),
        "chain",
        "Value.__sub__",
        hint="d(a - b)/db = -1",
    )


INT_NUMBERS = [  # (op, args, method): the module docstring's "plain int/float, on either side"
    ("add", ["a", {"const": 2}], "Value.__add__"),
    ("add", [{"const": 2}, "a"], "Value.__radd__"),
    ("mul", ["a", {"const": 3}], "Value.__mul__"),
    ("mul", [{"const": -3}, "a"], "Value.__rmul__"),
    ("sub", ["a", {"const": 1}], "Value.__sub__"),
    ("sub", [{"const": 1}, "a"], "Value.__rsub__"),
]


@CHECKS.check(
    task="3.1",
    function="Value.__add__, __radd__, __mul__, __rmul__, __sub__, __rsub__",
    name="plain int numbers on either side: a + 2, 2 + a, a * 3, -3 * a, a - 1, 1 - a",
)
def int_numbers_either_side(student) -> None:
    for op, args, method in INT_NUMBERS:
        check_graph(student, single_op(op, args, {"a": -1.7}), "chain", method,
                    hint="a plain number may be an int as well as a float: wrap any number"
                    " that is not a Value in Value(...)")


# ---------------------------------------------------------------- 3.2 pow, div

EXPONENTS = st.sampled_from([2, 3, -1, 0.5, -1.5, 1.25])


@CHECKS.check(task="3.2", function="Value.__pow__", name="a ** k: value and local gradient")
@for_all(st.tuples(positive, EXPONENTS), describe=lambda e: f"a = Value({e[0]!r}), k = {e[1]!r}")
def pow_local(student, example) -> None:
    a, k = example
    check_local(
        student,
        single_op("pow", ["a"], {"a": a}, exponent=k),
        "Value.__pow__",
        hint="d(a**k)/da = k * a**(k - 1)",
    )


@CHECKS.check(task="3.2", function="Value.__pow__", name="a ** k for negative a, integer k")
@for_all(
    st.tuples(st.floats(-3.0, -0.2), st.sampled_from([2, 3, -1, -2])),
    describe=lambda e: f"a = Value({e[0]!r}), k = {e[1]!r}",
)
def pow_negative_base(student, example) -> None:
    a, k = example
    check_local(student, single_op("pow", ["a"], {"a": a}, exponent=k), "Value.__pow__")


@CHECKS.check(
    task="3.2",
    function="Value.__truediv__, Value.__rtruediv__",
    name="a / b, a / 4, 2 / b: values and gradients",
)
@for_all(
    pair(moderate, positive), describe=lambda ab: f"a = Value({ab[0]!r}), b = Value({ab[1]!r})"
)
def division(student, ab) -> None:
    a, b = ab
    for args, method in (
        (["a", "b"], "Value.__truediv__"),
        (["a", {"const": 4.0}], "Value.__truediv__"),
        (([{"const": 2.0}, "b"]), "Value.__rtruediv__"),
    ):
        try:
            check_graph(
                student,
                single_op("div", args, {"a": a, "b": b}),
                "chain",
                method,
                hint="a / b = a * b**-1: d/db = -a / b**2",
            )
        except CheckFailure:
            if not division_excused(student, args):  # else: built from their *, paid in 3.1
                raise


@CHECKS.check(
    task="3.2",
    function="Value.__truediv__, Value.__rtruediv__",
    name="plain int numbers: a / 3 and 2 / b",
)
def int_division(student) -> None:
    for args, method in ((["a", {"const": 3}], "Value.__truediv__"),
                         ([{"const": 2}, "b"], "Value.__rtruediv__")):
        try:
            check_graph(student, single_op("div", args, {"a": -1.7, "b": 0.8}), "chain",
                        method, hint="a plain number may be an int as well as a float")
        except (CheckFailure, StudentFault) as failure:
            if isinstance(failure, StudentFault) and failure.fatal:
                raise
            if not int_division_excused(student, args, failure):
                raise  # else: 2 / b is built from their int * (2 * b**-1), paid in 3.1


def int_division_excused(student, args: list, failure: Exception) -> bool:
    """A wrong int division (``a / 3``, ``2 / b``) is excused as division_excused says (built
    from the student's wrong * at that int); and ``2 / b`` that RAISES is excused when the
    student's ``2 * x`` (``__rmul__`` with the same int; task 3.1's int check pays) raises
    the same exception (a division that raises cannot be traced by mode "made_by"; the docs
    build 2 / b as 2 * b**-1, and the same exception from both is that product's)."""
    if isinstance(failure, CheckFailure):
        return division_excused(student, args)
    number = _int_number(args)
    if number is None or isinstance(args[0], str):
        return False
    kept = len(student.log)
    try:
        student.graph(single_op("mul", [number, "a"], {"a": 0.8}), "forward",
                      function="Value.__rmul__")
    except StudentFault as fault:
        if fault.fatal:
            raise
        return fault.type_name == failure.type_name
    finally:
        del student.log[kept:]
    return False


# ---------------------------------------------------------------- 3.3 exp, log, sin, cos


def _unary_check(op: str, strategy, hint: str):
    @CHECKS.check(task="3.3", function=f"Value.{op}", name=f"{op}: value and local gradient")
    @for_all(strategy, describe=lambda x: f"a = Value({x!r})")
    def check(student, x) -> None:
        check_local(student, single_op(op, ["a"], {"a": x}), f"Value.{op}", hint=hint)

    check.__name__ = f"{op}_local"
    return check


_unary_check("exp", moderate, "d exp(a)/da = exp(a)")
_unary_check("log", positive, "d log(a)/da = 1 / a")
_unary_check("sin", moderate, "d sin(a)/da = cos(a)")
_unary_check("cos", moderate, "d cos(a)/da = -sin(a)")

LECTURE003 = {
    "b0": 0.3,
    "w0": 1.2,
    "b1": -0.4,
    "w1": 0.8,
    "b2": 0.1,
    "w2": -0.6,
    "b3": 0.5,
    "w3": 1.5,
    "x": 0.7,
}


def lecture003_spec(values: dict[str, float]) -> dict:
    """l = (b3 + w3 cos(b2 + w2 exp(b1 + w1 sin(b0 + w0 x))) - y)^2 with y = 0.2."""
    nodes = []
    prev = "x"
    for k, fn in ((0, "sin"), (1, "exp"), (2, "cos"), (3, None)):
        nodes += [
            {"id": f"m{k}", "op": "mul", "args": [f"w{k}", prev]},
            {"id": f"f{k}", "op": "add", "args": [f"b{k}", f"m{k}"]},
        ]
        if fn:
            nodes.append({"id": f"h{k + 1}", "op": fn, "args": [f"f{k}"]})
            prev = f"h{k + 1}"
    nodes += [
        {"id": "err", "op": "sub", "args": ["f3", {"const": 0.2}]},
        {"id": "loss", "op": "pow", "args": ["err"], "exponent": 2},
    ]
    return {"inputs": dict(values), "nodes": nodes, "output": "loss"}


@CHECKS.check(
    task="3.3",
    function="Value.sin, Value.exp, Value.cos",
    name="lecture 003: the sin/exp/cos composition, all eight parameters",
)
def lecture003_composition(student) -> None:
    check_ops_in_graph(
        student, lecture003_spec(LECTURE003), "3.3", "Value.sin, Value.exp, Value.cos"
    )


# ---------------------------------------------------------------- 3.4 tanh, sigmoid, relu

_ACT_HINTS = {
    "tanh": "d tanh(a)/da = 1 - tanh(a)**2",
    "sigmoid": "d s(a)/da = s(a) * (1 - s(a))",
    "relu": "d relu(a)/da = 1 if a > 0 else 0",
}


def _activation_check(op: str, strategy):
    @CHECKS.check(task="3.4", function=f"Value.{op}", name=f"{op}: value and local gradient")
    @for_all(strategy, describe=lambda x: f"a = Value({x!r})")
    def check(student, x) -> None:
        check_local(student, single_op(op, ["a"], {"a": x}), f"Value.{op}", hint=_ACT_HINTS[op])

    check.__name__ = f"{op}_local"
    return check


_activation_check("tanh", moderate)
_activation_check("sigmoid", st.floats(-6.0, 6.0))
_activation_check("relu", away_from_zero)


@CHECKS.check(task="3.4", function="Value.relu", name="relu at 0: value 0 and relu'(0) = 0")
def relu_at_zero(student) -> None:
    check_graph(
        student,
        single_op("relu", ["a"], {"a": 0.0}),
        "local",
        "Value.relu",
        expected_grads={"a": 0.0},
        hint="the kit's convention is relu'(0) = 0",
    )


@CHECKS.check(task="3.4", function="Value.sigmoid", name="sigmoid(±1000) does not overflow")
def sigmoid_extremes(student) -> None:
    for x in (1000.0, -1000.0):  # values 1 and 0, both with derivative 0
        check_graph(
            student,
            single_op("sigmoid", ["a"], {"a": x}),
            "local",
            "Value.sigmoid",
            expected_grads={"a": 0.0},
            hint="math.exp(1000) overflows: for x < 0 use e**x / (1 + e**x)",
        )


@CHECKS.check(
    task="3.4",
    function="Value.sigmoid",
    name="lecture 000: the sigmoid neuron, w = (2, -3, -3), x = (-1, -2)",
)
def lecture000_neuron(student) -> None:
    spec = {
        "inputs": {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
        "nodes": [
            {"id": "p0", "op": "mul", "args": ["w0", "x0"]},
            {"id": "p1", "op": "mul", "args": ["w1", "x1"]},
            {"id": "s", "op": "add", "args": ["p0", "p1"]},
            {"id": "z", "op": "add", "args": ["s", "w2"]},
            {"id": "f", "op": "sigmoid", "args": ["z"]},
        ],
        "output": "f",
    }
    # Lecture 000 prints f = 0.731 and df/dz = 0.197 at z = 1 (tests/test_reference_a3.py);
    # here the sigmoid is judged at the z the student's own + and * produced.
    check_ops_in_graph(student, spec, "3.4", "Value.sigmoid", hint=_ACT_HINTS["sigmoid"])


# ---------------------------------------------------------------- fan-out, every op

FAN_OUT_SEED = 2.0
"""out.grad during the fan-out check: not 1, so a _backward that ignores out.grad shows."""
FAN_OUT_PRESET = 0.5
"""Each operand's grad before the op's _backward runs, as if the operand fed another node
already (x.op() * x): a _backward that assigns (=) instead of accumulating (+=) loses it."""

FAN_OUT_OPS = {  # task -> (op, args, extra, method); operands a, b
    "3.1": (
        ("add", ["a", "b"], {}, "Value.__add__"),
        ("mul", ["a", "b"], {}, "Value.__mul__"),
        ("add", [{"const": 2.5}, "a"], {}, "Value.__radd__"),
        ("mul", [{"const": -3.0}, "a"], {}, "Value.__rmul__"),
        ("sub", ["a", "b"], {}, "Value.__sub__"),
        ("sub", [{"const": 1.5}, "a"], {}, "Value.__rsub__"),
        ("neg", ["a"], {}, "Value.__neg__"),
    ),
    "3.2": (
        ("pow", ["b"], {"exponent": 3}, "Value.__pow__"),
        ("pow", ["b"], {"exponent": -1.5}, "Value.__pow__"),
        ("div", ["a", "b"], {}, "Value.__truediv__"),
        ("div", [{"const": 2.0}, "b"], {}, "Value.__rtruediv__"),
    ),
    "3.3": tuple((op, [arg], {}, f"Value.{op}") for op, arg in
                 (("exp", "a"), ("log", "b"), ("sin", "a"), ("cos", "a"))),
    "3.4": tuple((op, ["a"], {}, f"Value.{op}") for op in ("tanh", "sigmoid", "relu")),
}


def _fan_out_check(task: str):
    ops = FAN_OUT_OPS[task]
    methods = ", ".join(dict.fromkeys(method for *_, method in ops))

    @CHECKS.check(
        task=task,
        function=methods,
        name="fan-out (x.op() * x): adds to an operand's existing grad, scaled by out.grad",
    )
    @for_all(pair(away_from_zero, positive),
             describe=lambda ab: f"a = Value({ab[0]!r}), b = Value({ab[1]!r})")
    def check(student, ab) -> None:
        for case in ops:
            try:
                _fan_out_case(student, ab, *case)
            except CheckFailure:
                if case[0] not in BUILT_FROM_MUL or not division_excused(student, case[1]):
                    raise  # else: a / b is built from the student's *, paid for in 3.1

    check.__name__ = f"fan_out_{task.replace('.', '_')}"
    return check


def _fan_out_case(student, ab, op: str, args: list, extra: dict, method: str) -> None:
    """One op alone, its operands' grads preset, out.grad not 1."""
    names = {a for a in args if isinstance(a, str)}
    values = {n: v for n, v in zip("ab", ab, strict=True) if n in names}
    spec = single_op(op, args, values, **extra)
    got = graph_result(
        student, {**spec, "seed": FAN_OUT_SEED, "preset": FAN_OUT_PRESET}, "local", method
    )
    inputs = (
        f"{describe(spec)}; every operand's grad already {FAN_OUT_PRESET} (it feeds another"
        f" node too); out.grad = {FAN_OUT_SEED}; out._backward()"
    )
    for name, d in numeric_grads(spec).items():
        expected = FAN_OUT_PRESET + FAN_OUT_SEED * d
        got_grad = expect_float(got["grads"].get(name), what=f"{method}: {name}.grad")
        if abs(got_grad - expected) <= NUMERIC_ATOL:
            continue
        assert_gradient_close(
            got_grad,
            expected,
            what=method,
            parameter=f"{name}.grad",
            inputs=inputs,
            hint="in _backward add (+=) local derivative * out.grad to each operand's grad;"
            " never assign (=) it",
        )


for _task in FAN_OUT_OPS:
    _fan_out_check(_task)


# ---------------------------------------------------------------- 3.5 backward


def _chain_spec(w: tuple[float, float, float]) -> dict:
    """Lecture 004: s0 = 2, out = w2 s(w1 s(w0 s0)), C = 1/2 (0.7 - out)^2."""
    return {
        "inputs": {"w0": w[0], "w1": w[1], "w2": w[2]},
        "nodes": [
            {"id": "x1", "op": "mul", "args": ["w0", {"const": 2.0}]},
            {"id": "s1", "op": "sigmoid", "args": ["x1"]},
            {"id": "x2", "op": "mul", "args": ["w1", "s1"]},
            {"id": "s2", "op": "sigmoid", "args": ["x2"]},
            {"id": "out", "op": "mul", "args": ["w2", "s2"]},
            {"id": "e", "op": "sub", "args": [{"const": 0.7}, "out"]},
            {"id": "e2", "op": "pow", "args": ["e"], "exponent": 2},
            {"id": "C", "op": "mul", "args": [{"const": 0.5}, "e2"]},
        ],
        "output": "C",
    }


OPS_ALONE = "Value's ops, each built alone"
"""The function a check names when building one op alone (mode "locals") fails."""


def _ancestors(spec: dict) -> set[str]:
    """Names the output depends on (itself included): the nodes backward() must visit."""
    defined = {node["id"]: node for node in spec["nodes"]}
    seen, todo = set(), [spec["output"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            if name in defined:
                todo += [a for a in defined[name]["args"] if isinstance(a, str)]
    return seen


def student_links(got: dict, spec: dict) -> dict[str, set[str]]:
    """The named nodes each op node's ``_prev`` reaches (mode "locals"' "links"), validated:
    the graph as the student's backward() can walk it."""
    links = expect_dict(got, ["links"], what="Value graph (locals)")["links"]
    links = expect_dict(links, [n["id"] for n in spec["nodes"]], what="Value graph (links)")
    names = set(spec["inputs"]) | {n["id"] for n in spec["nodes"]}
    result = {}
    for node in spec["nodes"]:
        linked = links[node["id"]]
        if not isinstance(linked, list) or not all(isinstance(x, str) for x in linked):
            raise CheckFailure(f"Value graph (links) of {node['id']} is not a list of names.")
        result[node["id"]] = set(linked) & names
    return result


def _reach(links: dict[str, set[str]], start: str) -> set[str]:
    """Names reachable from start through links (start included)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += links.get(name, ())
    return seen


def _unlinked_operand(spec: dict, links: dict[str, set[str]], reached: set[str]):
    """(node, operand) where backward()'s order over the student's graph is not determined:
    an op node that does not link an operand node which backward() still reaches by another
    path (a topological order may then finish that operand before the op adds to it)."""
    for node in spec["nodes"]:
        if node["id"] not in reached:
            continue
        below = _reach(links, node["id"])
        for arg in node["args"]:
            if isinstance(arg, str) and arg in links and arg in reached and arg not in below:
                return node, arg
    return None


def composed_grads(
    student, spec: dict, twice: bool = False
) -> tuple[dict[str, float], bool, dict | None]:
    """d out / d node for every named node, by the chain rule composed here from the student's
    OWN ops: each op's update of its operands' grads is measured alone in the worker (mode
    "locals", at three (out.grad, operand grad) probes) and replayed in reverse topological
    order over the graph as the student's ops link it (``_prev``): a node backward() cannot
    reach runs no closure, and ``twice`` (backward() called twice) resets only the nodes it
    reaches. Equal to the true gradients when the ops are right; when an op is wrong (its own
    task loses points), backward() is still judged on what it does with that op. Also
    returns whether any op passes anything back (else backward() cannot be judged) and the
    first node backward() reaches that does not link an operand (None: every one does).

    Raises NotJudged when an op does not link an operand that backward() reaches by
    another path: no order is then the right one (that op's task pays for the cut)."""
    got = expect_dict(student.graph(spec, "locals", function=OPS_ALONE), ["locals"],
                      what="Value graph (locals)")
    locals_ = got["locals"]
    links = student_links(got, spec)
    reached = _reach(links, spec["output"])
    unlinked = _unlinked_operand(spec, links, reached)
    if unlinked:
        node, arg = unlinked
        raise NotJudged(
            f"your {_describe_node(node)} does not keep {arg} among its children (_prev), so no"
            " order of backward() is the right one: not judged here, the op's task pays")
    names = [*spec["inputs"], *(n["id"] for n in spec["nodes"])]
    grads = {name: 0.0 for name in names}
    passes_back = False
    for _ in range(2 if twice else 1):
        for name in reached:
            grads[name] = 0.0
        grads[spec["output"]] = 1.0
        for node in reversed(spec["nodes"]):
            if node["id"] not in reached:
                continue
            probes = expect_dict(locals_, [node["id"]], what="Value graph (locals)")[node["id"]]
            g = grads[node["id"]]
            for name in dict.fromkeys(a for a in node["args"] if isinstance(a, str)):
                r1, r2, r3 = (
                    expect_float(probe.get(name),
                                 what=f"{name}.grad with {node['id']} built alone")
                    for probe in probes
                )
                # fixtures.LOCAL_PROBES: (out.grad, operand grad) = (1, 0), (2, 0), (1, 1).
                beta, alpha = r2 - r1, r3 - r1
                grads[name] = alpha * grads[name] + beta * g + (r1 - beta)
                passes_back = passes_back or beta != 0.0 or r1 - beta != 0.0
    if twice:  # a node backward() cannot reach keeps what the first call left: not judged
        grads = {name: g for name, g in grads.items() if name in reached}
    cut = next((node for node in spec["nodes"] if node["id"] in reached and any(
        isinstance(a, str) and a not in links[node["id"]] for a in node["args"])), None)
    return grads, passes_back, cut


def _first_raising_node(student, spec: dict) -> int | None:
    """Index of the first node whose op (built, or its closures run alone) raises: the
    graph's prefixes are built in mode "locals" until one raises. None if none does."""
    kept = len(student.log)
    try:
        for k, node in enumerate(spec["nodes"]):
            try:
                student.graph({**spec, "nodes": spec["nodes"][: k + 1], "output": node["id"]},
                              "locals", function=OPS_ALONE)
            except StudentFault as fault:
                if fault.fatal:
                    raise
                return k
        return None
    finally:
        del student.log[kept:]


def check_backward(student, spec: dict, mode: str = "backward", hint: str = "") -> None:
    """The student's backward() against the chain rule composed from their own ops.

    An op that raises while the graph is built (or its closure alone) is that op's task's
    failure: backward() is judged on the graph up to the node before it, and the rest is
    skipped (CarriedForward naming the op); when it is the first node, the graph is not
    judged at all (NotJudged: a check whose every example is skipped still fails). An
    unfinished op (NotImplementedError) is no excuse."""
    try:
        expected, passes_back, cut = composed_grads(student, spec,
                                                    twice=mode == "backward_twice")
    except StudentFault as fault:
        k = None if fault.fatal or fault.type_name == "NotImplementedError" else \
            _first_raising_node(student, spec)
        if k is None:  # not reproduced: the fault stands
            raise
        node = spec["nodes"][k]
        if k == 0:  # the first op raises: nothing before it, this example judges nothing
            raise NotJudged(
                f"your {_describe_node(node)} raised {fault.type_name}: no node before it to"
                " judge backward() on, this graph is not judged here (the op's task pays)"
            ) from None
        prefix = {**spec, "nodes": spec["nodes"][:k], "output": spec["nodes"][k - 1]["id"]}
        check_backward(student, prefix, mode, hint)
        raise CarriedForward(
            f"your {_describe_node(node)} raised {fault.type_name}: backward() judged up to"
            f" {prefix['output']}, the rest not judged here (the op's task pays)") from None
    inputs = describe(spec)
    if not passes_back and any(abs(g) > NUMERIC_ATOL for g in numeric_grads(spec).values()):
        if cut:  # an op that keeps no children: its task pays; here nothing to judge
            raise NotJudged(f"your {_describe_node(cut)} does not keep its operands among its"
                            " children (_prev): no gradient can flow back in this graph")
        # No free points: ops that pass nothing back (where true gradients are not all 0)
        # cannot show what backward() does.
        raise CheckFailure(
            f"Value.backward cannot be judged: none of your ops' _backward closures passes a"
            f" gradient back in {inputs} (implement the ops of tasks 3.1-3.4 first)."
        )
    got = graph_result(student, spec, mode, "Value.backward")
    # The expected value is the chain rule applied to the student's OWN ops' _backward
    # closures, so only backward()'s order, reset, seed and visiting are judged here.
    compare_graph(student, "Value.backward", spec, got, {}, expected, "Value.backward",
                  judged="backward")


@CHECKS.check(
    task="3.5",
    function="Value.backward",
    name="lecture 004: the 3-weight chain C = 1/2 (0.7 - w2 s(w1 s(2 w0)))^2",
)
def lecture004_chain(student) -> None:
    # With correct ops this is the lecture's dC/dw: the by-hand numbers are checked in
    # tests/test_reference_a3.py against the reference.
    check_backward(student, _chain_spec((2.0, 1.0, 0.5)))


@CHECKS.check(task="3.5", function="Value.backward", name="seeds the output's grad with 1")
def seeds_one(student) -> None:
    spec = single_op("mul", ["a", "b"], {"a": 2.0, "b": 3.0})
    got = graph_result(student, spec, "backward", "Value.backward")
    assert_close(
        expect_float(got["grads"].get("out"), what="Value.backward: out.grad"),
        1.0,
        what="Value.backward: out.grad after out.backward()",
        inputs=describe(spec),
        hint="backward() starts with self.grad = 1",
    )


@CHECKS.check(
    task="3.5", function="Value.backward", name="fan-out: b = a * a + a accumulates, db/da = 2a + 1"
)
@for_all(moderate, describe=lambda a: f"a = Value({a!r})")
def fan_out(student, a) -> None:
    spec = {
        "inputs": {"a": a},
        "nodes": [
            {"id": "sq", "op": "mul", "args": ["a", "a"]},
            {"id": "b", "op": "add", "args": ["sq", "a"]},
        ],
        "output": "b",
    }
    check_backward(student, spec, hint="run each node's _backward exactly once")


@CHECKS.check(
    task="3.5",
    function="Value.backward",
    name="diamond x -> sin, cos -> product: each node's grad complete before use",
)
@for_all(moderate, describe=lambda x: f"x = Value({x!r})")
def diamond(student, x) -> None:
    spec = {
        "inputs": {"x": x},
        "nodes": [
            {"id": "s", "op": "sin", "args": ["x"]},
            {"id": "c", "op": "cos", "args": ["x"]},
            {"id": "p", "op": "mul", "args": ["s", "c"]},
            {"id": "q", "op": "mul", "args": ["p", "s"]},
            {"id": "out", "op": "add", "args": ["q", "c"]},
        ],
        "output": "out",
    }
    check_backward(
        student, spec, hint="visit nodes in reverse topological order, each exactly once"
    )


@CHECKS.check(
    task="3.5", function="Value.backward", name="calling backward() twice gives the same gradients"
)
def backward_twice(student) -> None:
    check_backward(
        student,
        _chain_spec((0.3, -1.2, 0.8)),
        "backward_twice",
        hint="reset every node's grad to 0 at the start of backward() (the kit's rule)",
    )
