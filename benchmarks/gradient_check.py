"""The kit's whole-network gradient check against a full per-coordinate check, on A4's MLP.

Kit: DIRECTIONS random directional derivatives of the loss plus SAMPLED_COORDINATES sampled
coordinates per parameter array: autograder.gradcheck.directional_gradient_check, called
exactly as A4's `network_gradient` check calls it. Full: a central difference
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

from autograder.checks.a4 import H_KINKED, H_SMOOTH, assert_matches_difference
from autograder.compare import CheckFailure, central_difference
from autograder.data import load_digits
from autograder.gradcheck import DIRECTIONS, SAMPLED_COORDINATES, directional_gradient_check
from autograder.staff import reference

INPUTS, CLASSES = 64, 10
BATCH = 8
"""Digits per loss evaluation: 8 is the largest N the kit's own check draws (net_examples)."""
BUG_KINDS = ("sign flip", "zeroed", "x1.5")


def kit_check(loss_fn, params, grads, rng, h) -> str | None:
    """The kit's own check (autograder.gradcheck, as A4 calls it). Failure text or None."""
    try:
        directional_gradient_check(
            loss_fn, params, grads, rng, h,
            lambda got, numeric, parameter: assert_matches_difference(
                got, numeric, what="grads", parameter=parameter),
        )
    except CheckFailure as failure:
        return str(failure)
    return None


def numerical_gradient_full(loss_fn, params, h) -> dict[str, np.ndarray]:
    """Central difference at every coordinate (2·P loss evaluations), the kit's own helper."""
    return {
        key: central_difference(lambda t, key=key: loss_fn({**params, key: t}), value, h)
        for key, value in params.items()
    }


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

        def kit(g, seed):
            return kit_check(loss_fn, params, g, np.random.default_rng(seed), h)  # noqa: B023

        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            kit(grads, 1)
            times.append(time.perf_counter() - started)
        kit_time = statistics.median(times)

        started = time.perf_counter()
        numeric = numerical_gradient_full(loss_fn, params, h)
        full_clean = full_compare(grads, numeric)
        full_time = time.perf_counter() - started

        clean = {"kit": kit(grads, 1), "full": full_clean}
        for name, failure in clean.items():
            if failure:
                notes.append(f"P={n_params} correct gradient flagged by {name}: {failure}")
        caught = {"kit": 0, "full": 0}
        bugs = planted_bugs(grads, np.random.default_rng(2))
        for bug, wrong in bugs:
            verdicts = {"kit": kit(wrong, 3) is not None,
                        "full": full_compare(wrong, numeric) is not None}
            for name, hit in verdicts.items():
                caught[name] += hit
                if not hit:
                    notes.append(f"P={n_params} {bug}: missed by {name}")
        first = first or {"kit": kit_time, "loss": loss_time}
        rows.append([
            f"{n_params}", f"{width}", f"{loss_time * 1e3:.3f}",
            f"{loss_time / first['loss']:.2f}",
            f"{kit_time * 1e3:.2f}", f"{kit_time / first['kit']:.2f}",
            f"{full_time:.2f}", f"{full_time / kit_time:.0f}",
            " | ".join(f"{caught[n]}/{len(bugs)}" for n in caught),
            " | ".join("FALSE ALARM" if clean[n] else "ok" for n in clean),
        ])
    _common.print_table(
        ["P", "H", "loss ms", "loss vs first", "kit ms", "kit vs first", "full s",
         "full/kit", "bugs caught kit | full", "correct grad passes"], rows)
    n_loss = 2 * DIRECTIONS + 2 * SAMPLED_COORDINATES * 4
    print(f"\nloss ms: one grader-side loss evaluation (reference forward + cross-entropy)."
          f"\nkit: {n_loss} loss evaluations at every P; full: 2·P loss evaluations."
          f"\nkit time last/first: {float(rows[-1][5]):.2f} (target <= 2); one loss"
          f" evaluation last/first: {float(rows[-1][3]):.2f}.")
    for line in notes:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
