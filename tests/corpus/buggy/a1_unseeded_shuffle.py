# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: visits the points in a fresh random order every epoch with the unseeded global RNG
# loses: 1.4
# names: train_perceptron
# diagnosis: none
def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros(Xb.shape[1])
    mistakes_per_epoch, updates, converged = [], 0, False
    for _ in range(max_epochs):
        mistakes = 0
        for i in np.random.permutation(len(y)):
            if y[i] * (w @ Xb[i]) <= 0:
                w = w + y[i] * Xb[i]
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
        updates += mistakes
        if mistakes == 0:
            converged = True
            break
    return {"weights": w, "updates": updates, "mistakes_per_epoch": mistakes_per_epoch,
            "converged": converged}
