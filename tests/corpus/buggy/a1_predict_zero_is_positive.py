# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a1_perceptron/perceptron.py
# bug: predicts +1 where w.x >= 0, so a point on the boundary is called positive
# loses: 1.2
# names: predict
# diagnosis: predict_boundary_positive
def predict(w, Xb):
    return np.where(Xb @ w >= 0, 1.0, -1.0)
