"""Misconceptions of A1 (the perceptron), each a small variant of the reference."""

from __future__ import annotations

import numpy as np

from autograder.staff.misconceptions.base import Misconception

RULE = "lecture 000, 'Perceptron Learning Algorithm'"
SUMMARY = "lecture 000, 'Perceptron Algorithm: Summary'"
BOUND = "lecture 000, 'Convergence of Perceptron Algorithm'"
BIAS = "lecture 001, 'Linear Predictor - Explicit Bias'"


def _is_mistake(rule: str, margin: float) -> bool:
    return margin < 0 if rule == "strict" else margin <= 0


def _update(w, x, y, rule: str = "", step: float = 1.0):
    """The update with one thing changed: the mistake test (rule), or the step (-1: w - y x)."""
    w = np.array(w, dtype=float)
    if rule == "always" or _is_mistake(rule, y * (w @ x)):
        return w + step * y * np.asarray(x, dtype=float)
    return w


def _train(Xb, y, max_epochs=100, rule: str = "", step: float = 1.0, clean_epoch=True,
           start: float = 0.0):
    """The reference algorithm with one thing changed (the rule, the step, the record, the
    starting w). rule "always": mistakes are counted as usual, but w is updated on every point."""
    w = np.full(Xb.shape[1], start)
    mistakes_per_epoch, updates, converged = [], 0, False
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            mistake = _is_mistake(rule, y_i * (w @ x_i))
            mistakes += mistake
            if mistake or rule == "always":
                w = w + step * y_i * x_i
        if mistakes == 0:
            converged = True
            if clean_epoch:
                mistakes_per_epoch.append(0)
            break
        mistakes_per_epoch.append(mistakes)
        updates += mistakes
    return {"weights": w, "updates": updates, "mistakes_per_epoch": mistakes_per_epoch,
            "converged": converged}


STRICT = ("treats a point with y (w . x) = 0 as correctly classified (a strict < where the"
          " rule needs <=), so a zero-initialised perceptron never starts learning")
ALWAYS = "updates w on every point, also on correctly classified ones"
HALF = ("steps by 0.5 y x: the perceptron rule has no learning rate, a mistake adds"
        " exactly y x")

CATALOGUE = [
    Misconception("add_bias_first", "add_bias",
                  "puts the column of ones first; the kit's convention is the LAST column",
                  BIAS, lambda X: np.hstack([np.ones((X.shape[0], 1)), X])),
    Misconception("predict_boundary_positive", "predict",
                  "predicts +1 where w . x = 0; a point on the boundary is predicted -1",
                  RULE, lambda w, Xb: np.where(Xb @ w >= 0, 1.0, -1.0)),
    Misconception("predict_sign_zero", "predict",
                  "returns 0 where w . x = 0 (the sign function's value at 0); the threshold"
                  " unit outputs only +1 or -1, and -1 on the boundary",
                  RULE, lambda w, Xb: np.sign(Xb @ w)),
    Misconception("update_strict", "perceptron_update", STRICT, RULE,
                  lambda w, x, y: _update(w, x, y, rule="strict")),
    Misconception("update_always", "perceptron_update", ALWAYS, SUMMARY,
                  lambda w, x, y: _update(w, x, y, rule="always")),
    Misconception("update_half_step", "perceptron_update", HALF, RULE,
                  lambda w, x, y: _update(w, x, y, step=0.5)),
    Misconception("update_sign_flipped", "perceptron_update",
                  "subtracts y x on a mistake; the rule adds it (W = W + Y_i X_i), which moves"
                  " w . x towards the sign of y", RULE,
                  lambda w, x, y: _update(w, x, y, step=-1.0)),
    Misconception("train_starts_at_ones", "train_perceptron",
                  "starts from w = 1; the algorithm (and the (R/gamma)^2 bound) start from"
                  " W = 0", BOUND,
                  lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, start=1.0)),
    Misconception("train_strict", "train_perceptron", STRICT, RULE,
                  lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, rule="strict")),
    Misconception("train_always", "train_perceptron", ALWAYS, SUMMARY,
                  lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, rule="always")),
    Misconception("train_half_step", "train_perceptron", HALF, RULE,
                  lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs, step=0.5)),
    Misconception("train_no_clean_epoch", "train_perceptron",
                  "leaves the final clean epoch (0 mistakes) out of mistakes_per_epoch; the"
                  " docstring counts it: the algorithm stops after an epoch without errors",
                  RULE, lambda Xb, y, max_epochs=100: _train(Xb, y, max_epochs,
                                                             clean_epoch=False)),
    Misconception("bound_gamma_not_normalised", "mistake_bound",
                  "uses min y w*.x as gamma without dividing by ||w*||: gamma is a distance"
                  " to the boundary, so it must not change when w* is scaled", BOUND,
                  lambda Xb, y, w_star: float(
                      (np.linalg.norm(Xb, axis=1).max() / (y * (Xb @ w_star)).min()) ** 2)),
    Misconception("bound_not_squared", "mistake_bound",
                  "returns R / gamma; the bound on the number of mistakes is its square",
                  BOUND, lambda Xb, y, w_star: float(np.linalg.norm(Xb, axis=1).max() / (
                      (y * (Xb @ w_star)).min() / np.linalg.norm(w_star)))),
]
