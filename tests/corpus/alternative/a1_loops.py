# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# why: plain Python loops everywhere; training reuses perceptron_update and compares weights
# loses: none
def add_bias(X):
    out = np.empty((X.shape[0], X.shape[1] + 1))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            out[i, j] = X[i, j]
        out[i, -1] = 1.0
    return out


def predict(w, Xb):
    out = np.empty(Xb.shape[0])
    for i in range(Xb.shape[0]):
        s = 0.0
        for j in range(Xb.shape[1]):
            s += w[j] * Xb[i, j]
        out[i] = 1.0 if s > 0 else -1.0
    return out


def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros(Xb.shape[1])
    history = []
    epoch = 0
    while epoch < max_epochs:
        errors = 0
        for i in range(len(y)):
            if y[i] * (w @ Xb[i]) <= 0:
                errors += 1
            w = perceptron_update(w, Xb[i], y[i])
        history.append(errors)
        epoch += 1
        if errors == 0:
            break
    return {"weights": w, "updates": int(sum(history)), "mistakes_per_epoch": history,
            "converged": bool(history[-1] == 0)}


def mistake_bound(Xb, y, w_star):
    R = 0.0
    gamma = np.inf
    norm = np.sqrt(sum(v * v for v in w_star))
    for x_i, y_i in zip(Xb, y, strict=True):
        R = max(R, np.sqrt(sum(v * v for v in x_i)))
        gamma = min(gamma, y_i * sum(a * b for a, b in zip(w_star, x_i, strict=True)) / norm)
    if norm == 0 or not gamma > 0:
        raise ValueError("w_star does not separate the data: no bound")
    return float(R * R / (gamma * gamma))
