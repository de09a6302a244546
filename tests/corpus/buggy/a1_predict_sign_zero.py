# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: predicts with np.sign, which is 0 where w.x = 0: a boundary point gets 0, not -1
# loses: 1.2
# names: predict
# diagnosis: predict_sign_zero
def predict(w, Xb):
    return np.sign(Xb @ w)
