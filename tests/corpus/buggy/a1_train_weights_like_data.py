# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: starts from w = np.zeros_like(Xb[0]) and updates with w += y x: for integer data w is
#      an integer array and the float update cannot be added in place (or is truncated)
# loses: 1.4
# names: train_perceptron
# diagnosis: none
def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros_like(Xb[0])
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(y)):
            if y[i] * (w @ Xb[i]) <= 0:
                w += y[i] * Xb[i]
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return {"weights": w, "updates": int(sum(mistakes_per_epoch)),
            "mistakes_per_epoch": mistakes_per_epoch,
            "converged": mistakes_per_epoch[-1] == 0}
