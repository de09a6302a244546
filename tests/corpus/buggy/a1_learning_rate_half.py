# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: a learning rate of 0.5 in the perceptron step (w + 0.5 y x), in the update and training
# loses: 1.3
# names: perceptron_update
# diagnosis: update_half_step
def perceptron_update(w, x, y):
    w = np.array(w, dtype=float)
    return w + 0.5 * y * x if y * (w @ x) <= 0 else w


def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros(Xb.shape[1])
    mistakes_per_epoch, updates, converged = [], 0, False
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            if y_i * (w @ x_i) <= 0:
                w = w + 0.5 * y_i * x_i
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
        updates += mistakes
        if mistakes == 0:
            converged = True
            break
    return {"weights": w, "updates": updates, "mistakes_per_epoch": mistakes_per_epoch,
            "converged": converged}
