# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: updates on every point, correctly classified or not (forgets "only update on mistakes");
#      the training loop does the same, which is the loop run with this perceptron_update, so
#      only 1.3 pays for it (error carried forward)
# loses: 1.3
# names: perceptron_update
# diagnosis: update_always
def perceptron_update(w, x, y):
    return w + y * x


def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros(Xb.shape[1])
    mistakes_per_epoch = []
    converged = False
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            if y_i * (w @ x_i) <= 0:
                mistakes += 1
            w = w + y_i * x_i
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            converged = True
            break
    return {"weights": w, "updates": sum(mistakes_per_epoch),
            "mistakes_per_epoch": mistakes_per_epoch, "converged": converged}
