"""A multi-layer perceptron in vectorised numpy: layers, activations, losses, training.

Batch-first: an input batch x has shape (N, D), one sample per row. Every layer is a pair
`*_forward(...)` / `*_backward(dout, ...)`: the backward takes the upstream gradient
`dout` = dL/d(output), of the output's shape, plus the forward's inputs, and returns
dL/d(each input), of each input's shape (lectures 001, 002: the vectorised backward pass).
Losses return `(loss, dL/d prediction)` and average over the batch. Nothing here mutates
its inputs. Arrays are float64; class labels are int arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# Exact erf, elementwise: math.erf is accurate to double precision (numpy has no erf and the
# kit does not depend on scipy). About 0.1 microseconds per element: fine for this course.
_erf = np.vectorize(math.erf, otypes=[np.float64])
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ===================================================================== Task 4.1: linear layer

def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine layer out = x @ W + b.

    Args:
        x: (N, D) inputs; W: (D, M) weights; b: (M,) biases.

    Returns:
        out: (N, M).
    """
    raise NotImplementedError("Task 4.1: implement linear_forward")


def linear_backward(
    dout: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the affine layer.

    Args:
        dout: (N, M) upstream gradient; x: (N, D), W: (D, M), b: (M,) the forward's inputs.

    Returns:
        dx: (N, D) = dout @ W.T; dW: (D, M) = x.T @ dout; db: (M,) = dout summed over N.
    """
    raise NotImplementedError("Task 4.1: implement linear_backward")


# ===================================================================== Task 4.2: activations
# Elementwise: x and y = f(x) have any shape (the same), dout and dx that shape too.

def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """s(x) = 1 / (1 + e^-x), without overflow for large |x|. Shape of x."""
    raise NotImplementedError("Task 4.2: implement sigmoid_forward")


def sigmoid_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout * s(x) * (1 - s(x)) (lecture 004). Shapes of x."""
    raise NotImplementedError("Task 4.2: implement sigmoid_backward")


def tanh_forward(x: np.ndarray) -> np.ndarray:
    """tanh(x). Shape of x."""
    raise NotImplementedError("Task 4.2: implement tanh_forward")


def tanh_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout * (1 - tanh(x)^2). Shapes of x."""
    raise NotImplementedError("Task 4.2: implement tanh_backward")


def relu_forward(x: np.ndarray) -> np.ndarray:
    """max(0, x). Shape of x."""
    raise NotImplementedError("Task 4.2: implement relu_forward")


def relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout where x > 0, else 0 (relu'(0) = 0). Shapes of x."""
    raise NotImplementedError("Task 4.2: implement relu_backward")


def leaky_relu_forward(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """x where x > 0, else alpha * x (lecture 002's max(z, γz) with γ = alpha). Shape of x."""
    raise NotImplementedError("Task 4.2: implement leaky_relu_forward")


def leaky_relu_backward(dout: np.ndarray, x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """dx = dout where x > 0, else alpha * dout (slope alpha at 0, like relu'(0) = 0)."""
    raise NotImplementedError("Task 4.2: implement leaky_relu_backward")


def softplus_forward(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """(1/beta) * log(1 + e^(beta x)), computed stably (no overflow). Shape of x."""
    raise NotImplementedError("Task 4.2: implement softplus_forward")


def softplus_backward(dout: np.ndarray, x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """dx = dout * s(beta x): softplus' is the sigmoid. Shapes of x."""
    raise NotImplementedError("Task 4.2: implement softplus_backward")


def gelu_forward(x: np.ndarray) -> np.ndarray:
    """Exact GELU (lecture 002): x/2 * (1 + erf(x / sqrt 2)) = x * Phi(x). Shape of x."""
    raise NotImplementedError("Task 4.2: implement gelu_forward")


def gelu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout * (Phi(x) + x * phi(x)), phi the standard normal density. Shapes of x."""
    raise NotImplementedError("Task 4.2: implement gelu_backward")


# Activation name -> (forward, backward); the MLP's hidden layers look theirs up here.
ACTIVATIONS: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]] = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "softplus": (softplus_forward, softplus_backward),
    "gelu": (gelu_forward, gelu_backward),
}


# ===================================================================== Task 4.3: softmax, losses

def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable: the row max is subtracted first (the result is unchanged).

    Args:
        logits: (N, C).

    Returns:
        probs: (N, C), each row positive and summing to 1.
    """
    raise NotImplementedError("Task 4.3: implement softmax")


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error, averaged over ALL N*K entries, without a factor 1/2.

    loss = (1 / (N K)) * sum_ij (pred_ij - target_ij)^2, so dpred = 2 (pred - target) / (N K).
    (Lecture 004 uses C = 1/2 (target - out)^2 for one output; that is half this loss.)

    Args:
        pred: (N, K) predictions; target: (N, K).

    Returns:
        loss: float; dpred: (N, K) = dloss/dpred.
    """
    raise NotImplementedError("Task 4.3: implement mse_loss")


def binary_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of sigmoid(logits) against y, from logits, mean over the batch.

    loss = mean_i [ -y_i log s(z_i) - (1 - y_i) log(1 - s(z_i)) ]
         = mean_i [ log(1 + e^z_i) - y_i z_i ]   (stable: log(1 + e^z) via logaddexp)
    dlogits = (s(z) - y) / N.

    Args:
        logits: (N,) real scores z; y: (N,) labels in {0, 1} (int or float).

    Returns:
        loss: float; dlogits: (N,).
    """
    raise NotImplementedError("Task 4.3: implement binary_cross_entropy")


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(logits) against integer labels, mean over the batch.

    loss = mean_i [ logsumexp(logits_i) - logits_i[labels_i] ], with the row max subtracted
    first so logits of +-1000 neither overflow nor give NaN.
    dlogits = (softmax(logits) - onehot(labels)) / N.

    Args:
        logits: (N, C); labels: (N,) ints in 0..C-1.

    Returns:
        loss: float; dlogits: (N, C).
    """
    raise NotImplementedError("Task 4.3: implement softmax_cross_entropy")


# ===================================================================== Task 4.4: the network

def init_mlp(layer_sizes: list[int], seed: int) -> dict[str, np.ndarray]:
    """Parameters of an MLP with layer sizes [D, H1, ..., C] (He initialisation).

    W_l ~ Normal(0, 2 / fan_in) with shape (size_{l-1}, size_l), b_l = 0 with shape (size_l,),
    for l = 1 .. len(layer_sizes) - 1, drawn from np.random.default_rng(seed).

    Returns:
        {"W1": (D, H1), "b1": (H1,), ..., "WL": (H_{L-1}, C), "bL": (C,)}.
    """
    raise NotImplementedError("Task 4.4: implement init_mlp")


def mlp_forward(
    params: dict[str, np.ndarray], X: np.ndarray, activation: str = "relu"
) -> np.ndarray:
    """Logits of the MLP: linear -> activation for each hidden layer, a linear last layer.

    Args:
        params: from init_mlp, L layers; X: (N, D); activation: a key of ACTIVATIONS.

    Returns:
        logits: (N, C).
    """
    raise NotImplementedError("Task 4.4: implement mlp_forward")


def mlp_loss_and_grads(
    params: dict[str, np.ndarray], X: np.ndarray, labels: np.ndarray, activation: str = "relu"
) -> tuple[float, dict[str, np.ndarray]]:
    """Softmax cross-entropy of the MLP (mean over the batch) and its gradient.

    Args:
        params: from init_mlp; X: (N, D); labels: (N,) ints in 0..C-1; activation as above.

    Returns:
        loss: float; grads: dict with the same keys and shapes as params.
    """
    raise NotImplementedError("Task 4.4: implement mlp_loss_and_grads")


# ===================================================================== Task 4.5: SGD + momentum

def sgd_momentum_step(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    velocity: dict[str, np.ndarray] | None,
    lr: float,
    momentum: float = 0.0,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One step of SGD with momentum (lecture 003): v <- mu v - lr g; p <- p + v.

    Args:
        params, grads: dicts with the same keys and shapes; velocity: same keys, or None
            (or missing keys) for zeros at the first step; lr: step size; momentum: mu.

    Returns:
        (new_params, new_velocity): new dicts of new arrays; the inputs are not modified.
    """
    raise NotImplementedError("Task 4.5: implement sgd_momentum_step")


# ===================================================================== Task 4.6: training

def train_mlp(
    X: np.ndarray,
    labels: np.ndarray,
    layer_sizes: list[int],
    epochs: int,
    lr: float,
    batch_size: int,
    momentum: float = 0.9,
    seed: int = 0,
    activation: str = "relu",
) -> dict:
    """Mini-batch SGD with momentum on the softmax cross-entropy.

    init_mlp(layer_sizes, seed); each epoch draws a new permutation from ONE
    np.random.default_rng(seed) made at the start, and steps through it in batches of
    batch_size (the last batch may be smaller and is used too): one
    mlp_loss_and_grads and one sgd_momentum_step per batch, the velocity (None at the
    first step) carried over every step of every epoch. The grader replays this loop with
    your own init_mlp, mlp_loss_and_grads and sgd_momentum_step and compares.

    Args:
        X: (N, D); labels: (N,) ints in 0..C-1; layer_sizes: [D, ..., C].

    Returns:
        {"params": the trained params, "losses": list of `epochs` floats, each the mean
        training loss over the epoch's samples (batch losses weighted by batch size)}.
    """
    raise NotImplementedError("Task 4.6: implement train_mlp")


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose largest logit is at the label. logits (N, C), labels (N,)."""
    raise NotImplementedError("Task 4.6: implement accuracy")
