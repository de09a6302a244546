"""The A3 reference (scalar autograd engine) against the lectures' worked examples,
hand-derived chain rules and central differences computed with `math` on plain floats."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.staff.reference import load

eng = load("engine")
Value = eng.Value

# Central differences with h = 1e-6 on O(1) smooth functions: truncation ~h^2 = 1e-12,
# rounding ~eps/h = 1e-10; 1e-6 relative leaves room for curvature up to ~1e3.
H = 1e-6
GRAD_RTOL = 1e-6
# Exact arithmetic on both sides (same float formulas): only rounding differs.
EXACT_RTOL = 1e-12
# The lectures print 3-4 significant digits; compare to half a unit of the last one.
PRINTED_3DP = 5e-4
PRINTED_4DP = 5e-5
DETERMINISTIC = settings(derandomize=True, max_examples=60, deadline=None)

moderate = st.floats(-3.0, 3.0)


def central(f, x: float) -> float:
    """(f(x+h) - f(x-h)) / 2h on plain floats: the independent oracle."""
    return (f(x + H) - f(x - H)) / (2 * H)


def sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ------------------------------------------------------------------ lecture 000 examples

def test_lecture000_add_mul_graph():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    # By hand: q = x + y = 3, f = q z = -12; df/dx = df/dy = z = -4, df/dz = q = 3.
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_lecture000_sigmoid_neuron():
    w0, w1, w2 = Value(2.0), Value(-3.0), Value(-3.0)
    x0, x1 = Value(-1.0), Value(-2.0)
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    # Lecture's printed numbers (CS231n slide): f = 0.73, dx = (0.39, -0.59),
    # dw = (-0.20, -0.39, 0.20); at the third decimal: 0.731, (0.393, -0.590), ...
    assert f.data == pytest.approx(0.731, abs=PRINTED_3DP)
    assert (x0.grad, x1.grad) == pytest.approx((0.393, -0.590), abs=PRINTED_3DP)
    assert (w0.grad, w1.grad, w2.grad) == pytest.approx((-0.197, -0.393, 0.197), abs=PRINTED_3DP)
    # Exactly: the neuron's input is 1, so df/dinput = s(1)(1 - s(1)) and df/dw_i = x_i * that.
    ds = sig(1.0) * (1 - sig(1.0))
    assert (x0.grad, x1.grad) == pytest.approx((2 * ds, -3 * ds), rel=EXACT_RTOL)
    assert (w0.grad, w1.grad, w2.grad) == pytest.approx((-ds, -2 * ds, ds), rel=EXACT_RTOL)


def test_sigmoid_method_matches_the_composed_neuron():
    w0, w1, w2 = Value(2.0), Value(-3.0), Value(-3.0)
    x0, x1 = Value(-1.0), Value(-2.0)
    f = (w0 * x0 + w1 * x1 + w2).sigmoid()
    f.backward()
    ds = sig(1.0) * (1 - sig(1.0))
    assert f.data == pytest.approx(sig(1.0), rel=EXACT_RTOL)
    assert (w0.grad, x1.grad) == pytest.approx((-ds, -3 * ds), rel=EXACT_RTOL)


# ------------------------------------------------------------------ lecture 004 chain

def chain(w):
    s0 = 2.0
    x1 = w[0] * s0
    s1 = x1.sigmoid()
    x2 = w[1] * s1
    s2 = x2.sigmoid()
    return x1, s1, x2, s2, w[2] * s2


def test_lecture004_forward_numbers():
    w = [Value(2.0), Value(1.0), Value(0.5)]
    x1, s1, x2, s2, out = chain(w)
    assert x1.data == 4.0
    assert s1.data == pytest.approx(0.982, abs=PRINTED_3DP)
    assert x2.data == pytest.approx(0.982, abs=PRINTED_3DP)
    assert s2.data == pytest.approx(0.7275, abs=PRINTED_4DP)
    assert out.data == pytest.approx(0.3638, abs=PRINTED_4DP)


def lecture004_gradients(w0: float, w1: float, w2: float, target: float = 0.7):
    """Lecture 004's hand-derived dC/dw for C = 1/2 (target - out)^2, on plain floats."""
    s0 = 2.0
    s1 = sig(w0 * s0)
    s2 = sig(w1 * s1)
    out = w2 * s2
    e = out - target
    return (
        e * w2 * s2 * (1 - s2) * w1 * s1 * (1 - s1) * s0,
        e * w2 * s2 * (1 - s2) * s1,
        e * s2,
    )


def test_lecture004_cost_gradients_match_the_hand_derivation():
    w = [Value(2.0), Value(1.0), Value(0.5)]
    out = chain(w)[-1]
    cost = 0.5 * (0.7 - out) ** 2
    cost.backward()
    assert [v.grad for v in w] == pytest.approx(lecture004_gradients(2.0, 1.0, 0.5), rel=1e-12)
    # dC/dout = out - target < 0: out is below the target, so every weight should grow.
    assert all(v.grad < 0 for v in w)


def test_lecture004_gradient_descent_moves_out_towards_target():
    # The lecture gives no learning rate; alpha = 1 is the kit's choice for the notebook.
    alpha = 1.0
    ws = [2.0, 1.0, 0.5]
    outs = []
    for _ in range(50):
        w = [Value(v) for v in ws]
        out = chain(w)[-1]
        (0.5 * (0.7 - out) ** 2).backward()
        expected = [v - alpha * g for v, g in zip(ws, lecture004_gradients(*ws), strict=True)]
        ws = [v.data - alpha * v.grad for v in w]
        assert ws == pytest.approx(expected, rel=1e-12)
        outs.append(out.data)
    assert outs[0] == pytest.approx(0.3638, abs=PRINTED_4DP)
    gaps = [abs(0.7 - o) for o in outs]
    assert all(a >= b for a, b in zip(gaps, gaps[1:], strict=False))
    # One step by the lecture's update formulas alone, on plain floats.
    w1 = [v - alpha * g for v, g in zip([2.0, 1.0, 0.5], lecture004_gradients(2.0, 1.0, 0.5),
                                         strict=True)]
    assert outs[1] == pytest.approx(w1[2] * sig(w1[1] * sig(2.0 * w1[0])), rel=1e-12)
    assert gaps[-1] < 1e-6


# ------------------------------------------------------------------ lecture 003 composition

PHI = {"b0": 0.3, "w0": 1.2, "b1": -0.4, "w1": 0.8, "b2": 0.1, "w2": -0.6, "b3": 0.5, "w3": 1.5}
X_I, Y_I = 0.7, 0.2


def toy_loss(p: dict, x: float, y: float):
    """Lecture 003: l = (b3 + w3 cos(b2 + w2 exp(b1 + w1 sin(b0 + w0 x))) - y)^2."""
    f0 = p["b0"] + p["w0"] * x
    f1 = p["b1"] + p["w1"] * f0.sin()
    f2 = p["b2"] + p["w2"] * f1.exp()
    f3 = p["b3"] + p["w3"] * f2.cos()
    return (f3 - y) ** 2


def toy_loss_float(p: dict, x: float, y: float) -> float:
    f3 = p["b3"] + p["w3"] * math.cos(
        p["b2"] + p["w2"] * math.exp(p["b1"] + p["w1"] * math.sin(p["b0"] + p["w0"] * x))
    )
    return (f3 - y) ** 2


def test_lecture003_composition_matches_the_closed_form():
    p = {k: Value(v) for k, v in PHI.items()}
    loss = toy_loss(p, X_I, Y_I)
    loss.backward()
    assert loss.data == pytest.approx(toy_loss_float(PHI, X_I, Y_I), rel=EXACT_RTOL)
    # The lecture's closed form of dl/dw0 (written with +2(...) as the chain rule gives it).
    b0, w0, b1, w1, b2, w2, b3, w3 = (PHI[k] for k in ("b0", "w0", "b1", "w1", "b2", "w2", "b3",
                                                        "w3"))
    f0 = b0 + w0 * X_I
    h2 = math.exp(b1 + w1 * math.sin(f0))
    f3 = b3 + w3 * math.cos(b2 + w2 * h2)
    dw0 = -2 * (f3 - Y_I) * w1 * w2 * w3 * X_I * math.cos(f0) * h2 * math.sin(b2 + w2 * h2)
    assert p["w0"].grad == pytest.approx(dw0, rel=1e-12)
    # Lecture: dl/db_k = dl/df_k, dl/dw_k = h_k dl/df_k; for k = 3, dl/df3 = 2 (f3 - y).
    assert p["b3"].grad == pytest.approx(2 * (f3 - Y_I), rel=1e-12)
    assert p["w3"].grad == pytest.approx(2 * (f3 - Y_I) * math.cos(b2 + w2 * h2), rel=1e-12)


def test_lecture003_composition_all_parameters_by_central_differences():
    p = {k: Value(v) for k, v in PHI.items()}
    toy_loss(p, X_I, Y_I).backward()
    for name in PHI:
        def along(t, name=name):
            return toy_loss_float({**PHI, name: t}, X_I, Y_I)

        assert p[name].grad == pytest.approx(central(along, PHI[name]), rel=GRAD_RTOL), name


# ------------------------------------------------------------------ each op alone

UNARY = {
    # name: (method call, float oracle, strategy avoiding kinks/domain edges)
    "exp": (lambda v: v.exp(), math.exp, moderate),
    "log": (lambda v: v.log(), math.log, st.floats(0.1, 10.0)),
    "sin": (lambda v: v.sin(), math.sin, moderate),
    "cos": (lambda v: v.cos(), math.cos, moderate),
    "tanh": (lambda v: v.tanh(), math.tanh, moderate),
    "sigmoid": (lambda v: v.sigmoid(), sig, moderate),
    "relu": (lambda v: v.relu(), lambda x: max(0.0, x), moderate.filter(lambda x: abs(x) > 1e-3)),
    "neg": (lambda v: -v, lambda x: -x, moderate),
    "pow3": (lambda v: v**3, lambda x: x**3, moderate),
    "pow-1.5": (lambda v: v**-1.5, lambda x: x**-1.5, st.floats(0.2, 5.0)),
    "rtruediv": (lambda v: 2.0 / v, lambda x: 2.0 / x, st.floats(0.2, 5.0)),
    "rsub": (lambda v: 1 - v, lambda x: 1 - x, moderate),
    "radd": (lambda v: 2 + v, lambda x: 2 + x, moderate),
    "rmul": (lambda v: 3 * v, lambda x: 3 * x, moderate),
}


@pytest.mark.parametrize("name", list(UNARY))
@DETERMINISTIC
@given(data=st.data())
def test_unary_op_forward_and_gradient(name, data):
    op, oracle, strategy = UNARY[name]
    x = data.draw(strategy, label="x")
    v = Value(x)
    out = op(v)
    assert out.data == pytest.approx(oracle(x), rel=EXACT_RTOL, abs=1e-300)
    out.backward()  # composed ops (neg, rsub, ...) are more than one node
    assert v.grad == pytest.approx(central(oracle, x), rel=GRAD_RTOL, abs=1e-9)


BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "truediv": (lambda a, b: a / b, lambda a, b: a / b),
}


@pytest.mark.parametrize("name", list(BINARY))
@DETERMINISTIC
@given(a=moderate, b=st.floats(0.2, 3.0))
def test_binary_op_gradients(name, a, b):
    op, oracle = BINARY[name]
    va, vb = Value(a), Value(b)
    out = op(va, vb)
    assert out.data == pytest.approx(oracle(a, b), rel=EXACT_RTOL, abs=1e-12)
    out.backward()
    assert va.grad == pytest.approx(central(lambda t: oracle(t, b), a), rel=GRAD_RTOL, abs=1e-9)
    assert vb.grad == pytest.approx(central(lambda t: oracle(a, t), b), rel=GRAD_RTOL, abs=1e-9)


def test_single_node_backward_protocol_of_the_grader():
    # The grader sets out.grad and calls out._backward() alone: mul must scale by out.grad.
    a, b = Value(3.0), Value(-2.0)
    out = a * b
    out.grad = 0.5
    out._backward()
    assert (a.grad, b.grad) == (-1.0, 1.5)


def test_plain_numbers_on_either_side():
    v = Value(4.0)
    assert (v + 1).data == (1 + v).data == 5.0
    assert (v * 2).data == (2 * v).data == 8.0
    assert (v - 1).data == 3.0 and (1 - v).data == -3.0
    assert (v / 2).data == 2.0 and (2 / v).data == 0.5
    assert (v**0.5).data == 2.0


def test_pow_rejects_a_value_exponent():
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)


def test_relu_derivative_at_zero_is_zero():
    v = Value(0.0)
    out = v.relu()
    out.backward()
    assert out.data == 0.0 and v.grad == 0.0


def test_sigmoid_is_stable_at_extremes():
    for x, expected in ((1000.0, 1.0), (-1000.0, 0.0)):
        v = Value(x)
        out = v.sigmoid()
        out.backward()
        assert out.data == expected and v.grad == 0.0


# ------------------------------------------------------------------ backward()

def test_fan_out_accumulates():
    a = Value(3.0)
    b = a * a + a  # db/da = 2a + 1 = 7
    b.backward()
    assert a.grad == 7.0
    c = Value(2.0)
    d = c + c  # the same node twice in one op
    d.backward()
    assert c.grad == 2.0


def test_backward_twice_gives_the_same_gradients():
    x, y = Value(1.5), Value(-0.5)
    z = (x * y).tanh() + x.exp() * y
    z.backward()
    first = (x.grad, y.grad)
    z.backward()
    assert (x.grad, y.grad) == first


def test_backward_from_a_shared_subgraph_resets_old_gradients():
    x = Value(2.0)
    h = x * 3
    f = h * h  # df/dx = 2 h * 3 = 36
    g = h + 1  # dg/dx = 3
    f.backward()
    assert x.grad == 36.0
    g.backward()
    assert x.grad == 3.0


def test_diamond_graph_visits_each_node_once():
    # x -> a, b -> c: a wrong topological order or revisiting doubles the gradient.
    x = Value(0.5)
    a, b = x.sin(), x.cos()
    c = a * b  # = sin(2x) / 2, dc/dx = cos(2x)
    c.backward()
    assert x.grad == pytest.approx(math.cos(1.0), rel=EXACT_RTOL)
