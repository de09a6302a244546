# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: perceptron_update adds x on a mistake, forgetting the label: w + x instead of w + y x
# loses: 1.3
# names: perceptron_update
# diagnosis: none
def perceptron_update(w, x, y):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if y * (w @ x) <= 0:
        return w + x
    return w.copy()
