"""Error carried forward: the grader's compositions of a student's own building blocks.

A fake student runs reference (or deliberately broken) code in this process, standing in for
the worker, so the trusted-side composition is tested without a sandbox.
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from conftest import REFERENCE

from autograder.checks import a3
from autograder.compare import CheckFailure
from autograder.sandboxed import fixtures
from autograder.staff import reference
from autograder.staff.hidden_checks import a4 as hidden_a4


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ENGINE = _load(REFERENCE / "a3_backprop" / "engine.py", "ecf_engine")
MLP = _load(REFERENCE / "a4_mlp" / "mlp.py", "ecf_mlp")


def _as_sent(value):
    """What the protocol delivers: tuples as lists, numpy scalars as Python numbers."""
    if isinstance(value, (tuple, list)):
        return [_as_sent(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_sent(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


class FakeStudent:
    """Student.call / Student.graph over in-process modules (tests only)."""

    def __init__(self, module=MLP, value=ENGINE.Value, **overrides):
        self.module, self.value, self.overrides = module, value, overrides
        self.artifacts: dict = {}  # what checks record for the report, as on Student
        self.reference_solution = reference.for_folder(REFERENCE)  # as a grading's Student
        self.log: list = []  # this check's calls, as on Student (probes remove their own)
        self.check = None  # the check being run, as on Student (none: a check of the test's)

    def call(self, function, *args, **kwargs):
        fn = self.overrides.get(function) or getattr(self.module, function)
        return _as_sent(fn(*args, **kwargs))

    def graph(self, spec, mode, function="Value"):
        return fixtures.run_graph(self.value, spec, mode)


class OverwritingTanh(ENGINE.Value):
    """tanh's _backward assigns (=) and uses 1 - t instead of 1 - t**2."""

    def tanh(self):
        t = math.tanh(self.data)
        out = OverwritingTanh(t, (self,), "tanh")

        def _backward():
            self.grad = (1.0 - t) * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, ENGINE.Value) else OverwritingTanh(other)
        out = OverwritingTanh(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out


FAN_OUT = {
    "inputs": {"x": 0.7},
    "nodes": [
        {"id": "t", "op": "tanh", "args": ["x"]},
        {"id": "out", "op": "mul", "args": ["t", "x"]},
    ],
    "output": "out",
}


def test_locals_probes_are_affine_with_alpha_one_for_accumulating_ops():
    got = fixtures.run_graph(ENGINE.Value, FAN_OUT, "locals")["locals"]["t"]
    r1, r2, r3 = (probe["x"] for probe in got)
    assert r3 - r1 == pytest.approx(1.0)  # += keeps the existing grad
    assert r2 - r1 == pytest.approx(1 - math.tanh(0.7) ** 2)


def test_composed_grads_equal_the_reference_backward():
    spec = a3._chain_spec((2.0, 1.0, 0.5))
    composed, *_ = a3.composed_grads(FakeStudent(), spec)
    expected = fixtures.run_graph(ENGINE.Value, spec, "backward")["grads"]
    assert composed == pytest.approx(expected, rel=1e-12)


def test_composed_grads_follow_a_wrong_op_and_backward_passes_with_it():
    student = FakeStudent(value=OverwritingTanh)
    composed, *_ = a3.composed_grads(student, FAN_OUT)
    truth = fixtures.run_graph(ENGINE.Value, FAN_OUT, "backward")["grads"]
    assert composed["x"] != pytest.approx(truth["x"])  # the op is wrong ...
    a3.check_backward(student, FAN_OUT)  # ... but backward() is right given it


def test_a_wrong_backward_fails_against_the_composition():
    engine = _load(REFERENCE / "a3_backprop" / "engine.py", "ecf_engine_forward_order")

    def backward(self):
        topo, seen = [], set()

        def build(v):
            if id(v) not in seen:
                seen.add(id(v))
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        for v in topo:
            v.grad = 0.0
        self.grad = 1.0
        for v in topo:  # forward order: parents' grads not complete yet
            v._backward()

    engine.Value.backward = backward
    spec = a3._chain_spec((0.3, -1.2, 0.8))
    with pytest.raises(CheckFailure, match="Value.backward"):
        a3.check_backward(FakeStudent(value=engine.Value), spec)


def test_op_checks_judge_only_their_task_where_it_stands():
    student = FakeStudent(value=OverwritingTanh)
    a3.check_ops_in_graph(student, FAN_OUT, "3.1", "Value.__mul__")  # * is right
    with pytest.raises(CheckFailure, match=r"d t / d x"):
        a3.check_ops_in_graph(student, FAN_OUT, "3.4", "Value.tanh")


def _net():
    _, params, X, labels, _, _ = a4_net()
    return params, X, labels


def a4_net():
    from autograder.checks.a4 import _net as net

    return net(([4, 5, 2], 6, 3, "tanh"))


def test_composed_network_equals_the_reference_network():
    params, X, labels = _net()
    loss, grads = hidden_a4.compose_network(FakeStudent(), params, X, labels, "tanh")
    ref_loss, ref_grads = MLP.mlp_loss_and_grads(params, X, labels, "tanh")
    assert loss == pytest.approx(ref_loss)
    for key, value in ref_grads.items():
        np.testing.assert_allclose(grads[key], value, rtol=1e-12)


def test_network_right_given_a_wrong_linear_backward_passes():
    def wrong_backward(dout, x, W, b):
        return dout @ W.T, x.T @ dout, dout.sum(axis=1)  # db over the wrong axis

    def network(params, X, labels, activation="relu"):  # the reference's loop, over it
        original = MLP.linear_backward
        MLP.linear_backward = wrong_backward
        try:
            return MLP.mlp_loss_and_grads(params, X, labels, activation)
        finally:
            MLP.linear_backward = original

    student = FakeStudent(linear_backward=wrong_backward, mlp_loss_and_grads=network)
    params, X, labels = _net()
    got = student.call("mlp_loss_and_grads", params, X, labels, activation="tanh")
    hidden_a4.carry_forward_network(student, got, params, X, labels, "tanh",
                                    failure=CheckFailure("strict check failed"))
    wrong = (got[0], {**got[1], "W1": got[1]["W1"] * 2})
    with pytest.raises(CheckFailure, match="mistake is in mlp_loss_and_grads itself"):
        hidden_a4.carry_forward_network(student, wrong, params, X, labels, "tanh",
                                        failure=CheckFailure("strict check failed"))


def _data():
    rng = np.random.default_rng(4)
    return rng.normal(size=(23, 3)), rng.integers(0, 3, size=23)


SETTINGS = dict(lr=0.3, batch_size=5, momentum=0.9, seed=2, activation="tanh")


def test_replay_of_the_reference_matches_its_train_mlp():
    X, y = _data()
    student = FakeStudent()
    got = student.call("train_mlp", X, y, [3, 4, 3], 3, **SETTINGS)
    hidden_a4.check_replay(student, got, X, y, [3, 4, 3], 3, SETTINGS, "")


def test_replay_catches_a_velocity_reset_every_step():
    X, y = _data()
    honest_step = MLP.sgd_momentum_step

    def reset_velocity(params, grads, velocity, lr, momentum=0.0):
        return honest_step(params, grads, None, lr, momentum)

    def train(*args, **kwargs):
        original = MLP.sgd_momentum_step
        MLP.sgd_momentum_step = reset_velocity
        try:
            return MLP.train_mlp(*args, **kwargs)
        finally:
            MLP.sgd_momentum_step = original

    student = FakeStudent(train_mlp=train)
    got = student.call("train_mlp", X, y, [3, 4, 3], 3, **SETTINGS)
    with pytest.raises(CheckFailure, match="replay of the documented loop"):
        hidden_a4.check_replay(student, got, X, y, [3, 4, 3], 3, SETTINGS, "")


def test_no_free_points_for_backward_when_the_ops_pass_nothing_back():
    engine = _load(REFERENCE / "a3_backprop" / "engine.py", "ecf_engine_inert")
    real_mul = engine.Value.__mul__

    def inert_mul(self, other):
        out = real_mul(self, other)
        out._backward = lambda: None  # the op passes nothing back
        return out

    def seed_only(self):
        self.grad = 1.0

    engine.Value.__mul__ = inert_mul
    engine.Value.backward = seed_only
    spec = {"inputs": {"a": 2.0, "b": 3.0}, "nodes": [{"id": "out", "op": "mul",
                                                        "args": ["a", "b"]}], "output": "out"}
    with pytest.raises(CheckFailure, match="cannot be judged"):
        a3.check_backward(FakeStudent(value=engine.Value), spec)


def test_no_free_points_for_a_network_composed_of_garbage():
    def zeros(*args, **kwargs):
        return np.zeros(3)

    names = ["linear_forward", "tanh_forward", "mlp_forward"]
    student = FakeStudent(**{name: zeros for name in names})
    params, X, _ = _net()
    with pytest.raises(CheckFailure, match="could not compose"):
        hidden_a4.carry_forward_forward(student, np.zeros(3), params, X, "tanh",
                                        failure=CheckFailure("strict check failed"))


class FaultingStudent(FakeStudent):
    """FakeStudent whose graphs report the student's exceptions as the worker does."""

    def graph(self, spec, mode, function="Value"):
        from autograder.checks.framework import StudentFault

        try:
            return super().graph(spec, mode, function)
        except (TypeError, ValueError, NotImplementedError) as error:
            raise StudentFault(f"{function} raised {type(error).__name__}: {error}", fatal=False,
                               type_name=type(error).__name__) from None


def _engine_with(name, **methods):
    engine = _load(REFERENCE / "a3_backprop" / "engine.py", name)
    for method, fn in methods.items():
        setattr(engine.Value, method, fn(engine.Value))
    return engine.Value


def _childless_add(Value):
    def add(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data)  # no children: the graph is cut here

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out
    return add


CUT = {"inputs": {"x": 0.4, "y": -1.1},
       "nodes": [{"id": "p", "op": "mul", "args": ["x", "y"]},
                 {"id": "s", "op": "add", "args": ["p", "y"]},
                 {"id": "out", "op": "tanh", "args": ["s"]}],
       "output": "out"}


def test_backward_is_judged_over_the_graph_as_a_childless_add_links_it():
    value = _engine_with("ecf_engine_childless", __add__=_childless_add)
    expected, _, cut = a3.composed_grads(FakeStudent(value=value), CUT)
    assert cut["id"] == "s"
    assert expected["p"] == pytest.approx(1 - math.tanh(0.4 * -1.1 - 1.1) ** 2)
    assert expected["x"] == 0.0  # p's closure never runs: backward() cannot reach p
    a3.check_backward(FakeStudent(value=value), CUT)  # the reference's backward: right
    a3.check_backward(FakeStudent(value=value), CUT, "backward_twice")
    with pytest.raises(CheckFailure, match="does not keep p, y among its children"):
        a3.check_ops_in_graph(FakeStudent(value=value), CUT, "3.1", "Value.__add__")


def test_a_childless_op_that_leaves_nothing_to_judge_skips_the_example():
    from autograder.checks.framework import NotJudged

    value = _engine_with("ecf_engine_childless_rsub", __add__=_childless_add)
    spec = {"inputs": {"x": 0.3}, "nodes": [{"id": "n", "op": "sub",
                                              "args": [{"const": 0.0}, "x"]}], "output": "n"}
    with pytest.raises(NotJudged, match="does not keep its operands"):
        a3.check_backward(FakeStudent(value=value), spec)


def test_not_judged_on_every_example_fails_the_check(monkeypatch):
    from hypothesis import strategies as st

    from autograder.checks import plan
    from autograder.checks.framework import CarriedForward, NotJudged, for_all

    monkeypatch.setenv(plan.LIVE_ENV, "live")  # checks of this test only: no stored plan

    @for_all(st.integers(0, 3), max_examples=5)
    def skips(student, example):
        raise NotJudged("your x cut the graph")

    @for_all(st.integers(0, 3), max_examples=5)
    def judges_one(student, example):
        if example:
            raise NotJudged("your x cut the graph")
        raise CarriedForward("right given your x")

    student = FakeStudent()
    with pytest.raises(CheckFailure, match="not judged on any input.*your x cut the graph"):
        skips(student)
    judges_one(student)


def _int_only_pow(Value):
    real = Value.__pow__

    def pow_(self, k):
        if not isinstance(k, int):
            raise TypeError("only integer powers are supported")
        return real(self, k)
    return pow_


def _unfinished_pow(Value):
    def pow_(self, k):
        raise NotImplementedError("Task 3.2: implement Value.__pow__")
    return pow_


RAISES = {"inputs": {"x": 0.7},
          "nodes": [{"id": "m", "op": "mul", "args": ["x", "x"]},
                    {"id": "a", "op": "add", "args": ["m", {"const": 0.5}]},
                    {"id": "r", "op": "pow", "args": ["a"], "exponent": 0.5},
                    {"id": "out", "op": "sin", "args": ["r"]}],
          "output": "a"}


def test_an_op_that_raises_in_backward_graph_is_carried_forward_after_judging_the_rest():
    from autograder.checks.framework import CarriedForward, NotJudged, StudentFault

    value = _engine_with("ecf_engine_int_pow", __pow__=_int_only_pow)
    spec = {**RAISES, "output": "out"}
    with pytest.raises(CarriedForward, match=r"a \*\* 0.5 raised TypeError.*judged up to a"):
        a3.check_backward(FaultingStudent(value=value), spec)

    def no_seed(self):  # and backward() is still judged on the graph before the raising op
        for v in (self,):
            v._backward()

    value.backward = no_seed
    with pytest.raises(CheckFailure, match="Value.backward"):
        a3.check_backward(FaultingStudent(value=value), spec)
    first = {**spec, "nodes": [{"id": "r", "op": "pow", "args": ["x"], "exponent": 0.5}],
             "output": "r"}
    # Nothing before it: this graph judges nothing (NotJudged skips the example; a check
    # whose every example is skipped fails), so backward() pays nothing for the op's raise.
    with pytest.raises(NotJudged, match=r"x \*\* 0.5 raised TypeError: no node before it"):
        a3.check_backward(FaultingStudent(value=value), first)
    unfinished = _engine_with("ecf_engine_unfinished_pow", __pow__=_unfinished_pow)
    with pytest.raises(StudentFault):  # an unfinished op is no excuse
        a3.check_backward(FaultingStudent(value=unfinished), first)


def _flipped_rmul(Value):
    def rmul(self, other):
        return self * (-other)
    return rmul


def test_an_op_tasks_graph_uses_another_tasks_op_only_where_the_students_is_right():
    value = _engine_with("ecf_engine_rmul", __rmul__=_flipped_rmul)
    spec = {"inputs": {"x": 0.9},
            "nodes": [{"id": "k", "op": "mul", "args": [{"const": 3.0}, "x"]},
                      {"id": "m", "op": "mul", "args": ["x", "x"]},
                      {"id": "a", "op": "add", "args": ["m", "k"]},
                      {"id": "out", "op": "log", "args": ["a"]}],
            "output": "out"}
    student = FaultingStudent(value=value)
    own = a3.own_task_graph(student, spec, "3.3")
    assert own["inputs"] == {"x": 0.9, "k": 2.7}  # 3 * x is wrong: the grader's value
    assert [n["id"] for n in own["nodes"]] == ["m", "a", "out"]
    a3.check_ops_in_graph(student, spec, "3.3", "Value.log")  # log judged, and right
    assert a3.own_task_graph(FaultingStudent(), spec, "3.3") == spec


def test_replay_that_reaches_nan_with_the_students_own_blocks_agrees_with_their_nan():
    X, y = _data()

    def blows_up(params, grads, velocity, lr, momentum=0.0):  # the student's own wrong step
        new = {k: v * np.nan for k, v in params.items()}
        return new, dict(new)

    def train(*args, **kwargs):
        original = MLP.sgd_momentum_step
        MLP.sgd_momentum_step = blows_up
        try:
            return MLP.train_mlp(*args, **kwargs)
        finally:
            MLP.sgd_momentum_step = original

    student = FakeStudent(train_mlp=train, sgd_momentum_step=blows_up)
    got = student.call("train_mlp", X, y, [3, 4, 3], 3, **SETTINGS)
    assert np.isnan(got["losses"][-1]) and np.isnan(got["params"]["W1"]).all()
    hidden_a4.check_replay(student, got, X, y, [3, 4, 3], 3, SETTINGS, "")  # nan = nan
    got["losses"][-1] = 1.0
    with pytest.raises(CheckFailure, match="expected nan, got 1"):
        hidden_a4.check_replay(student, got, X, y, [3, 4, 3], 3, SETTINGS, "")
