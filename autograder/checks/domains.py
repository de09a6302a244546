"""Each student function's documented input domain, declared once; the checks draw from it.

Why: a bug hides in input the checks never generate (an integer array where the docstring
allows one, a default that only matters on long runs, a function unbounded below). So every
public function of A1, A2 and A4 has a ``Domain`` here saying, per parameter, what its
docstring allows IN WORDS (A3's Value methods, built by graph specs rather than called, are
declared at the end, in ``GRAPH_DOMAINS``):

* ``forms``: how the value may be given: ``"float64"`` / ``"int64"`` arrays (integer entries
  are allowed where the module docstring says so), ``"float"`` / ``"int"`` Python numbers;
* ``classes``: named kinds of value the docstring singles out (edges such as N = 1, d = 1 or
  empty; magnitudes; a boundary case; a function unbounded below), each a predicate on the
  value as sent;
* ``rivals`` (keywords with a default): wrong defaults a student might write; some check must
  call the function WITHOUT the keyword on an input where the documented default and every
  rival give observably different results (beyond ``Domain.tolerance``);
* ``Domain.raises``: the documented ``Raises:``.

The strategies below (``given_as``, ``keyword``) are how the checks' own hypothesis
strategies draw from the declaration. tests/test_domains.py runs every check on the
reference, classifies each value the checks sent, and fails when a function has no
declaration or a declared form, class, default or Raises is never drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.checks.strategies import st

FLOAT64, INT64, FLOAT, INT = "float64", "int64", "float", "int"


@dataclass(frozen=True)
class Param:
    """What one parameter's docstring allows (see the module docstring)."""

    forms: tuple[str, ...] = (FLOAT64,)
    classes: dict[str, Callable[[Any], bool]] = field(default_factory=dict)
    rivals: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Domain:
    """A function's documented inputs; ``tolerance`` (rtol, atol) is what its checks can see."""

    function: str
    module: str
    params: dict[str, Param]
    raises: tuple[str, ...] = ()
    tolerance: tuple[float, float] = (1e-9, 1e-12)


def form_of(value: Any) -> str:
    """The form a value was sent in: float64 / int64 array, float / int number, or its type."""
    if isinstance(value, np.ndarray):
        return INT64 if value.dtype.kind in "iu" else str(value.dtype)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return INT
    if isinstance(value, (float, np.floating)):
        return FLOAT
    return type(value).__name__


def as_form(value: Any, form: str) -> Any:
    """``value`` (a float64 array or a number) given in ``form``; integer forms round it."""
    if form == FLOAT64:
        return np.asarray(value, dtype=np.float64)
    if form == INT64:
        return np.rint(np.asarray(value, dtype=np.float64)).astype(np.int64)
    if form == FLOAT:
        return float(value)
    if form == INT:
        return int(round(float(value)))
    raise ValueError(f"unknown form {form!r}")


def given_as(function: str, param: str, value: Any):
    """Strategy: ``value`` in one of the forms ``function``'s ``param`` allows (float first,
    so hypothesis shrinks towards it; an integer form keeps a failure that needs it)."""
    forms = DOMAINS[function].params[param].forms
    return st.sampled_from(forms).map(lambda form: as_form(value, form))


def keyword(function: str, name: str, values):
    """Strategy of kwargs: ``{}`` (the documented default) or ``{name: one of values}``."""
    assert name in DOMAINS[function].params, (function, name)
    return st.one_of(st.just({}), values.map(lambda v: {name: v}))


# ---------------------------------------------------------------- class predicates


def _shape(value: Any) -> tuple[int, ...]:
    return np.shape(value)


def rows(n: int) -> Callable[[Any], bool]:
    return lambda v: len(_shape(v)) >= 1 and _shape(v)[0] == n


def cols(d: int) -> Callable[[Any], bool]:
    return lambda v: len(_shape(v)) == 2 and _shape(v)[1] == d


def length(d: int) -> Callable[[Any], bool]:
    return lambda v: len(_shape(v)) >= 1 and _shape(v)[-1] == d


def empty(v: Any) -> bool:
    return np.size(v) == 0


def scalar(v: Any) -> bool:
    return np.ndim(v) == 0


def largest_at_least(bound: float) -> Callable[[Any], bool]:
    return lambda v: np.size(v) > 0 and float(np.max(np.abs(np.asarray(v, float)))) >= bound


def below(bound: float) -> Callable[[Any], bool]:
    """Every entry smaller in size than ``bound`` (and not all zero): tiny magnitudes."""
    def test(v: Any) -> bool:
        a = np.abs(np.asarray(v, float))
        return a.size > 0 and bool(np.all(a < bound)) and bool(np.any(a > 0))
    return test


def _fn_params(v: Any) -> tuple[str, dict]:
    return getattr(v, "name", ""), getattr(v, "params", {}) or {}


def unbounded_below(v: Any) -> bool:
    """A catalogue quadratic whose A has a negative eigenvalue: f has no minimum."""
    name, params = _fn_params(v)
    if name != "quadratic" or "A" not in params:
        return False
    A = np.asarray(params["A"], float)
    return bool(np.linalg.eigvalsh((A + A.T) / 2).min() < 0)


def bounded_below(v: Any) -> bool:
    name, params = _fn_params(v)
    return name in ("quadratic", "lecture_2var") and not unbounded_below(v)


def stiff(v: Any) -> bool:
    """sum_sin with some |a_i| >= 20: big third and fourth derivatives, so the step h shows."""
    name, params = _fn_params(v)
    return name == "sum_sin" and float(np.max(np.abs(params.get("a", [0.0])))) >= 20


def eigenvalue_near_tol(v: Any) -> bool:
    """A symmetric part with an eigenvalue 0 < |lambda| < 1e-6: the default tol decides."""
    H = np.asarray(v, float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0:
        return False
    lam = np.abs(np.linalg.eigvalsh((H + H.T) / 2))
    return bool(np.any((lam > 1e-12) & (lam < 1e-6)))


def wide_layers(sizes: Any) -> bool:
    """A layer with at least 10^4 weights and fan_in >= 100: its variance is measurable."""
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) else []
    return any(a >= 100 and a * b >= 10_000 for a, b in zip(sizes, sizes[1:], strict=False))


def deep(sizes: Any) -> bool:
    return isinstance(sizes, (list, tuple)) and len(sizes) >= 4


def ndim(k: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, np.ndarray) and v.ndim == k


def row_far_below(v: Any) -> bool:
    """Some row whose every entry is > 745 below its column's max: subtracting the column max
    (not the row max) makes that row's exponentials all underflow to 0."""
    z = np.asarray(v, float)
    if z.ndim != 2 or z.shape[0] < 2:
        return False
    return bool(np.any(np.all(z < z.max(axis=0) - 745, axis=1)))


def n_layers(k: int) -> Callable[[Any], bool]:
    """MLP params with k layers (W1, b1, ..., Wk, bk)."""
    return lambda v: isinstance(v, dict) and sorted(v) == sorted(
        f"{p}{i}" for i in range(1, k + 1) for p in "Wb")


def missing_keys(v: Any) -> bool:
    """A velocity dict without some parameter's key (zeros for it, says the docstring):
    recognised by the 'b1' key of the checks' two-parameter dicts being absent."""
    return isinstance(v, dict) and "W1" in v and "b1" not in v


ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu")
ACTIVATION_CLASSES = {name: (lambda v, name=name: v == name) for name in ACTIVATION_NAMES}
"""mlp_forward / mlp_loss_and_grads: every key of ACTIVATIONS is drawn."""

_KEYWORD_RIVALS = {"leaky_relu": ("alpha", (0.1, 0.0)), "softplus": ("beta", (2.0, 0.5))}
"""The activations with a keyword: its name and the wrong defaults a check must tell apart."""


def _activation_domains() -> list:
    """Elementwise, any shape (mlp.py: "x and y = f(x) have any shape (the same)"): 1-D, 2-D
    and 3-D arrays; |x| >= 1000, where exp(x) overflows in a textbook formula."""
    x_classes = {"1-D": ndim(1), "2-D": ndim(2), "3-D": ndim(3),
                 "|x| >= 1000": largest_at_least(1000)}
    found = []
    for name in ACTIVATION_NAMES:
        extra = {}
        if name in _KEYWORD_RIVALS:
            key, rivals = _KEYWORD_RIVALS[name]
            extra = {key: Param((FLOAT,), rivals=rivals)}
        found.append(Domain(f"{name}_forward", "mlp", {"x": Param((FLOAT64,), x_classes),
                                                         **extra}))
        found.append(Domain(f"{name}_backward", "mlp", {
            "dout": Param((FLOAT64,), {"1-D": ndim(1), "2-D": ndim(2), "3-D": ndim(3)}),
            "x": Param((FLOAT64,), x_classes), **extra}))
    return found


# ---------------------------------------------------------------- the declarations

DATA = (FLOAT64, INT64)
"""Data arrays (inputs, points, Hessians): the module docstrings allow integer entries."""
LABEL_ARRAY = (FLOAT64, INT64)
LABEL = (FLOAT, INT)

_DECLARATIONS = [
    # A1 (perceptron.py): "Arrays are numpy arrays; data may have integer entries".
    Domain("add_bias", "perceptron", {
        "X": Param(DATA, {"N = 1": rows(1), "d = 1": cols(1), "|x| >= 100": largest_at_least(100)}),
    }),
    Domain("predict", "perceptron", {
        "w": Param((FLOAT64,)),
        "Xb": Param(DATA, {"N = 1": rows(1), "d + 1 = 1": cols(1)}),
    }),
    Domain("perceptron_update", "perceptron", {
        "w": Param((FLOAT64,), {"w = 0": lambda v: not np.any(v)}),
        "x": Param(DATA, {"d + 1 = 1": length(1)}),
        "y": Param(LABEL, {"y = -1": lambda v: v == -1, "y = +1": lambda v: v == 1}),
    }),
    Domain("train_perceptron", "perceptron", {
        "Xb": Param(DATA, {"N = 1": rows(1)}),
        "y": Param(LABEL_ARRAY),
        "max_epochs": Param((INT,), {"max_epochs = 1": lambda v: v == 1}, rivals=(10, 1000)),
    }),
    Domain("mistake_bound", "perceptron", {
        "Xb": Param(DATA, {"N = 1": rows(1)}),
        "y": Param(LABEL_ARRAY),
        "w_star": Param((FLOAT64,), {"w* = 0": lambda v: not np.any(v)}),
    }, raises=("ValueError",), tolerance=(1e-7, 1e-12)),
    # A2 (gradient_descent.py): points and Hessians may have integer entries.
    Domain("numerical_gradient", "gradient_descent", {
        "f": Param(("FnRef",), {"stiff (|a| >= 20)": stiff}),
        "x": Param(DATA, {"d = 1": length(1)}),
        "h": Param((FLOAT,), rivals=(1e-4, 1e-6)),
    }, tolerance=(0.0, 1e-7)),
    Domain("relative_error", "gradient_descent", {
        "a": Param((FLOAT64, FLOAT), {"empty": empty, "scalar": scalar, "tiny": below(1e-8)}),
        "b": Param((FLOAT64, FLOAT), {"empty": empty, "scalar": scalar}),
    }),
    Domain("gradient_check", "gradient_descent", {
        "f": Param(("FnRef",), {"stiff (|a| >= 20)": stiff}),
        "grad_f": Param(("FnRef",)),
        "x": Param(DATA),
        "h": Param((FLOAT,), rivals=(1e-4, 1e-6)),
    }, tolerance=(1e-3, 1e-8)),
    Domain("gradient_descent", "gradient_descent", {
        "f": Param(("FnRef",), {"unbounded below": unbounded_below,
                                "bounded below": bounded_below}),
        "grad_f": Param(("FnRef",)),
        "x0": Param(DATA, {"d = 1": length(1)}),
        "step_size": Param((FLOAT,)),
        "eps": Param((FLOAT,), rivals=(1e-6, 1e-10)),
        "max_iters": Param((INT,), {"max_iters = 0": lambda v: v == 0}, rivals=(100, 10_000)),
        "criterion": Param(("str",), {"value": lambda v: v == "value"}, rivals=("value",)),
    }, tolerance=(1e-7, 1e-9)),
    Domain("numerical_hessian", "gradient_descent", {
        "f": Param(("FnRef",), {"stiff (|a| >= 20)": stiff}),
        "x": Param(DATA, {"d = 1": length(1)}),
        # 1e-5 is no rival: at 1e-4 vs 1e-5 the change is the size of what a formula of the
        # same order changes (three points on the diagonal at h is four points at h / 2).
        "h": Param((FLOAT,), rivals=(1e-3, 1e-2)),
    }, tolerance=(1e-5, 1e-4)),
    Domain("classify_critical_point", "gradient_descent", {
        "H": Param(DATA, {"d = 1": cols(1), "eigenvalue near tol": eigenvalue_near_tol}),
        "tol": Param((FLOAT,), rivals=(1e-6, 1e-10, 0.0)),
    }),
    # A4 (mlp.py): "Arrays are float64; class labels are int arrays" (binary labels: int or
    # float). Batches are (N, ...): N = 1 is every batch function's edge.
    Domain("linear_forward", "mlp", {
        "x": Param((FLOAT64,), {"N = 1": rows(1), "D = 1": cols(1)}),
        "W": Param((FLOAT64,), {"M = 1": cols(1)}),
        "b": Param((FLOAT64,)),
    }),
    Domain("linear_backward", "mlp", {
        "dout": Param((FLOAT64,), {"N = 1": rows(1), "M = 1": cols(1)}),
        "x": Param((FLOAT64,), {"D = 1": cols(1)}),
        "W": Param((FLOAT64,)),
        "b": Param((FLOAT64,)),
    }),
    *_activation_domains(),
    Domain("softmax", "mlp", {
        "logits": Param((FLOAT64,), {"N = 1": rows(1), "|z| >= 1000": largest_at_least(1000),
                                     "a row far below another": row_far_below}),
    }),
    Domain("mse_loss", "mlp", {
        "pred": Param((FLOAT64,), {"N = 1": rows(1), "K = 1": cols(1)}),
        "target": Param((FLOAT64,)),
    }),
    Domain("binary_cross_entropy", "mlp", {
        "logits": Param((FLOAT64,), {"N = 1": rows(1), "|z| >= 1000": largest_at_least(1000)}),
        "y": Param((FLOAT64, INT64)),
    }),
    Domain("softmax_cross_entropy", "mlp", {
        "logits": Param((FLOAT64,), {"N = 1": rows(1), "|z| >= 1000": largest_at_least(1000),
                                     "a row far below another": row_far_below}),
        "labels": Param((INT64,)),
    }),
    Domain("init_mlp", "mlp", {
        "layer_sizes": Param(("list",), {"wide layers": wide_layers, "deep": deep}),
        "seed": Param((INT,)),
    }),
    Domain("mlp_forward", "mlp", {
        "params": Param(("dict",), {"no hidden layer": n_layers(1), "two hidden layers":
                                    n_layers(3)}),
        "X": Param((FLOAT64,), {"N = 1": rows(1)}),
        "activation": Param(("str",), ACTIVATION_CLASSES, rivals=("tanh", "sigmoid")),
    }),
    Domain("mlp_loss_and_grads", "mlp", {
        "params": Param(("dict",), {"no hidden layer": n_layers(1), "two hidden layers":
                                    n_layers(3)}),
        "X": Param((FLOAT64,), {"N = 1": rows(1)}),
        "labels": Param((INT64,)),
        "activation": Param(("str",), ACTIVATION_CLASSES, rivals=("tanh", "sigmoid")),
    }),
    Domain("sgd_momentum_step", "mlp", {
        "params": Param(("dict",)),
        "grads": Param(("dict",)),
        "velocity": Param(("dict", "NoneType"), {"None": lambda v: v is None,
                                                 "missing keys": missing_keys}),
        "lr": Param((FLOAT,)),
        "momentum": Param((FLOAT,), rivals=(0.9, 0.5)),
    }),
    Domain("train_mlp", "mlp", {
        "X": Param((FLOAT64,)),
        "labels": Param((INT64,)),
        "layer_sizes": Param(("list",)),
        "epochs": Param((INT,)),
        "lr": Param((FLOAT,)),
        "batch_size": Param((INT,)),
        "momentum": Param((FLOAT,), rivals=(0.0, 0.5)),
        "seed": Param((INT,), rivals=(1, 42)),
        "activation": Param(("str",), rivals=("tanh", "sigmoid")),
    }, tolerance=(1e-7, 1e-9)),
    Domain("accuracy", "mlp", {
        "logits": Param((FLOAT64,), {"N = 1": rows(1)}),
        "labels": Param((INT64,)),
    }),
]

DOMAINS: dict[str, Domain] = {d.function: d for d in _DECLARATIONS}


# ---------------------------------------------------------------- A3: Value's operators
# A3's checks call no function: they send graph specs (plain data, autograder/sandboxed/
# fixtures.py) and the worker builds the Values, so a Domain of call arguments does not apply
# (docs/AUTHORING.md, "Draw the whole documented input domain"). A3's domain is declared per
# Value method over the NODES of the specs the checks send: what the other operand is (a
# node, a plain int, a plain float: the module docstring's "operands may be Values or plain
# int/float, on either side"), and the classes the docstrings single out in words.

PRESET = "grads preset, out.grad != 1"
"""The module docstring: the grader gives the inputs a grad (not always 0) and sets out.grad
(not always 1) before calling out._backward() (mode "local" with seed/preset; mode "locals",
whose probes include both)."""
OPERANDS = ("other: Value", "other: int", "other: float")
NUMBERS = ("other: int", "other: float")
TWICE = "self is other"
"""The module docstring: gradients are accumulated, so a node used twice gets both."""

GRAPH_DOMAINS: dict[str, tuple[str, ...]] = {
    "__add__": (*OPERANDS, TWICE, PRESET),
    "__mul__": (*OPERANDS, TWICE, PRESET),
    "__radd__": (*NUMBERS, PRESET),
    "__rmul__": (*NUMBERS, PRESET),
    "__neg__": (PRESET,),
    "__sub__": (*OPERANDS, PRESET),
    "__rsub__": (*NUMBERS, PRESET),
    "__pow__": ("k: int", "k: float", PRESET),  # "for a constant number k" (int | float)
    "__truediv__": (*OPERANDS, PRESET),
    "__rtruediv__": (*NUMBERS, PRESET),
    "exp": (PRESET,),
    "log": (PRESET,),
    "sin": (PRESET,),
    "cos": (PRESET,),
    "tanh": (PRESET,),
    # "computed without overflow": e**-self overflows below -709, e**self above 709.
    "sigmoid": (PRESET, "self <= -1000", "self >= 1000"),
    # "1 where self > 0, else 0 (so relu'(0) = 0)".
    "relu": (PRESET, "self > 0", "self < 0", "self = 0"),
    # "a node used twice receives both contributions"; "calling it twice gives the same".
    "backward": ("a node used twice", "called twice"),
}
"""Value method -> the operand forms and classes some check's graph must draw."""


def graph_labels(spec: dict, mode: str) -> set[tuple[str, str]]:
    """(Value method, label of GRAPH_DOMAINS) for every node of a graph spec sent in
    ``mode``: which forms and classes of operand that spec draws."""
    from autograder.checks.a3 import evaluate
    from autograder.feedback.messages import method_of

    try:
        values = evaluate(spec)
    except (ArithmeticError, ValueError, KeyError, TypeError):
        values = {}
    preset = mode == "locals" or (mode == "local" and spec.get("preset", 0.0) != 0.0
                                  and spec.get("seed", 1.0) != 1.0)
    labels: set[tuple[str, str]] = set()
    uses: dict[str, int] = {}
    for node in spec["nodes"]:
        method, args = method_of(node), node["args"]
        for name in {a for a in args if isinstance(a, str)}:
            uses[name] = uses.get(name, 0) + args.count(name)
        if preset:
            labels.add((method, PRESET))
        if len(args) == 2:
            other = args[0] if method.startswith("__r") else args[1]
            form = "Value" if isinstance(other, str) else (
                "int" if type(other["const"]) is int else "float")
            labels.add((method, f"other: {form}"))
            if isinstance(args[0], str) and args[0] == args[1]:
                labels.add((method, TWICE))
        elif node["op"] == "pow":
            labels.add((method, f"k: {'int' if type(node['exponent']) is int else 'float'}"))
        x = values.get(args[0]) if len(args) == 1 and isinstance(args[0], str) else None
        if x is not None and method == "relu":
            labels.add((method, "self > 0" if x > 0 else "self < 0" if x < 0 else "self = 0"))
        if x is not None and method == "sigmoid" and abs(x) >= 1000:
            labels.add((method, "self >= 1000" if x > 0 else "self <= -1000"))
    if mode in ("backward", "backward_twice"):
        if any(count >= 2 for count in uses.values()):
            labels.add(("backward", "a node used twice"))
        if mode == "backward_twice":
            labels.add(("backward", "called twice"))
    return labels
