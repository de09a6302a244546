# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: train_perceptron's default max_epochs is 10, not the documented 100
# loses: 1.4
# names: train_perceptron
# diagnosis: none
def train_perceptron(Xb, y, max_epochs=10):
    w = np.zeros(Xb.shape[1])
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            if y_i * (w @ x_i) <= 0:
                w = w + y_i * x_i
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return {"weights": w, "updates": sum(mistakes_per_epoch),
            "mistakes_per_epoch": mistakes_per_epoch,
            "converged": mistakes_per_epoch[-1] == 0}
