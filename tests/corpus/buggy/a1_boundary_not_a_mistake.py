# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: tests y * (w @ x) < 0, so a point with w.x = 0 is not a mistake and w = 0 never learns;
#      the same test in the training loop gives what the loop gives with this perceptron_update,
#      so only 1.3 pays for it (error carried forward)
# loses: 1.3
# names: perceptron_update
# diagnosis: update_strict
def perceptron_update(w, x, y):
    return w + y * x if y * (w @ x) < 0 else w.copy()


def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros(Xb.shape[1])
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            if y_i * (w @ x_i) < 0:
                w = w + y_i * x_i
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return {"weights": w, "updates": sum(mistakes_per_epoch),
            "mistakes_per_epoch": mistakes_per_epoch, "converged": mistakes_per_epoch[-1] == 0}
