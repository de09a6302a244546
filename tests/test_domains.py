"""Every documented input domain is declared and drawn whole (issue 15, item 1).

autograder/checks/domains.py declares, per student function of A1, A2 and A4's init_mlp,
the forms and classes of value its docstring allows, the wrong defaults a check must tell
apart from the documented one, and its documented Raises. Here every check of those
functions runs on the reference with a recording Student; each value sent is classified,
and a declared form, class, default or Raises that no check draws fails the test.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from conftest import REFERENCE

from autograder.checks import suite
from autograder.checks.a3 import ASSIGNMENT as A3
from autograder.checks.domains import DOMAINS, GRAPH_DOMAINS, PRESET, form_of, graph_labels
from autograder.checks.framework import Student, run_check
from autograder.context import default_context
from autograder.isolation.worker import Worker
from autograder.sandboxed.fixtures import make_function, make_hessian
from autograder.sandboxed.protocol import FnRef
from autograder.staff import reference

MODULES = {"a1": "perceptron", "a2": "gradient_descent", "a4": "mlp"}
DECLARED_A4 = (
    "linear_forward", "linear_backward",
    *(f"{a}_{d}" for a in ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu")
      for d in ("forward", "backward")),
    "softmax", "mse_loss", "binary_cross_entropy", "softmax_cross_entropy",
    "init_mlp", "mlp_forward", "mlp_loss_and_grads", "sgd_momentum_step", "train_mlp",
    "accuracy",
)
"""A4's declared functions: every public function of mlp.py (the declaration test checks
that none is missing)."""


def public_functions(module_name: str) -> dict[str, object]:
    module = reference.load(module_name)
    return {name: fn for name, fn in vars(module).items()
            if not name.startswith("_") and inspect.isfunction(fn)
            and fn.__module__ == module.__name__}


class RecordingStudent(Student):
    """A Student that keeps every call's arguments, bound to the reference's signature."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.functions = public_functions(self.module)
        self.calls_seen: list[tuple[str, dict]] = []
        self.raises_seen: set[tuple[str, str]] = set()
        self.graphs_seen: list[tuple[dict, str]] = []  # A3: (spec, mode) of every graph

    def call(self, function, *args, **kwargs):
        fn = self.functions.get(function)
        if fn is not None:
            try:
                bound = inspect.signature(fn).bind(*args, **kwargs).arguments
            except TypeError:
                bound = None
            if bound is not None:
                self.calls_seen.append((function, dict(bound)))
        return super().call(function, *args, **kwargs)

    def call_raises(self, exception, function, *args, **kwargs):
        self.raises_seen.add((function, exception))
        return super().call_raises(exception, function, *args, **kwargs)

    def graph(self, spec, mode, function="Value"):
        self.graphs_seen.append((spec, mode))
        return super().graph(spec, mode, function=function)


def _names_declared(function: str, functions: tuple[str, ...]) -> bool:
    """Whether a check's ``function`` ("f" or "f, g, ...") names one of ``functions``."""
    return any(name.strip() in functions for name in function.split(","))


def record(assignment: str, without: tuple[str, ...] = (),
           functions: tuple[str, ...] = DECLARED_A4) -> RecordingStudent:
    """Every check of ``assignment`` (for a4, those naming one of ``functions``; none named
    in ``without``) run on the reference; the recording Student that saw their calls."""
    (s,) = [s for s in suite(include_hidden=True) if s.assignment.id == assignment]
    checks = [c for c in s.checks if c.name not in without
              and (assignment != "a4" or _names_declared(c.function, functions))]
    with Worker(REFERENCE / s.assignment.folder) as worker:
        student = RecordingStudent(worker, s.assignment.module, assignment=s.assignment,
                                   reference_solution=default_context().reference_solution())
        failed = [c.name for c in checks if not run_check(c, student).passed]
    assert not failed, f"the reference fails {failed}"
    return student


def _trusted(value):
    """A value as the reference on this side takes it: FnRef markers become callables."""
    if isinstance(value, FnRef):
        if value.part == "hess":
            return make_hessian(value.name, value.params)
        f, grad = make_function(value.name, value.params)
        return f if value.part == "f" else grad
    return value


def _differs(a, b, rtol: float, atol: float) -> bool:
    """Whether a check comparing at (rtol, atol) can tell two reference results apart."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() != b.keys() or any(_differs(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) != len(b) or any(
            _differs(x, y, rtol, atol) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) or isinstance(b, str) or isinstance(a, bool):
        return a != b
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return True
    return not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _run(fn, arguments: dict):
    try:
        return ("returned", fn(**{k: _trusted(v) for k, v in arguments.items()}))
    except Exception as error:  # noqa: BLE001 - a raise is a result too
        return ("raised", type(error).__name__)


def _safe(predicate, value) -> bool:
    try:
        return bool(predicate(value))
    except Exception:  # noqa: BLE001 - a value the predicate does not apply to
        return False


def gaps(student: RecordingStudent, functions) -> list[str]:
    """Every declared form, class, default-that-matters and Raises no recorded call drew."""
    missing = []
    for name in functions:
        domain, fn = DOMAINS[name], student.functions[name]
        rtol, atol = domain.tolerance
        calls = [arguments for function, arguments in student.calls_seen if function == name]
        for param, declared in domain.params.items():
            given = [arguments[param] for arguments in calls if param in arguments]
            forms = {form_of(v) for v in given}
            missing += [f"{name}({param}): form {f}" for f in declared.forms if f not in forms]
            missing += [f"{name}({param}): class {label!r}" for label, test in
                        declared.classes.items() if not any(_safe(test, v) for v in given)]
            defaulted = [arguments for arguments in calls if param not in arguments]
            for rival in declared.rivals:
                if not any(_differs(_run(fn, a)[1], _run(fn, {**a, param: rival})[1], rtol, atol)
                           or _run(fn, a)[0] != _run(fn, {**a, param: rival})[0]
                           for a in defaulted):
                    missing += [f"{name}({param}): the default where {param}={rival!r} differs"]
        missing += [f"{name}: raises {e}" for e in domain.raises
                    if (name, e) not in student.raises_seen]
    return missing


@pytest.mark.parametrize("assignment", ["a1", "a2", "a4"])
def test_every_function_has_a_declaration_of_its_parameters(assignment):
    module = MODULES[assignment]
    functions = public_functions(module)
    names = DECLARED_A4 if assignment == "a4" else tuple(functions)
    assert sorted(names) == sorted(functions), "a public function is not in DECLARED_A4"
    for name in names:
        assert name in DOMAINS, f"{module}.{name} has no Domain in autograder/checks/domains.py"
        domain = DOMAINS[name]
        assert domain.module == module, name
        parameters = list(inspect.signature(functions[name]).parameters)
        assert list(domain.params) == parameters, (name, list(domain.params), parameters)
        for param, declared in domain.params.items():
            default = inspect.signature(functions[name]).parameters[param].default
            if default is not inspect.Parameter.empty and declared.forms != ("FnRef",):
                assert declared.rivals, f"{name}({param}) has a default but no rival declared"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["a1", "a2", "a4"])
def test_every_declared_class_is_drawn_by_some_check(assignment):
    student = record(assignment)
    names = DECLARED_A4 if assignment == "a4" else tuple(public_functions(MODULES[assignment]))
    missing = gaps(student, names)
    assert not missing, "declared but never drawn by a check:\n" + "\n".join(missing)


@pytest.mark.slow
def test_the_classification_sees_what_is_not_drawn():
    """Without A2's hidden differential checks, the classes only they draw are reported
    (the test above can fail): f unbounded below, integer points, the default max_iters."""
    student = record("a2", without=("same as the reference",))
    missing = gaps(student, ["gradient_descent", "numerical_gradient"])
    assert "gradient_descent(f): class 'unbounded below'" in missing
    assert "numerical_gradient(x): form int64" in missing
    assert "gradient_descent(max_iters): the default where max_iters=10000 differs" in missing


def test_forms_and_predicates_classify_as_declared():
    """The classifier's own premise on hand values."""
    assert form_of(np.array([1, 2])) == "int64"
    assert form_of(np.array([1.0])) == "float64"
    assert form_of(1) == "int" and form_of(1.0) == "float" and form_of(True) == "bool"
    f = DOMAINS["gradient_descent"].params["f"].classes
    assert f["unbounded below"](FnRef("quadratic", "f", {"A": [[-1.0]]}))
    assert not f["unbounded below"](FnRef("quadratic", "f", {"A": [[2.0]]}))
    assert f["bounded below"](FnRef("quadratic", "f", {"A": [[2.0]]}))
    a = DOMAINS["relative_error"].params["a"].classes
    assert a["empty"](np.zeros(0)) and a["scalar"](0.5) and not a["scalar"](np.zeros(2))


# ---------------------------------------------------------------- A3 (graph specs)


def test_every_a3_method_has_a_graph_domain():
    """A3's Value methods are built by graph specs, not called: each task's methods are
    declared in GRAPH_DOMAINS (domains.py), and nothing else is."""
    methods = {m for task in A3.tasks for m in task.functions}
    assert set(GRAPH_DOMAINS) == methods


@pytest.mark.slow
def test_every_declared_a3_operand_form_and_class_is_drawn_by_some_check():
    student = record("a3")
    drawn = set().union(*(graph_labels(spec, mode) for spec, mode in student.graphs_seen))
    missing = [f"{method}: {label}" for method, labels in GRAPH_DOMAINS.items()
               for label in labels if (method, label) not in drawn]
    assert not missing, "declared but never drawn by a check:\n" + "\n".join(missing)


@pytest.mark.slow
def test_the_graph_classification_sees_what_is_not_drawn():
    """Without the two int checks (3.1, 3.2), the int operands only they draw are reported
    (the test above can fail): before them no check sent 2 * v with an int 2."""
    from autograder.checks.a3 import CHECKS, int_division, int_numbers_either_side

    names = tuple(c.name for c in CHECKS if c.run in (int_division, int_numbers_either_side))
    assert len(names) == 2
    student = record("a3", without=names)
    drawn = set().union(*(graph_labels(spec, mode) for spec, mode in student.graphs_seen))
    for method in ("__radd__", "__rmul__", "__rsub__", "__rtruediv__", "__truediv__"):
        assert (method, "other: int") not in drawn, method
    assert ("__rmul__", "other: float") in drawn


def test_graph_labels_classify_as_declared():
    """The classifier's own premise on hand-written specs: a float-only graph draws no int
    operand (the gap the int checks close), a preset local probe draws PRESET."""
    spec = {"inputs": {"a": 0.0}, "nodes": [
        {"id": "n0", "op": "mul", "args": [{"const": 2.0}, "a"]},
        {"id": "n1", "op": "sub", "args": ["n0", {"const": 1}]},
        {"id": "n2", "op": "pow", "args": ["n1"], "exponent": 2},
        {"id": "n3", "op": "relu", "args": ["a"]},
        {"id": "n4", "op": "add", "args": ["n3", "n3"]},
    ], "output": "n4"}
    labels = graph_labels(spec, "backward")
    assert ("__rmul__", "other: float") in labels and ("__rmul__", "other: int") not in labels
    assert ("__sub__", "other: int") in labels and ("__pow__", "k: int") in labels
    assert ("relu", "self = 0") in labels and ("__add__", "self is other") in labels
    assert ("backward", "a node used twice") in labels
    assert ("backward", "called twice") not in labels
    assert not any(label == PRESET for _, label in labels)
    one = {"inputs": {"a": 1.0}, "nodes": [{"id": "out", "op": "exp", "args": ["a"]}],
           "output": "out"}
    assert ("exp", PRESET) in graph_labels({**one, "seed": 2.0, "preset": 0.5}, "local")
    assert ("exp", PRESET) not in graph_labels(one, "local")
