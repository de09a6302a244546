"""Misconceptions of A4 (the MLP), each a variant of the reference function."""

from __future__ import annotations

import numpy as np

from autograder.staff.misconceptions.base import Misconception, WithReference

ACTIVATIONS = "lecture 000, 'Activations and their derivatives'"
OTHER_ACTIVATIONS = "lecture 002, 'Other Activation Functions'"
GRADIENTS = "lecture 001, 'What are the gradients?'"
OBJECTIVES = "lecture 002, 'Objective Functions for NNs'"
BACKPROP = "lecture 002, 'Backpropagation'"
MOMENTUM = "lecture 003, 'Online Stochastic Gradient Descent'"


def _skip_activation(reference, params, X, labels, activation="relu"):
    """mlp_loss_and_grads without the activation's derivative between layers."""
    m = reference.load("mlp")
    act, _ = m.ACTIVATIONS[activation]
    n = len(params) // 2
    inputs = [X]
    for i in range(1, n):
        inputs.append(act(m.linear_forward(inputs[-1], params[f"W{i}"], params[f"b{i}"])))
    logits = m.linear_forward(inputs[-1], params[f"W{n}"], params[f"b{n}"])
    loss, dout = m.softmax_cross_entropy(logits, labels)
    grads = {}
    for i in range(n, 0, -1):
        dout, grads[f"W{i}"], grads[f"b{i}"] = m.linear_backward(
            dout, inputs[i - 1], params[f"W{i}"], params[f"b{i}"])
    return loss, grads


def _sce_sum(reference, logits, labels):
    loss, d = reference.load("mlp").softmax_cross_entropy(logits, labels)
    return loss * len(labels), d * len(labels)


def _mse(pred, target, kind):
    diff = pred - target
    if kind == "sum":
        return float(np.sum(diff * diff)), 2.0 * diff
    if kind == "no_square":
        return float(np.mean(diff)), np.full_like(diff, 1.0 / diff.size)
    return float(np.mean(diff * diff)), diff / diff.size  # the factor 2 missing


def _momentum(params, grads, velocity, lr, momentum=0.0, sign=-1.0, old_velocity=False):
    new_p, new_v = {}, {}
    for key, p in params.items():
        v = momentum * velocity.get(key, 0.0) + sign * lr * grads[key]
        new_v[key] = v
        new_p[key] = p + (velocity.get(key, 0.0) if old_velocity else v)
    return new_p, new_v


SUM = ("sums over the batch: the loss and its gradient are means over the N samples"
       " (the docstring's convention)")

CATALOGUE = [
    Misconception("db_missing", "linear_backward",
                  "returns db = 0: the bias gets the upstream gradient dout, summed over the"
                  " batch", GRADIENTS, lambda dout, x, W, b: (dout @ W.T, x.T @ dout,
                                                             np.zeros_like(b))),
    Misconception("db_wrong_axis", "linear_backward",
                  "sums db over the wrong axis (one entry per sample); b is shared by every"
                  " sample, so its gradient sums dout over the N rows, axis 0", GRADIENTS,
                  lambda dout, x, W, b: (dout @ W.T, x.T @ dout, dout.sum(axis=1))),
    Misconception("dW_transposed", "linear_backward",
                  "returns dW transposed, (M, D); dW has W's shape (D, M)", GRADIENTS,
                  lambda dout, x, W, b: (dout @ W.T, (x.T @ dout).T, dout.sum(axis=0))),
    Misconception("sigmoid_backward_s", "sigmoid_backward",
                  "multiplies dout by s(x) alone; the derivative is s(x) * (1 - s(x))",
                  ACTIVATIONS, WithReference(
                      lambda ref, dout, x: dout * ref.load("mlp").sigmoid_forward(x))),
    Misconception("sigmoid_backward_of_input", "sigmoid_backward",
                  "uses x * (1 - x), the formula applied to the input x instead of s(x)",
                  ACTIVATIONS, lambda dout, x: dout * x * (1 - x)),
    Misconception("tanh_backward_square_missing", "tanh_backward",
                  "multiplies dout by 1 - tanh(x): the square is missing, the derivative is"
                  " 1 - tanh(x)**2", ACTIVATIONS, lambda dout, x: dout * (1 - np.tanh(x))),
    Misconception("tanh_backward_of_input", "tanh_backward",
                  "uses 1 - x**2, the formula applied to the input x instead of tanh(x)",
                  ACTIVATIONS, lambda dout, x: dout * (1 - x * x)),
    Misconception("relu_backward_at_zero", "relu_backward",
                  "passes the gradient where x = 0 (x >= 0); the kit's convention is"
                  " relu'(0) = 0", ACTIVATIONS, lambda dout, x: np.where(x >= 0, dout, 0.0)),
    Misconception("leaky_relu_backward_at_zero", "leaky_relu_backward",
                  "uses slope 1 at x = 0; the slope is alpha for x <= 0", OTHER_ACTIVATIONS,
                  lambda dout, x, alpha=0.01: np.where(x >= 0, dout, alpha * dout)),
    Misconception("gelu_tanh_approximation", "gelu_forward",
                  "uses the tanh approximation of GELU; the kit asks for the exact form"
                  " x/2 (1 + erf(x / sqrt 2))", OTHER_ACTIVATIONS,
                  lambda x: 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi)
                                                     * (x + 0.044715 * x**3)))),
    Misconception("softmax_unstable", "softmax",
                  "exponentiates the logits without subtracting each row's maximum first:"
                  " exp(1000) overflows to inf and inf / inf is nan", OBJECTIVES,
                  lambda logits: np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)),
    Misconception("softmax_cross_entropy_sum", "softmax_cross_entropy", SUM, OBJECTIVES,
                  WithReference(_sce_sum)),
    Misconception("mse_sum", "mse_loss", SUM, OBJECTIVES,
                  lambda pred, target: _mse(pred, target, "sum")),
    Misconception("mse_no_square", "mse_loss",
                  "averages pred - target without squaring it: the loss is the MEAN SQUARED"
                  " error", OBJECTIVES, lambda pred, target: _mse(pred, target, "no_square")),
    Misconception("mse_gradient_factor", "mse_loss",
                  "returns dpred = (pred - target) / (N K): the derivative of a square"
                  " brings a factor 2", OBJECTIVES,
                  lambda pred, target: _mse(pred, target, "no_two")),
    Misconception("bce_sum", "binary_cross_entropy", SUM, OBJECTIVES,
                  WithReference(lambda ref, logits, y: tuple(
                      v * len(y) for v in ref.load("mlp").binary_cross_entropy(logits, y)))),
    Misconception("backprop_skips_activation", "mlp_loss_and_grads",
                  "does not multiply by the activation's derivative between layers (dout ="
                  " act_backward(dx, z) on each hidden layer's pre-activation z)", BACKPROP,
                  WithReference(_skip_activation)),
    Misconception("momentum_sign", "sgd_momentum_step",
                  "adds the gradient to the velocity (v = mu v + lr g), which climbs uphill;"
                  " the step goes against the gradient, v = mu v - lr g", MOMENTUM,
                  lambda p, g, v, lr, momentum=0.0: _momentum(p, g, v, lr, momentum, 1.0)),
    Misconception("momentum_old_velocity", "sgd_momentum_step",
                  "moves the parameters by the OLD velocity; first v = mu v - lr g, then"
                  " p = p + v with the new v", MOMENTUM,
                  lambda p, g, v, lr, momentum=0.0: _momentum(p, g, v, lr, momentum,
                                                             old_velocity=True)),
]
