# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: perceptron_update subtracts y x on a mistake; the (correct) training loop calls it on
#      every point, so training fails too, but only through 1.3's bug (error carried forward)
# loses: 1.3
# names: perceptron_update
# diagnosis: update_sign_flipped
def perceptron_update(w, x, y):
    return w - y * x if y * (w @ x) <= 0 else w.copy()


def train_perceptron(Xb, y, max_epochs=100):
    w = np.zeros(Xb.shape[1])
    history = []
    for _ in range(max_epochs):
        errors = 0
        for x_i, y_i in zip(Xb, y, strict=True):
            errors += int(y_i * (w @ x_i) <= 0)
            w = perceptron_update(w, x_i, y_i)
        history.append(errors)
        if errors == 0:
            break
    return {"weights": w, "updates": sum(history), "mistakes_per_epoch": history,
            "converged": history[-1] == 0}
