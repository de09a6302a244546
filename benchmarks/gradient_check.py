"""The kit's whole-network gradient check against a full per-coordinate check, on A4's MLP.

Kit: DIRECTIONS random directional derivatives of the loss plus SAMPLED_COORDINATES sampled
coordinates per parameter array (the method of autograder/checks/a4.py `network_gradient`,
whose body is inline there, so it is re-stated below as a function over
(loss_fn, params, grads) with the same constants and comparison). Full: a central difference
for every coordinate (CS231n's eval_numerical_gradient: 2·P forward passes).
Both use the reference's forward pass as the grader-side loss, the same step h and the same
tolerance (compare.assert_gradient_close via checks.a4.assert_matches_difference).

Run: python benchmarks/gradient_check.py [--sizes 1000 10000 100000] [--activation relu]
"""

from __future__ import annotations

import argparse
import statistics
import time

import _common  # noqa: F401  (puts the repo on sys.path)
import numpy as np

from autograder import reference
from autograder.checks.a4 import (
    DIRECTIONS,
    H_KINKED,
    H_SMOOTH,
    SAMPLED_COORDINATES,
    assert_matches_difference,
)
from autograder.compare import CheckFailure
from autograder.data import load_digits

INPUTS, CLASSES = 64, 10
BATCH = 8
"""Digits per loss evaluation: 8 is the largest N the kit's own check draws (net_examples)."""
BUG_KINDS = ("sign flip", "zeroed", "x1.5")


def kit_check(loss_fn, params, grads, rng, h, lean: bool = False) -> str | None:
    """The kit's method: directional derivatives + sampled coordinates. Failure text or None.

    lean=True is a what-if, not the kit's code: random ±1 directions (cheaper to draw than
    normal ones) and sampled coordinates perturbed in place in one copy of the params
    (instead of two full array copies per coordinate). Same loss evaluations, same verdicts.
    """
    try:
        for _ in range(DIRECTIONS):
            d = {k: _direction(rng, v.shape, lean) for k, v in params.items()}
            up = loss_fn({k: v + h * d[k] for k, v in params.items()})
            down = loss_fn({k: v - h * d[k] for k, v in params.items()})
            analytic = sum(float(np.sum(grads[k] * d[k])) for k in params)
            assert_matches_difference(analytic, (up - down) / (2 * h), what="grads",
                                      parameter="direction")
        work = {k: v.copy() for k, v in params.items()} if lean else params
        for key, value in params.items():
            for _ in range(SAMPLED_COORDINATES):
                index = tuple(int(rng.integers(0, s)) for s in value.shape)
                if lean:
                    work[key][index] = value[index] + h
                    up = loss_fn(work)
                    work[key][index] = value[index] - h
                    down = loss_fn(work)
                    work[key][index] = value[index]
                else:
                    bump = np.zeros_like(value)
                    bump[index] = h
                    up = loss_fn({**params, key: value + bump})
                    down = loss_fn({**params, key: value - bump})
                assert_matches_difference(grads[key][index], (up - down) / (2 * h),
                                          what="grads", parameter=f"{key}{list(index)}")
    except CheckFailure as failure:
        return str(failure)
    return None


def _direction(rng, shape, signs: bool) -> np.ndarray:
    if signs:
        return np.where(rng.integers(0, 2, size=shape, dtype=np.int8), 1.0, -1.0)
    return rng.normal(size=shape)


def numerical_gradient_full(loss_fn, params, h) -> dict[str, np.ndarray]:
    """Central difference at every coordinate, perturbing in place (2·P loss evaluations)."""
    work = {k: v.copy() for k, v in params.items()}
    numeric = {}
    for key, value in work.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            old = value[index]
            value[index] = old + h
            plus = loss_fn(work)
            value[index] = old - h
            minus = loss_fn(work)
            value[index] = old
            grad[index] = (plus - minus) / (2 * h)
        numeric[key] = grad
    return numeric


def full_compare(grads, numeric) -> str | None:
    """Compare every coordinate with the kit's tolerance. Failure text or None."""
    try:
        for key in grads:
            assert_matches_difference(grads[key], numeric[key], what="grads", parameter=key)
    except CheckFailure as failure:
        return str(failure)
    return None


def planted_bugs(grads, rng) -> list[tuple[str, dict[str, np.ndarray]]]:
    """One wrong entry per buggy gradient: every parameter x every kind, at a random entry
    whose magnitude is at least 1e-3 of that parameter's largest (not a dead or zero pixel)."""
    bugs = []
    for key, g in grads.items():
        flat = np.abs(g).ravel()
        candidates = np.flatnonzero(flat >= 1e-3 * flat.max())
        for kind in BUG_KINDS:
            pos = int(rng.choice(candidates))
            index = np.unravel_index(pos, g.shape)
            wrong = g.copy()
            wrong[index] = {"sign flip": -1.0, "zeroed": 0.0, "x1.5": 1.5}[kind] * g[index]
            bugs.append((f"{key}{list(map(int, index))} {kind}", {**grads, key: wrong}))
    return bugs


def setup(width: int, activation: str, batch: int = BATCH, seed: int = 0):
    """Reference loss and its gradient for a [64, width, 10] net on a digits batch."""
    mlp = reference.load("mlp")
    X, y = load_digits("train")
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(y), size=batch, replace=False)
    X, y = X[rows], y[rows]
    params = mlp.init_mlp([INPUTS, width, CLASSES], seed)
    params = {k: v + (0.05 * rng.normal(size=v.shape) if k.startswith("b") else 0.0)
              for k, v in params.items()}  # nonzero biases: every gradient entry is exercised

    def loss_fn(p):
        return mlp.softmax_cross_entropy(mlp.mlp_forward(p, X, activation), y)[0]

    _, grads = mlp.mlp_loss_and_grads(params, X, y, activation)
    return loss_fn, params, grads


def width_for(p: int) -> int:
    """Hidden width H of [64, H, 10] with about p parameters (P = 75 H + 10)."""
    return max(1, round((p - CLASSES) / (INPUTS + 1 + CLASSES)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000, 30000, 100000],
                        help="approximate parameter counts")
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--batch", type=int, default=BATCH, help="digits per loss evaluation")
    parser.add_argument("--repeats", type=int, default=9, help="kit timing: median of this many")
    args = parser.parse_args(argv)
    h = H_KINKED if args.activation == "relu" else H_SMOOTH

    print(_common.machine_header())
    print(f"net [64, H, 10], batch {args.batch} digits, activation {args.activation}, h = {h:g};"
          f" kit: {DIRECTIONS} directions + {SAMPLED_COORDINATES} coordinates per parameter;"
          f" {len(BUG_KINDS) * 4} planted single-entry bugs per size\n")
    rows, notes = [], []
    first = {}
    for size in args.sizes:
        width = width_for(size)
        loss_fn, params, grads = setup(width, args.activation, args.batch)
        n_params = sum(v.size for v in params.values())
        loss_time = _common.median_time(lambda: loss_fn(params), 50)  # noqa: B023

        def kit(g, seed, lean=False):
            return kit_check(loss_fn, params, g, np.random.default_rng(seed), h, lean)  # noqa: B023

        times = {False: [], True: []}
        for _ in range(args.repeats):  # interleaved, so load changes hit both alike
            for lean in (False, True):
                started = time.perf_counter()
                kit(grads, 1, lean)
                times[lean].append(time.perf_counter() - started)
        kit_time, lean_time = (statistics.median(times[s]) for s in (False, True))

        started = time.perf_counter()
        numeric = numerical_gradient_full(loss_fn, params, h)
        full_clean = full_compare(grads, numeric)
        full_time = time.perf_counter() - started

        clean = {"kit": kit(grads, 1), "kit lean": kit(grads, 1, True), "full": full_clean}
        for name, failure in clean.items():
            if failure:
                notes.append(f"P={n_params} correct gradient flagged by {name}: {failure}")
        caught = {"kit": 0, "kit lean": 0, "full": 0}
        bugs = planted_bugs(grads, np.random.default_rng(2))
        for bug, wrong in bugs:
            verdicts = {"kit": kit(wrong, 3) is not None,
                        "kit lean": kit(wrong, 3, True) is not None,
                        "full": full_compare(wrong, numeric) is not None}
            for name, hit in verdicts.items():
                caught[name] += hit
                if not hit:
                    notes.append(f"P={n_params} {bug}: missed by {name}")
        first = first or {"kit": kit_time, "kit lean": lean_time}
        rows.append([
            f"{n_params}", f"{width}", f"{loss_time * 1e3:.3f}",
            f"{kit_time * 1e3:.2f}", f"{kit_time / first['kit']:.2f}",
            f"{lean_time * 1e3:.2f}", f"{lean_time / first['kit lean']:.2f}",
            f"{full_time:.2f}", f"{full_time / kit_time:.0f}",
            " | ".join(f"{caught[n]}/{len(bugs)}" for n in caught),
            " | ".join("FALSE ALARM" if clean[n] else "ok" for n in clean),
        ])
    _common.print_table(
        ["P", "H", "loss ms", "kit ms", "kit vs first", "lean ms", "lean vs first", "full s",
         "full/kit", "bugs caught kit | lean | full", "correct grad passes"], rows)
    n_loss = 2 * DIRECTIONS + 2 * SAMPLED_COORDINATES * 4
    print(f"\nloss ms: one grader-side loss evaluation (reference forward + cross-entropy)."
          f"\nkit: {n_loss} loss evaluations at every P (normal directions, as checks/a4.py);"
          f" lean: the same method with ±1 directions and in-place coordinates (a what-if);"
          f" full: 2·P loss evaluations."
          f"\nkit time last/first: {float(rows[-1][4]):.2f} (target <= 2).")
    for line in notes:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
