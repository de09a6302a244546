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
    ### BEGIN SOLUTION task=4.1
    return x @ W + b
    ### END SOLUTION


def linear_backward(
    dout: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the affine layer.

    Args:
        dout: (N, M) upstream gradient; x: (N, D), W: (D, M), b: (M,) the forward's inputs.

    Returns:
        dx: (N, D) = dout @ W.T; dW: (D, M) = x.T @ dout; db: (M,) = dout summed over N.
    """
    ### BEGIN SOLUTION task=4.1
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)
    ### END SOLUTION


# ===================================================================== Task 4.2: activations
# Elementwise: x and y = f(x) have any shape (the same), dout and dx that shape too.

def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """s(x) = 1 / (1 + e^-x), without overflow for large |x|. Shape of x."""
    ### BEGIN SOLUTION task=4.2
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION


def sigmoid_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout * s(x) * (1 - s(x)) (lecture 004). Shapes of x."""
    ### BEGIN SOLUTION task=4.2
    s = sigmoid_forward(x)
    return dout * s * (1.0 - s)
    ### END SOLUTION


def tanh_forward(x: np.ndarray) -> np.ndarray:
    """tanh(x). Shape of x."""
    ### BEGIN SOLUTION task=4.2
    return np.tanh(x)
    ### END SOLUTION


def tanh_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout * (1 - tanh(x)^2). Shapes of x."""
    ### BEGIN SOLUTION task=4.2
    t = np.tanh(x)
    return dout * (1.0 - t * t)
    ### END SOLUTION


def relu_forward(x: np.ndarray) -> np.ndarray:
    """max(0, x). Shape of x."""
    ### BEGIN SOLUTION task=4.2
    return np.maximum(x, 0.0)
    ### END SOLUTION


def relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout where x > 0, else 0 (relu'(0) = 0). Shapes of x."""
    ### BEGIN SOLUTION task=4.2
    return np.where(x > 0, dout, 0.0)
    ### END SOLUTION


def leaky_relu_forward(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """x where x > 0, else alpha * x (lecture 002's max(z, γz) with γ = alpha). Shape of x."""
    ### BEGIN SOLUTION task=4.2
    return np.where(x > 0, x, alpha * x)
    ### END SOLUTION


def leaky_relu_backward(dout: np.ndarray, x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """dx = dout where x > 0, else alpha * dout (slope alpha at 0, like relu'(0) = 0)."""
    ### BEGIN SOLUTION task=4.2
    return np.where(x > 0, dout, alpha * dout)
    ### END SOLUTION


def softplus_forward(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """(1/beta) * log(1 + e^(beta x)), computed stably (no overflow). Shape of x."""
    ### BEGIN SOLUTION task=4.2
    return np.logaddexp(0.0, beta * x) / beta
    ### END SOLUTION


def softplus_backward(dout: np.ndarray, x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """dx = dout * s(beta x): softplus' is the sigmoid. Shapes of x."""
    ### BEGIN SOLUTION task=4.2
    return dout * sigmoid_forward(beta * x)
    ### END SOLUTION


def gelu_forward(x: np.ndarray) -> np.ndarray:
    """Exact GELU (lecture 002): x/2 * (1 + erf(x / sqrt 2)) = x * Phi(x). Shape of x."""
    ### BEGIN SOLUTION task=4.2
    return 0.5 * x * (1.0 + _erf(x / _SQRT2))
    ### END SOLUTION


def gelu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx = dout * (Phi(x) + x * phi(x)), phi the standard normal density. Shapes of x."""
    ### BEGIN SOLUTION task=4.2
    cdf = 0.5 * (1.0 + _erf(x / _SQRT2))
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
    return dout * (cdf + x * pdf)
    ### END SOLUTION


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
    ### BEGIN SOLUTION task=4.3
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
    ### END SOLUTION


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error, averaged over ALL N*K entries, without a factor 1/2.

    loss = (1 / (N K)) * sum_ij (pred_ij - target_ij)^2, so dpred = 2 (pred - target) / (N K).
    (Lecture 004 uses C = 1/2 (target - out)^2 for one output; that is half this loss.)

    Args:
        pred: (N, K) predictions; target: (N, K).

    Returns:
        loss: float; dpred: (N, K) = dloss/dpred.
    """
    ### BEGIN SOLUTION task=4.3
    diff = pred - target
    return float(np.mean(diff * diff)), (2.0 / diff.size) * diff
    ### END SOLUTION


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
    ### BEGIN SOLUTION task=4.3
    n = logits.shape[0]
    loss = np.mean(np.logaddexp(0.0, logits) - y * logits)
    return float(loss), (sigmoid_forward(logits) - y) / n
    ### END SOLUTION


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
    ### BEGIN SOLUTION task=4.3
    n = logits.shape[0]
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total[:, 0]) - shifted[rows, labels])
    dlogits = e / total
    dlogits[rows, labels] -= 1.0
    dlogits /= n
    return float(loss), dlogits
    ### END SOLUTION


# ===================================================================== Task 4.4: the network

def init_mlp(layer_sizes: list[int], seed: int) -> dict[str, np.ndarray]:
    """Parameters of an MLP with layer sizes [D, H1, ..., C] (He initialisation).

    W_l ~ Normal(0, 2 / fan_in) with shape (size_{l-1}, size_l), b_l = 0 with shape (size_l,),
    for l = 1 .. len(layer_sizes) - 1, drawn from np.random.default_rng(seed).

    Returns:
        {"W1": (D, H1), "b1": (H1,), ..., "WL": (H_{L-1}, C), "bL": (C,)}.
    """
    ### BEGIN SOLUTION task=4.4
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    for i in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[i - 1], layer_sizes[i]
        params[f"W{i}"] = rng.standard_normal((fan_in, fan_out)) * math.sqrt(2.0 / fan_in)
        params[f"b{i}"] = np.zeros(fan_out)
    return params
    ### END SOLUTION


def mlp_forward(
    params: dict[str, np.ndarray], X: np.ndarray, activation: str = "relu"
) -> np.ndarray:
    """Logits of the MLP: linear -> activation for each hidden layer, a linear last layer.

    Args:
        params: from init_mlp, L layers; X: (N, D); activation: a key of ACTIVATIONS.

    Returns:
        logits: (N, C).
    """
    ### BEGIN SOLUTION task=4.4
    act, _ = ACTIVATIONS[activation]
    n_layers = len(params) // 2
    h = X
    for i in range(1, n_layers):
        h = act(linear_forward(h, params[f"W{i}"], params[f"b{i}"]))
    return linear_forward(h, params[f"W{n_layers}"], params[f"b{n_layers}"])
    ### END SOLUTION


def mlp_loss_and_grads(
    params: dict[str, np.ndarray], X: np.ndarray, labels: np.ndarray, activation: str = "relu"
) -> tuple[float, dict[str, np.ndarray]]:
    """Softmax cross-entropy of the MLP (mean over the batch) and its gradient.

    Args:
        params: from init_mlp; X: (N, D); labels: (N,) ints in 0..C-1; activation as above.

    Returns:
        loss: float; grads: dict with the same keys and shapes as params.
    """
    ### BEGIN SOLUTION task=4.4
    act, act_backward = ACTIVATIONS[activation]
    n_layers = len(params) // 2
    inputs = [X]  # inputs[i-1] is the input of layer i
    pre = []  # pre[i-1] is layer i's pre-activation (hidden layers only)
    for i in range(1, n_layers):
        z = linear_forward(inputs[-1], params[f"W{i}"], params[f"b{i}"])
        pre.append(z)
        inputs.append(act(z))
    logits = linear_forward(inputs[-1], params[f"W{n_layers}"], params[f"b{n_layers}"])
    loss, dout = softmax_cross_entropy(logits, labels)

    grads: dict[str, np.ndarray] = {}
    for i in range(n_layers, 0, -1):
        W, b = params[f"W{i}"], params[f"b{i}"]
        dx, grads[f"W{i}"], grads[f"b{i}"] = linear_backward(dout, inputs[i - 1], W, b)
        if i > 1:
            dout = act_backward(dx, pre[i - 2])
    return loss, grads
    ### END SOLUTION


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
    ### BEGIN SOLUTION task=4.5
    velocity = velocity or {}
    new_params, new_velocity = {}, {}
    for key, p in params.items():
        v = -lr * grads[key]
        if key in velocity:
            v += momentum * velocity[key]
        new_velocity[key] = v
        new_params[key] = p + v
    return new_params, new_velocity
    ### END SOLUTION


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
    ### BEGIN SOLUTION task=4.6
    params = init_mlp(layer_sizes, seed)
    rng = np.random.default_rng(seed)
    velocity = None
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss, grads = mlp_loss_and_grads(params, X[idx], labels[idx], activation)
            params, velocity = sgd_momentum_step(params, grads, velocity, lr, momentum)
            total += loss * len(idx)
        losses.append(total / n)
    return {"params": params, "losses": losses}
    ### END SOLUTION


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose largest logit is at the label. logits (N, C), labels (N,)."""
    ### BEGIN SOLUTION task=4.6
    return float(np.mean(np.argmax(logits, axis=1) == labels))
    ### END SOLUTION
