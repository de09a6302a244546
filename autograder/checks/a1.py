"""Visible checks of A1 (perceptron): hand-traced cases, lecture 000's bound, invariants.

Expected values are derived here: small cases traced by hand (comments show the trace),
properties that follow from the rule itself (a correct point leaves w alone, a mistake adds
y x), and the (R/gamma)^2 bound computed from its definition on planted-margin data.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.domains import given_as
from autograder.checks.framework import (
    Assignment,
    CarriedForward,
    Registry,
    StudentFault,
    Task,
    for_all,
)
from autograder.checks.strategies import hnp, st
from autograder.compare import (
    CheckFailure,
    assert_close,
    expect_array,
    expect_bool,
    expect_dict,
    expect_float,
    expect_int,
    expect_sequence,
    fmt_inputs,
)
from autograder.data import make_separable, make_xor

ASSIGNMENT = Assignment(
    id="a1",
    folder="a1_perceptron",
    module="perceptron",
    title="The perceptron learning rule",
    tasks=(
        Task("1.1", "add_bias: the always-1 input", 2, ("add_bias",)),
        Task("1.2", "predict: the threshold unit", 2, ("predict",)),
        Task("1.3", "perceptron_update: one step of the rule", 3, ("perceptron_update",)),
        Task("1.4", "train_perceptron: the learning algorithm", 5, ("train_perceptron",)),
        Task("1.5", "mistake_bound: (R/gamma)^2", 3, ("mistake_bound",)),
    ),
)
CHECKS = Registry()

RESULT_KEYS = ("weights", "updates", "mistakes_per_epoch", "converged")
BOUNDARY_HINT = "a point with w . x = 0 is a mistake: test y * (w @ x) <= 0, not < 0."

# Small integer entries make w . x = 0 (the boundary case) common and every sum exact.
small_ints = st.integers(-3, 3).map(float)


def matrices(max_rows: int = 6, max_cols: int = 4):
    return hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=max(max_rows, max_cols)),
        elements=st.floats(-10, 10),
    )


@st.composite
def weights_and_points(draw):
    """(w (k,), Xb (n, k)) with small integer entries; Xb in a form its domain allows."""
    k = draw(st.integers(1, 4))
    n = draw(st.integers(1, 6))
    w = draw(hnp.arrays(np.float64, (k,), elements=small_ints))
    Xb = draw(hnp.arrays(np.float64, (n, k), elements=small_ints))
    return w, draw(given_as("predict", "Xb", Xb))


@st.composite
def update_cases(draw):
    """(w (k,), x (k,), y in +-1) with small integer entries; x and y in the forms their
    domains allow (an integer x, a Python int label)."""
    k = draw(st.integers(1, 4))
    w = draw(hnp.arrays(np.float64, (k,), elements=small_ints))
    x = draw(hnp.arrays(np.float64, (k,), elements=small_ints))
    y = draw(st.sampled_from([1.0, -1.0]))
    return (w, draw(given_as("perceptron_update", "x", x)),
            draw(given_as("perceptron_update", "y", y)))


def train_result(student, Xb, y, **kwargs) -> dict:
    """Call train_perceptron (checking it does not mutate Xb or y) and validate the reply."""
    got = student.call_unmutated("train_perceptron", Xb, y, **kwargs)
    what = "train_perceptron(Xb, y)"
    got = expect_dict(got, RESULT_KEYS, what=what)
    expect_array(got["weights"], (Xb.shape[1],), what=f"{what}['weights']")
    expect_int(got["updates"], what=f"{what}['updates']")
    mistakes = expect_sequence(
        got["mistakes_per_epoch"], None, what=f"{what}['mistakes_per_epoch']"
    )
    for m in mistakes:
        expect_int(m, what=f"an entry of {what}['mistakes_per_epoch']")
    expect_bool(got["converged"], what=f"{what}['converged']")
    if sum(mistakes) != got["updates"]:
        raise CheckFailure(
            f"{what}: 'updates' is {got['updates']} but 'mistakes_per_epoch' sums to "
            f"{sum(mistakes)}; every mistake is one update."
        )
    carry_forward_update(student, got, Xb, y, kwargs.get("max_epochs", DEFAULT_MAX_EPOCHS))
    return got


DEFAULT_MAX_EPOCHS = 100  # train_perceptron's documented default
REPLAY_CALL_LIMIT = 1500
"""Most distinct perceptron_update calls one error-carried-forward replay makes (each
~0.2 ms, so 0.3 s): the hand and hypothesis cases need a few hundred; a long run on the
60-point data is compared on its first epochs only (REPLAY_MIN_EPOCHS)."""


REPLAY_MIN_EPOCHS = 10
"""A replay cut short by REPLAY_CALL_LIMIT still carries the error forward when at least
this many whole epochs agree mistake for mistake (none of them clean)."""


def perceptron_trace(Xb, y, max_epochs, update=None, count="rule") -> dict | None:
    """The documented training loop, run here: from w = 0, the points in order, each epoch
    until one has no mistake or max_epochs have run.

    ``update(w, x, y)`` is the step (default: the rule, w + y x on a mistake); a mistake is
    counted by the rule, y (w . x) <= 0 (``count="rule"``), or as a step that changed w
    (``count="changed"``): a loop that calls perceptron_update on every point may count
    either way. When ``update`` gives up (returns None) the result holds the epochs
    completed so far and ``"partial": True``."""
    w = np.zeros(Xb.shape[1])
    per_epoch: list[int] = []
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            mistake = bool(y_i * (w @ x_i) <= 0)
            new = (w + y_i * x_i if mistake else w) if update is None else update(w, x_i, y_i)
            if new is None:
                return {"partial": True, "mistakes_per_epoch": per_epoch}
            mistakes += mistake if count == "rule" else not np.array_equal(new, w)
            w = new
        per_epoch.append(int(mistakes))
        if mistakes == 0:
            break
    return {"weights": w, "updates": sum(per_epoch), "mistakes_per_epoch": per_epoch,
            "converged": per_epoch[-1] == 0}


def same_training(got, expected) -> bool:
    return all(got[key] == expected[key] for key in ("mistakes_per_epoch", "converged",
                                                     "updates")) and bool(
        np.allclose(got["weights"], expected["weights"], rtol=1e-9, atol=1e-9))


def carry_forward_update(student, got, Xb, y, max_epochs) -> None:
    """Raise CarriedForward when a wrong training result is exactly the documented loop run
    with the student's own perceptron_update (task 1.3, which lost its points for it).

    Right answers return at once; so does a result that no replay explains (then the
    check's own comparison says what is wrong)."""
    if not isinstance(max_epochs, int) or max_epochs < 1:
        return
    if same_training(got, perceptron_trace(Xb, y, max_epochs)):
        return
    seen: dict = {}

    def their_update(w, x, label):
        key = (w.tobytes(), x.tobytes(), float(label))
        if key not in seen:
            if len(seen) >= REPLAY_CALL_LIMIT:
                return None
            try:
                new = student.call("perceptron_update", w, x, label)
            except StudentFault as fault:
                if fault.fatal:
                    raise
                new = None
            ok = isinstance(new, np.ndarray) and new.shape == w.shape and new.dtype.kind == "f"
            seen[key] = new if ok and np.all(np.isfinite(new)) else None
        return seen[key]

    for count in ("rule", "changed"):
        replay = perceptron_trace(Xb, y, max_epochs, their_update, count)
        if replay.get("partial"):  # too long to replay whole: its first epochs must agree
            done = replay["mistakes_per_epoch"]
            if (len(done) < REPLAY_MIN_EPOCHS or 0 in done
                    or got["mistakes_per_epoch"][: len(done)] != done):
                continue
        elif not same_training(got, replay):
            continue
        raise CarriedForward(
            "train_perceptron gives what the training loop gives with your"
            " perceptron_update (task 1.3): its points are lost there, not here."
        )


def with_bias(X: np.ndarray) -> np.ndarray:
    return np.hstack([X, np.ones((X.shape[0], 1))])


# ---------------------------------------------------------------- 1.1 add_bias


@CHECKS.check(task="1.1", function="add_bias", name="appends a column of ones, last")
@for_all(matrices(), calls=lambda X: [("add_bias", (X,))])
def add_bias_appends_ones(student, X):
    got = student.call_unmutated("add_bias", X)
    got = expect_array(got, (X.shape[0], X.shape[1] + 1), what="add_bias(X)")
    expected = np.hstack([X, np.ones((X.shape[0], 1))])
    assert_close(got, expected, what="add_bias(X)", inputs=fmt_inputs(X=X))


# ---------------------------------------------------------------- 1.2 predict


@CHECKS.check(task="1.2", function="predict", name="w.x = 0 is predicted as -1")
def predict_boundary(student):
    w = np.array([1.0, -1.0, 0.0])
    Xb = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 1.0]])  # w.x = 1, -1, 0
    got = expect_array(student.call_unmutated("predict", w, Xb), (3,), what="predict(w, Xb)")
    assert_close(
        got, [1.0, -1.0, -1.0], what="predict(w, Xb)", inputs=fmt_inputs(w=w, Xb=Xb),
        hint="+1 only where w . x > 0; w . x = 0 gives -1",
    )  # fmt: skip


@CHECKS.check(task="1.2", function="predict", name="+1 exactly where w.x > 0, else -1")
@for_all(weights_and_points(), calls=lambda case: [("predict", case)])
def predict_is_threshold(student, case):
    w, Xb = case
    got = expect_array(student.call("predict", w, Xb), (Xb.shape[0],), what="predict(w, Xb)")
    expected = np.where(Xb @ w > 0, 1.0, -1.0)
    assert_close(got, expected, what="predict(w, Xb)", inputs=fmt_inputs(w=w, Xb=Xb))


# ---------------------------------------------------------------- 1.3 perceptron_update


@CHECKS.check(task="1.3", function="perceptron_update", name="lecture rule on hand cases")
def update_hand_cases(student):
    cases = [  # (w, x, y, expected, why)
        ([0.0, 0.0, 0.0], [1.0, 2.0, 1.0], 1.0, [1.0, 2.0, 1.0], "w = 0: w.x = 0 is a mistake"),
        ([1.0, 0.0, 0.0], [1.0, 2.0, 1.0], 1.0, [1.0, 0.0, 0.0], "y w.x = 1 > 0: no update"),
        ([1.0, 0.0, 0.0], [1.0, 2.0, 1.0], -1.0, [0.0, -2.0, -1.0], "y w.x = -1: W = W - X"),
        ([1.0, -1.0, 0.0], [1.0, 1.0, 1.0], -1.0, [0.0, -2.0, -1.0], "w.x = 0: a mistake"),
    ]
    for w, x, y, expected, why in cases:
        w, x = np.array(w), np.array(x)
        got = student.call_unmutated("perceptron_update", w, x, y)
        got = expect_array(got, (3,), what="perceptron_update(w, x, y)")
        assert_close(
            got, expected, what="perceptron_update(w, x, y)",
            inputs=fmt_inputs(w=w, x=x, y=y),
            hint=why + (f"; {BOUNDARY_HINT}" if "w.x = 0" in why else ""),
        )  # fmt: skip


@CHECKS.check(task="1.3", function="perceptron_update", name="w + y x on a mistake, else w")
@for_all(update_cases(), calls=lambda case: [("perceptron_update", case)])
def update_property(student, case):
    w, x, y = case
    got = student.call_unmutated("perceptron_update", w, x, y)
    got = expect_array(got, w.shape, what="perceptron_update(w, x, y)")
    mistake = y * (w @ x) <= 0
    expected = w + y * x if mistake else w
    hint = BOUNDARY_HINT if mistake else "a correctly classified point must leave w unchanged"
    assert_close(
        got, expected, what="perceptron_update(w, x, y)",
        inputs=fmt_inputs(w=w, x=x, y=y), hint=hint,
    )  # fmt: skip


# ---------------------------------------------------------------- 1.4 train_perceptron


@CHECKS.check(task="1.4", function="train_perceptron", name="hand-traced run from w = 0")
def train_hand_trace(student):
    # Rows (1, 1) and (-1, 1), labels +1, -1. From w = 0: point 1 has w.x = 0 -> update to
    # (1, 1); point 2 has w.x = 0 -> update to (2, 0). Epoch 2 makes no mistake: stop.
    Xb = np.array([[1.0, 1.0], [-1.0, 1.0]])
    y = np.array([1.0, -1.0])
    got = train_result(student, Xb, y)
    what, inputs = "train_perceptron(Xb, y)", fmt_inputs(Xb=Xb, y=y)
    assert_close(
        got["weights"], [2.0, 0.0], what=f"{what}['weights']", inputs=inputs, hint=BOUNDARY_HINT
    )
    if got["mistakes_per_epoch"] != [2, 0] or got["converged"] is not True:
        raise CheckFailure(
            f"{what} is wrong.\n  input: {inputs}\n  expected mistakes_per_epoch [2, 0] and "
            f"converged True, got {got['mistakes_per_epoch']} and {got['converged']}\n"
            "  hint: start at w = 0, count w . x = 0 as a mistake, and include the final "
            "clean epoch (0 mistakes) in mistakes_per_epoch."
        )


@CHECKS.check(task="1.4", function="train_perceptron", name="converges within (R/gamma)^2")
def train_within_bound(student):
    for seed in range(3):
        X, y, w_star = make_separable(n=60, d=3, margin=0.1, seed=seed)
        Xb = with_bias(X)
        R = np.linalg.norm(Xb, axis=1).max()
        gamma = (y * (Xb @ w_star)).min() / np.linalg.norm(w_star)
        bound = (R / gamma) ** 2
        got = train_result(student, Xb, y, max_epochs=1000)
        what = f"train_perceptron on separable data (make_separable(n=60, d=3, seed={seed}))"
        mistakes = got["mistakes_per_epoch"]
        if not got["converged"]:
            raise CheckFailure(
                f"{what} did not converge (converged = False, last epochs {mistakes[-3:]});"
                " the lecture guarantees convergence on separable data."
            )
        if not mistakes or mistakes[-1] != 0:
            raise CheckFailure(
                f"{what} reported converged = True, but mistakes_per_epoch ends with"
                f" {mistakes[-3:]}: a converged run ends with its clean epoch, 0 mistakes."
            )
        if any(m == 0 for m in mistakes[:-1]):
            raise CheckFailure(f"{what}: it kept training after a clean epoch: {mistakes}")
        if got["updates"] > bound:
            raise CheckFailure(
                f"{what} made {got['updates']} updates, more than the bound (R/gamma)^2 = "
                f"{bound:.1f}; update only on mistakes and start from w = 0."
            )
        margins = y * (Xb @ got["weights"])
        if np.any(margins <= 0):
            raise CheckFailure(
                f"{what} reported convergence, but its weights misclassify point "
                f"{int(np.argmin(margins))}."
            )


@CHECKS.check(task="1.4", function="train_perceptron", name="reports non-convergence on XOR")
def train_xor(student):
    X, labels = make_xor(n=40, noise=0.1, seed=0)
    got = train_result(student, with_bias(X), 2.0 * labels - 1.0, max_epochs=15)
    what = "train_perceptron on XOR (make_xor(n=40), max_epochs=15)"
    mistakes = got["mistakes_per_epoch"]
    if got["converged"] is not False or len(mistakes) != 15 or min(mistakes, default=0) == 0:
        raise CheckFailure(
            f"{what}: expected converged False after exactly 15 epochs, each with mistakes; "
            f"got converged {got['converged']} and mistakes_per_epoch {mistakes}."
        )


@CHECKS.check(task="1.4", function="train_perceptron", name="stops after max_epochs")
def train_max_epochs(student):
    Xb = np.array([[1.0, 1.0], [-1.0, 1.0]])
    got = train_result(student, Xb, np.array([1.0, -1.0]), max_epochs=1)
    if got["mistakes_per_epoch"] != [2] or got["converged"] is not False:
        raise CheckFailure(
            "train_perceptron(Xb, y, max_epochs=1) should run one epoch (2 mistakes) and "
            f"report converged False; got {got['mistakes_per_epoch']} and {got['converged']}."
            f"\n  input: {fmt_inputs(Xb=Xb, y=np.array([1.0, -1.0]))}"
        )


# ---------------------------------------------------------------- 1.5 mistake_bound


@CHECKS.check(task="1.5", function="mistake_bound", name="hand example: R = 5, gamma = 1")
def bound_hand_example(student):
    # Points (3, 4), (0, -1): R = 5. w* = (0, 2): margins 8/2 = 4 and 2/2 = 1, so gamma = 1.
    Xb = np.array([[3.0, 4.0], [0.0, -1.0]])
    y = np.array([1.0, -1.0])
    for w_star in (np.array([0.0, 2.0]), np.array([0.0, 0.5])):
        got = expect_float(
            student.call_unmutated("mistake_bound", Xb, y, w_star), what="mistake_bound"
        )
        assert_close(
            got, 25.0, what="mistake_bound(Xb, y, w_star)",
            inputs=fmt_inputs(Xb=Xb, y=y, w_star=w_star),
            hint="gamma = min y_i w*.x_i / ||w*|| (divide by the norm of w*); R = max ||x_i||",
        )  # fmt: skip


@CHECKS.check(task="1.5", function="mistake_bound", name="(R/gamma)^2 on planted-margin data")
def bound_on_separable_data(student):
    for seed, d in ((0, 2), (1, 5)):
        X, y, w_star = make_separable(n=30, d=d, margin=0.2, seed=seed)
        Xb = with_bias(X)
        R = np.linalg.norm(Xb, axis=1).max()
        gamma = (y * (Xb @ w_star)).min() / np.linalg.norm(w_star)
        got = expect_float(student.call("mistake_bound", Xb, y, w_star), what="mistake_bound")
        assert_close(
            got, (R / gamma) ** 2, what="mistake_bound(Xb, y, w_star)",
            inputs=f"make_separable(n=30, d={d}, margin=0.2, seed={seed}) with the bias column",
        )  # fmt: skip


@CHECKS.check(task="1.5", function="mistake_bound", name="raises ValueError when no bound exists")
def bound_raises_without_separation(student):
    # Docstring, "Raises: ValueError if w_star is zero or does not separate the data
    # (gamma <= 0)". Points (3, 4, 1) labelled +1 and (0, -1, 1) labelled -1 (bias last).
    Xb = np.array([[3.0, 4.0, 1.0], [0.0, -1.0, 1.0]])
    y = np.array([1.0, -1.0])
    cases = [
        (np.array([0.0, -1.0, 0.0]), "w* = (0, -1, 0) has both margins negative"),
        (np.array([1.0, 0.0, 0.0]), "w* = (1, 0, 0) puts point 2 ON the plane: gamma = 0"),
        (np.zeros(3), "w* = 0"),
    ]
    for w_star, why in cases:
        try:
            student.call_raises("ValueError", "mistake_bound", Xb, y, w_star)
        except CheckFailure as failure:
            raise CheckFailure(f"{failure}\n  input: {fmt_inputs(Xb=Xb, y=y, w_star=w_star)}"
                               f" ({why})") from None


@CHECKS.check(task="1.5", function="mistake_bound", name="one point (N = 1)")
def bound_one_point(student):
    # One point x = (3, 4) with the bias: R = ||(3, 4, 1)|| = sqrt(26); w* = (0, 1, 0):
    # gamma = 4 / 1 = 4, so the bound is 26 / 16 = 1.625.
    Xb, y, w_star = np.array([[3.0, 4.0, 1.0]]), np.array([1.0]), np.array([0.0, 1.0, 0.0])
    got = expect_float(student.call("mistake_bound", Xb, y, w_star), what="mistake_bound")
    assert_close(got, 26.0 / 16.0, what="mistake_bound(Xb, y, w_star)",
                 inputs=fmt_inputs(Xb=Xb, y=y, w_star=w_star))
