"""Plain data -> the Python objects student code needs: A2's test functions, A3's graphs.

Shared by the worker (inside the sandbox) and the grader (trusted side); stdlib + numpy only.

A2: ``make_function(name, params) -> (f, grad_f)``; ``make_hessian(name, params)``.
A3: a graph spec is plain data::

    {"inputs": {"a": 1.5, "b": -2.0},
     "nodes": [{"id": "c", "op": "mul", "args": ["a", "b"]},
               {"id": "d", "op": "sub", "args": [{"const": 2.0}, "c"]},   # 2 - c
               {"id": "e", "op": "pow", "args": ["d"], "exponent": 3},
               {"id": "out", "op": "tanh", "args": ["e"]}],
     "output": "out"}

``build_graph(Value, spec)`` works with any micrograd-style Value class;
``run_graph(Value, spec, mode)`` returns plain data (floats read with float()).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Vector = np.ndarray
Function = Callable[[Any], float]
Gradient = Callable[[Any], np.ndarray]


def _vec(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# ---------------------------------------------------------------- A2 test functions
def _quadratic(params: dict) -> tuple[Function, Gradient, Gradient]:
    """f = ½ xᵀAx + bᵀx + c."""
    A = _vec(params["A"])
    b = _vec(params.get("b", np.zeros(A.shape[0])))
    c = float(params.get("c", 0.0))
    sym = 0.5 * (A + A.T)
    return (lambda x: float(0.5 * _vec(x) @ A @ _vec(x) + b @ _vec(x) + c),
            lambda x: sym @ _vec(x) + b,
            lambda x: sym.copy())


def _lecture_3var(params: dict) -> tuple[Function, Gradient, Gradient]:
    """Lecture 000: x1² + x1(1−x2) + x2² − x2x3 + x3² + x3 (slide prints −x2²; see DESIGN)."""
    def f(x: Any) -> float:
        x1, x2, x3 = _vec(x)
        return float(x1**2 + x1 * (1 - x2) + x2**2 - x2 * x3 + x3**2 + x3)

    def grad(x: Any) -> np.ndarray:
        x1, x2, x3 = _vec(x)
        return np.array([2 * x1 + 1 - x2, -x1 + 2 * x2 - x3, -x2 + 2 * x3 + 1])

    hess = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]])
    return f, grad, lambda x: hess.copy()


def _lecture_2var(params: dict) -> tuple[Function, Gradient, Gradient]:
    """Lecture 000: x1² + x1x2 + 4x2²."""
    def f(x: Any) -> float:
        x1, x2 = _vec(x)
        return float(x1**2 + x1 * x2 + 4 * x2**2)

    def grad(x: Any) -> np.ndarray:
        x1, x2 = _vec(x)
        return np.array([2 * x1 + x2, x1 + 8 * x2])

    hess = np.array([[2.0, 1.0], [1.0, 8.0]])
    return f, grad, lambda x: hess.copy()


def _rosenbrock(params: dict) -> tuple[Function, Gradient, Gradient]:
    """Σ b(xᵢ₊₁ − xᵢ²)² + (a − xᵢ)², defaults a = 1, b = 100; d ≥ 2."""
    a = float(params.get("a", 1.0))
    b = float(params.get("b", 100.0))

    def f(x: Any) -> float:
        x = _vec(x)
        return float(np.sum(b * (x[1:] - x[:-1] ** 2) ** 2 + (a - x[:-1]) ** 2))

    def grad(x: Any) -> np.ndarray:
        x = _vec(x)
        g = np.zeros_like(x)
        inner = x[1:] - x[:-1] ** 2
        g[:-1] += -4 * b * x[:-1] * inner - 2 * (a - x[:-1])
        g[1:] += 2 * b * inner
        return g

    def hess(x: Any) -> np.ndarray:
        x = _vec(x)
        d = x.size
        H = np.zeros((d, d))
        i = np.arange(d - 1)
        H[i, i] += 12 * b * x[:-1] ** 2 - 4 * b * x[1:] + 2
        H[i + 1, i + 1] += 2 * b
        H[i, i + 1] = H[i + 1, i] = -4 * b * x[:-1]
        return H

    return f, grad, hess


def _sum_sin(params: dict) -> tuple[Function, Gradient, Gradient]:
    """Σ sin(aᵢxᵢ) + ½‖x‖²."""
    a = _vec(params["a"])
    return (lambda x: float(np.sum(np.sin(a * _vec(x))) + 0.5 * _vec(x) @ _vec(x)),
            lambda x: a * np.cos(a * _vec(x)) + _vec(x),
            lambda x: np.diag(1.0 - a**2 * np.sin(a * _vec(x))))


def _wrong_grad(params: dict) -> tuple[Function, Gradient, Gradient]:
    """A base function whose gradient has `delta` added to coordinate `coord`."""
    f, grad, hess = CATALOGUE[params["base"]](params.get("base_params", {}))
    coord, delta = int(params["coord"]), float(params.get("delta", 1.0))

    def wrong(x: Any) -> np.ndarray:
        g = np.array(grad(x), dtype=np.float64)
        g[coord] += delta
        return g

    return f, wrong, hess


def _scribbler(params: dict) -> tuple[Function, Gradient, Gradient]:
    """A base function whose f and grad_f WRITE to their argument after reading it (the docs
    promise the student's code passes copies, so this must change nothing it relies on)."""
    f, grad, hess = CATALOGUE[params["base"]](params.get("base_params", {}))

    def scribble(x: Any) -> None:
        if isinstance(x, np.ndarray) and x.flags.writeable and x.dtype.kind == "f":
            x[...] = 2.0 * x + 1.0

    def f_scribbling(x: Any) -> float:
        value = f(np.array(x, dtype=np.float64))
        scribble(x)
        return value

    def grad_scribbling(x: Any) -> np.ndarray:
        g = np.array(grad(np.array(x, dtype=np.float64)), dtype=np.float64)
        scribble(x)
        return g

    return f_scribbling, grad_scribbling, hess


def _nan_below(params: dict) -> tuple[Function, Gradient, Gradient]:
    """A base function whose f is NaN at the finite points with x[0] < `below` (gradient
    unchanged): gradient descent must stop there with reason "diverged"."""
    f, grad, hess = CATALOGUE[params["base"]](params.get("base_params", {}))
    below = float(params["below"])
    return (lambda x: float("nan") if _vec(x)[0] < below else f(x)), grad, hess


CATALOGUE: dict[str, Callable[[dict], tuple[Function, Gradient, Gradient]]] = {
    "quadratic": _quadratic,
    "lecture_3var": _lecture_3var,
    "lecture_2var": _lecture_2var,
    "rosenbrock": _rosenbrock,
    "sum_sin": _sum_sin,
    "wrong_grad": _wrong_grad,
    "scribbler": _scribbler,
    "nan_below": _nan_below,
}


def _lookup(name: str, params: dict) -> tuple[Function, Gradient, Gradient]:
    if name not in CATALOGUE:
        raise ValueError(f"unknown test function {name!r}; known: {sorted(CATALOGUE)}")
    return CATALOGUE[name](params)


def make_function(name: str, params: dict | None = None) -> tuple[Function, Gradient]:
    """(f, grad_f) of the catalogue function `name` with `params`."""
    f, grad, _ = _lookup(name, params or {})
    return f, grad


def make_hessian(name: str, params: dict | None = None) -> Gradient:
    """The exact Hessian x -> (d, d) of the catalogue function `name`."""
    return _lookup(name, params or {})[2]


class CallCounter:
    """Wraps a callable and counts its calls (the worker reports the counts)."""

    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn
        self.calls = 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        return self.fn(x)


def resolve(name: str, part: str, params: dict) -> CallCounter:
    """The counted callable for a protocol {"$fn": name, "part": part, "params": ...}."""
    f, grad, hess = _lookup(name, params)
    return CallCounter({"f": f, "grad": grad, "hess": hess}[part])


# ---------------------------------------------------------------- A3 graphs
BINARY_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}
UNARY_METHODS = ("exp", "log", "sin", "cos", "tanh", "sigmoid", "relu")
MODES = ("forward", "backward", "backward_twice", "local", "chain", "locals", "made_by")
TRACED_METHODS = ("__add__", "__radd__", "__mul__", "__rmul__", "__neg__", "__sub__",
                  "__rsub__", "__pow__", "__truediv__", "__rtruediv__")
"""Operators whose results mode "made_by" traces: which of them returned each node."""
LOCAL_PROBES = ((1.0, 0.0), (2.0, 0.0), (1.0, 1.0))
"""(out.grad, operand grad beforehand) pairs of mode "locals": three points fix an update
operand.grad <- alpha * operand.grad + beta * out.grad + gamma that is affine in both, so the
grader can replay exactly what the student's _backward does (+=, = or ignoring out.grad)."""


def _operand(arg: Any, nodes: dict[str, Any]) -> Any:
    if isinstance(arg, str):
        if arg not in nodes:
            raise ValueError(f"graph spec uses {arg!r} before defining it")
        return nodes[arg]
    if isinstance(arg, dict) and set(arg) == {"const"}:
        value = arg["const"]  # a plain int stays an int: A3's operands may be int or float
        return value if type(value) is int else float(value)
    raise ValueError(f"bad operand in graph spec: {arg!r}")


def _describe(node: dict) -> str:
    args = [a if isinstance(a, str) else str(a["const"]) for a in node["args"]]
    if node["op"] in BINARY_OPS:
        sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[node["op"]]
        return f"{args[0]} {sym} {args[1]}"
    if node["op"] == "pow":
        return f"{args[0]} ** {node['exponent']}"
    if node["op"] == "neg":
        return f"-{args[0]}"
    return f"{args[0]}.{node['op']}()"


def _apply(node: dict, nodes: dict[str, Any]) -> Any:
    op, args = node["op"], [_operand(a, nodes) for a in node["args"]]
    if op in BINARY_OPS:
        if len(args) != 2 or all(isinstance(a, (int, float)) for a in args):
            raise ValueError(f"{op} needs two operands, at least one a node")
        return BINARY_OPS[op](*args)
    if len(args) != 1 or isinstance(args[0], (int, float)):
        raise ValueError(f"{op} needs one node operand")
    if op == "pow":
        return args[0] ** node["exponent"]
    if op == "neg":
        return -args[0]
    if op in UNARY_METHODS:
        return getattr(args[0], op)()
    raise ValueError(f"unknown op {op!r}")


def build_graph(Value: type, spec: dict) -> dict[str, Any]:
    """Every named node of spec (inputs first) built with the given Value class."""
    nodes: dict[str, Any] = {name: Value(float(x)) for name, x in spec["inputs"].items()}
    for node in spec["nodes"]:
        if node["id"] in nodes:
            raise ValueError(f"graph spec defines {node['id']!r} twice")
        result = _apply(node, nodes)
        if not isinstance(result, Value):
            raise TypeError(
                f"{_describe(node)} returned a {type(result).__name__}, expected a Value"
            )
        nodes[node["id"]] = result
    return nodes


def _read(nodes: dict[str, Any], attr: str) -> dict[str, float]:
    return {name: float(getattr(v, attr)) for name, v in nodes.items()}


def _order(out: Any, stop: set[int]) -> list[Any]:
    """Nodes reachable from out through `_prev` (not past `stop`), every node after its inputs.

    The stub's Value.__init__ keeps the children in `_prev`; the grader's own driver walks it."""
    order: list[Any] = []
    seen: set[int] = set()
    stack = [(out, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            if id(node) not in stop:
                stack.extend((child, False) for child in getattr(node, "_prev", ()))
    return order


def _propagate(out: Any, stop: set[int]) -> None:
    """Run the student's `_backward` closures from out in reverse topological order (the
    grader's driver, so an op is tested without the student's backward()); `stop` nodes are
    the op's operands: their own `_backward` is not called."""
    for node in reversed(_order(out, stop)):
        if id(node) not in stop:
            node._backward()


def _op_alone(
    Value: type, node: dict, data: dict[str, float], seed: float, preset: float
) -> dict[str, float]:
    """One op of spec rebuilt on fresh leaves holding `data`: operand grads preset, out.grad =
    seed, the op's closures run by the grader's driver; the operands' grads afterwards."""
    names = [a for a in node["args"] if isinstance(a, str)]
    leaves = {name: Value(float(data[name])) for name in names}
    out = _apply(node, leaves)
    for leaf in leaves.values():
        leaf.grad = preset
    out.grad = seed
    _propagate(out, {id(leaf) for leaf in leaves.values()})
    return {name: float(leaf.grad) for name, leaf in leaves.items()}


MAX_LINK_WALK = 10_000
"""Nodes one walk of mode "locals"' links visits at most (a student's `_prev` is theirs)."""


def _links(nodes: dict[str, Any], spec: dict) -> dict[str, list[str]]:
    """For each op node of spec: the named nodes its `_prev` reaches without passing another
    named node (``a - b`` built as ``a + (-b)`` reaches a and b through its inner -b): the
    operands backward() can see, for an op that keeps its children."""
    named = {id(v): name for name, v in nodes.items()}
    links: dict[str, list[str]] = {}
    for node in spec["nodes"]:
        found: list[str] = []
        seen: set[int] = set()
        todo = list(getattr(nodes[node["id"]], "_prev", ()))
        while todo and len(seen) < MAX_LINK_WALK:
            child = todo.pop()
            if id(child) in seen:
                continue
            seen.add(id(child))
            if id(child) in named:
                found.append(named[id(child)])
            else:
                todo.extend(getattr(child, "_prev", ()))
        links[node["id"]] = sorted(set(found))
    return links


def _made_by(Value: type, spec: dict) -> dict[str, list[str]]:
    """For each op node of spec: the names of the Value operators whose result IS that node
    (``a / b`` built as ``a * b**-1`` is made by ``__mul__`` and ``__truediv__``). The class's
    operators are wrapped for the build only, then restored."""
    made: dict[int, list[str]] = {}
    keep: list[Any] = []  # results stay alive, so that no id is reused during the build
    originals = {name: Value.__dict__[name] for name in TRACED_METHODS if name in Value.__dict__}

    def traced(name: str, method: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            keep.append(result)
            made.setdefault(id(result), []).append(name)
            return result
        return wrapper

    for name, method in originals.items():
        setattr(Value, name, traced(name, method))
    try:
        nodes = build_graph(Value, spec)
    finally:
        for name, method in originals.items():
            setattr(Value, name, method)
    return {node["id"]: list(made.get(id(nodes[node["id"]]), [])) for node in spec["nodes"]}


def run_graph(Value: type, spec: dict, mode: str) -> dict[str, dict[str, float]]:
    """Plain-data result of running spec: {"data": {...}} plus {"grads": {...}} but forward.

    "backward": out.backward(); "backward_twice": two calls, grads after the second;
    "local": spec has one op node; operand grads = spec.get("preset", 0), out.grad =
    spec.get("seed", 1); the op's own closures (out._backward() and, for an op built from
    others like a - b = a + (-b), its inner nodes') run in order; grads of its operands.
    "chain": like backward, but the grader's driver (reset, seed 1, every `_backward` in
    reverse topological order) replaces the student's backward(): tests ops, not backward().
    "locals": + {"locals": {node id: [operand grads for each of LOCAL_PROBES]}}, each op
    rebuilt alone (as in "local") on the data the graph gave its operands, and {"links":
    {node id: [named nodes its _prev reaches]}}: the graph as backward() can walk it.
    "made_by": only {"made_by": {node id: [operators whose result is that node]}}.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "made_by":
        return {"made_by": _made_by(Value, spec)}
    nodes = build_graph(Value, spec)
    out = nodes[spec["output"]]
    if mode == "forward":
        return {"data": _read(nodes, "data")}
    if mode == "local":
        if len(spec["nodes"]) != 1:
            raise ValueError("mode 'local' needs a spec with exactly one op node")
        inputs = {name: nodes[name] for name in spec["inputs"]}
        for leaf in inputs.values():
            leaf.grad = float(spec.get("preset", 0.0))
        out.grad = float(spec.get("seed", 1.0))
        _propagate(out, {id(leaf) for leaf in inputs.values()})
        return {"data": _read(nodes, "data"), "grads": _read(inputs, "grad")}
    if mode == "locals":
        data = _read(nodes, "data")
        local = {
            node["id"]: [_op_alone(Value, node, data, g, p) for g, p in LOCAL_PROBES]
            for node in spec["nodes"]
        }
        return {"data": data, "locals": local, "links": _links(nodes, spec)}
    if mode == "chain":
        order = _order(out, set())
        for node in order:
            node.grad = 0.0
        out.grad = 1.0
        _propagate(out, set())
        return {"data": _read(nodes, "data"), "grads": _read(nodes, "grad")}
    out.backward()
    if mode == "backward_twice":
        out.backward()
    return {"data": _read(nodes, "data"), "grads": _read(nodes, "grad")}
