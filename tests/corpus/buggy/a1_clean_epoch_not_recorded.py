# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: stops on a clean epoch without recording it (its 0 is missing from mistakes_per_epoch)
# loses: 1.4
# names: train_perceptron
# diagnosis: train_no_clean_epoch
def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros(Xb.shape[1])
    mistakes_per_epoch = []
    converged = False
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            if y_i * (w @ x_i) <= 0:
                w = w + y_i * x_i
                mistakes += 1
        if mistakes == 0:
            converged = True
            break
        mistakes_per_epoch.append(mistakes)
    return {"weights": w, "updates": sum(mistakes_per_epoch),
            "mistakes_per_epoch": mistakes_per_epoch, "converged": converged}
