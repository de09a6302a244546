"""Feedback formatting: pasteable calls reproduce the input exactly, names come from the
stubs and the reference's documented returns, messages keep 80 columns, points read 2 dp."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from autograder.feedback.calls import LINE_WIDTH, fn_source, pasteable_call, py
from autograder.feedback.log import CallRecord
from autograder.feedback.messages import REPRODUCE, causes, explain_flaky, graph_code, with_call
from autograder.feedback.names import output_names, parameters
from autograder.grade import AssignmentResult, CheckResult, SubmissionResult, TaskResult
from autograder.report import console_table, gradescope_results, markdown_feedback
from autograder.sandboxed import fixtures
from autograder.sandboxed.protocol import FnRef
from autograder.staff import reference


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
                and np.array_equal(np.signbit(a), np.signbit(b)) if a.dtype.kind == "f"
                else isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    return a == b and type(a) is type(b)


AWKWARD = [
    np.array([[1 / 3, -0.0, 5e-324], [1e308, -1e-310, 0.1 + 0.2]]),
    np.array([np.nan, np.inf, -np.inf, 2.5]),
    np.array([1, -2, 3], dtype=np.int64),
    np.array([4, 5], dtype=np.int32),
    np.array([True, False]),
    np.array([0.5, 1 / 7], dtype=np.float32),
    np.zeros((0, 3)),
    np.random.default_rng(0).normal(size=(12, 10)),
]


@pytest.mark.parametrize("value", AWKWARD, ids=[f"array{i}" for i in range(len(AWKWARD))])
def test_a_pasted_call_rebuilds_every_argument_bit_for_bit(value):
    code = pasteable_call("linear_backward", (value, value), {"b": value, "W": 0.1 + 0.2},
                          module="mlp")
    ast.parse(code)
    namespace = {"np": np, "linear_backward": lambda **kw: kw}
    exec(code.replace("linear_backward(", "got = linear_backward(", 1), namespace)
    got = namespace["got"]
    assert list(got) == ["dout", "x", "b", "W"]  # positional ones named from the stub
    for name in ("dout", "x", "b"):
        assert _same(value, got[name]), name
    assert got["W"] == 0.1 + 0.2
    assert all(len(line) <= LINE_WIDTH for line in code.splitlines()) or value.size > 60


def test_an_array_beyond_the_stated_size_is_elided_and_says_so():
    text = py(np.zeros((20, 10)))
    assert "shape (20, 10)" in text and "too large" in text


CATALOGUE_FUNCTIONS = [
    FnRef("lecture_2var"), FnRef("lecture_3var"), FnRef("rosenbrock"),
    FnRef("sum_sin", params={"a": [1.0, -0.5, 2.0]}),
    FnRef("quadratic", params={"A": [[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 1.0]],
                               "b": [0.5, -1.0, 0.25]}),
    FnRef("wrong_grad", params={"base": "rosenbrock", "base_params": {}, "coord": 1,
                                "delta": 1.0}),
]


@pytest.mark.parametrize("ref", CATALOGUE_FUNCTIONS, ids=[f.name for f in CATALOGUE_FUNCTIONS])
def test_catalogue_functions_are_written_as_lambdas_of_the_same_formula(ref):
    d = 2 if ref.name == "lecture_2var" else 3
    rng = np.random.default_rng(1)
    for part in ("f", "grad"):
        mine = eval(fn_source(FnRef(ref.name, part, ref.params)), {"np": np})
        f, grad = fixtures.make_function(ref.name, ref.params)
        theirs = f if part == "f" else grad
        for _ in range(5):
            x = rng.uniform(-2, 2, size=d)
            np.testing.assert_allclose(mine(x), theirs(x), rtol=1e-12, atol=1e-12)


SPEC = {
    "inputs": {"a": 0.7, "b": -1.3},
    "nodes": [
        {"id": "p", "op": "mul", "args": ["a", "b"]},
        {"id": "q", "op": "sub", "args": [{"const": 2.0}, "p"]},
        {"id": "r", "op": "div", "args": [{"const": 1.5}, "q"]},
        {"id": "s", "op": "pow", "args": ["r"], "exponent": 3},
        {"id": "t", "op": "tanh", "args": ["s"]},
        {"id": "out", "op": "add", "args": ["t", "a"]},
    ],
    "output": "out",
}


@pytest.mark.parametrize("mode", ["backward", "backward_twice", "forward", "chain"])
def test_the_graph_code_rebuilds_what_the_check_ran(mode):
    Value = reference.load("engine").Value
    namespace = {"Value": Value, "print": lambda *a: None}
    exec("\n".join(graph_code(SPEC, mode)), namespace)
    expected = fixtures.run_graph(Value, SPEC, mode)
    for name, value in expected["data"].items():
        assert namespace[name].data == value
    for name, grad in expected.get("grads", {}).items():
        assert namespace[name].grad == grad


def test_the_graph_code_uses_the_operator_python_calls():
    code = "\n".join(graph_code(SPEC, "backward"))
    assert "q = 2.0 - p" in code and "r = 1.5 / q" in code and "t = s.tanh()" in code


def test_names_come_from_the_stub_signature_and_the_documented_returns():
    assert parameters("mlp", "linear_backward") == ["dout", "x", "W", "b"]
    assert parameters("perceptron", "train_perceptron") == ["Xb", "y", "max_epochs"]
    assert output_names("mlp", "linear_backward") == ["dx", "dW", "db"]
    assert output_names("mlp", "softmax_cross_entropy") == ["loss", "dlogits"]
    assert output_names("mlp", "mlp_loss_and_grads") == ["loss", "grads"]
    assert output_names("mlp", "sgd_momentum_step") == ["new_params", "new_velocity"]
    assert output_names("mlp", "softmax") == []


def test_a_message_gets_the_call_in_place_of_its_input_line_and_loses_fixed_hints():
    record = CallRecord("perceptron_update", (np.zeros(2), np.ones(2), 1.0), result=np.zeros(2),
                        returned=True)
    message = ("perceptron_update(w, x, y) is wrong.\n  input: w = [0, 0]\n"
               "  at index [0]: expected 1, got 0\n  hint: test <= not <")
    text = with_call(message, [record], "perceptron")
    lines = text.splitlines()
    assert lines[0] == "perceptron_update(w, x, y) is wrong."
    assert lines[1].startswith(REPRODUCE)
    assert "perceptron_update(\n" in text and "w=np.array([0.0, 0.0])," in text
    assert "x=np.array([1.0, 1.0])," in text and "y=1.0," in text
    assert "input:" not in text and "hint" not in text and "expected 1, got 0" in text


def test_the_call_goes_below_the_students_traceback():
    record = CallRecord("softmax", (np.zeros((1, 2)),), error="softmax raised ValueError: x")
    message = 'softmax raised ValueError: x\n    File "mlp.py", line 3, in softmax\n      boom'
    lines = with_call(message, [record], "mlp").splitlines()
    assert lines[1].startswith("    File") and lines[3].startswith(REPRODUCE)


def test_a_crash_on_a_value_another_call_returned_names_that_call_and_value():
    params = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    grads = {"W": np.zeros((2, 2)), "b": np.zeros(1)}
    first = CallRecord("mlp_loss_and_grads", (params,), result=[0.5, grads], returned=True)
    second = CallRecord("sgd_momentum_step", (params, grads, {}, 0.1),
                        error="sgd_momentum_step raised ValueError: broadcast")
    [line] = causes([first, second], "mlp")
    assert line == ("  cause: grads is the grads your mlp_loss_and_grads returned: its ['b']"
                    " has shape (1,), params['b'] has shape (2,).")


class _RandomStudent:
    """A fake Student whose train_perceptron returns fresh random weights on every call."""

    module = "perceptron"

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def call(self, function, *args, **kwargs):
        return {"weights": self.rng.normal(size=2), "updates": 1, "mistakes_per_epoch": [1],
                "converged": False}


def test_unseeded_randomness_names_the_call_and_what_differed_the_same_every_run():
    Xb, y = np.array([[1.0, 1.0], [-1.0, 1.0]]), np.array([1.0, -1.0])
    messages = []
    for seed in (1, 2):
        student = _RandomStudent(seed)
        first = CallRecord("train_perceptron", (Xb, y), result=student.call(""), returned=True)
        messages.append(explain_flaky(student, [first]))
    assert messages[0] == messages[1]
    assert messages[0].startswith("train_perceptron returned different results for the same"
                                  " input: ['weights'] changed")
    assert "train_perceptron(" in messages[0] and "Xb=np.array([[1.0, 1.0], [-1.0, 1.0]])" \
        in messages[0]


def _result_with(message: str, score_checks=(True, False, False)) -> SubmissionResult:
    checks = [CheckResult(f"check {i}", "train_mlp", False, ok, "" if ok else message)
              for i, ok in enumerate(score_checks)]
    task = TaskResult("a4", "4.6", "training", 2, checks)
    other = TaskResult("a4", "4.5", "SGD with momentum", 21.0179,
                       [CheckResult("c", "sgd_momentum_step", False, True)])
    return SubmissionResult("alice", [AssignmentResult("a4", "a4_mlp", "MLP", [task, other])],
                            1.0, "bwrap")


LONG = ("train_mlp on the digits (layers [64, 128, 10], {'epochs': 30, 'lr': 0.2}): the grader"
        " measured test accuracy 0.851, needs 0.95, which is a long line of prose indeed.\n"
        f"{REPRODUCE} (import numpy as np; from mlp import *):\n"
        "      train_mlp(X=np.array([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]]))\n"
        "  diagnosis: your train_mlp does something the lecture says otherwise about, at some"
        " length so that it needs wrapping (lecture 003, 'Online Stochastic Gradient Descent').")


def test_points_read_with_two_decimals_and_stay_exact_in_results_json():
    result = _result_with(LONG)
    table = console_table(result)
    assert "0.67/2.00" in table and "21.02/21.02" in table and "0.6667" not in table
    assert "Total: 21.68 / 23.02 points" in table
    assert "21.68 / 23.02" in markdown_feedback(result)
    data = gradescope_results(result)
    assert data["score"] == result.score and data["tests"][0]["score"] == 0.6667


def test_the_console_reads_at_80_columns_and_code_is_never_wrapped():
    table = console_table(_result_with(LONG))
    code = "train_mlp(X=np.array([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]]))"
    assert code in table  # whole, pasteable
    prose = [line for line in table.splitlines() if code not in line]
    assert max(len(line) for line in prose) <= 80, max(prose, key=len)
    assert "Online Stochastic Gradient Descent" in " ".join(table.split())
