# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: train_perceptron sets converged on a clean epoch but forgets to stop: runs all max_epochs
# loses: 1.4
# names: train_perceptron
# diagnosis: none
def train_perceptron(Xb, y, max_epochs=100):
    Xb = np.asarray(Xb, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.zeros(Xb.shape[1])
    mistakes_per_epoch = []
    converged = False
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y):
            if y_i * (w @ x_i) <= 0:
                w = w + y_i * x_i
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            converged = True
    return {"weights": w, "updates": int(sum(mistakes_per_epoch)),
            "mistakes_per_epoch": mistakes_per_epoch, "converged": converged}
