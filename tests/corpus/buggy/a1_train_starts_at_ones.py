# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: the training loop starts at w = 1 instead of the lecture's W = 0 (perceptron_update is
#      right): only the loop's task pays
# loses: 1.4
# names: train_perceptron
# diagnosis: train_starts_at_ones
def train_perceptron(Xb, y, max_epochs=100):
    w = np.ones(Xb.shape[1])
    history = []
    for _ in range(max_epochs):
        errors = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            if y_i * (w @ x_i) <= 0:
                errors += 1
            w = perceptron_update(w, x_i, y_i)
        history.append(errors)
        if errors == 0:
            break
    return {"weights": w, "updates": sum(history), "mistakes_per_epoch": history,
            "converged": history[-1] == 0}
