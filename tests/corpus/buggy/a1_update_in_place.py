# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: adds y x to the caller's w in place (w += y * x), changing the argument
# loses: 1.3
# names: perceptron_update
# diagnosis: none
def perceptron_update(w, x, y):
    if y * (w @ x) <= 0:
        w += y * x
    return w
