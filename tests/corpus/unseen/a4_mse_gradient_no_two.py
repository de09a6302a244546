# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: mse_loss's gradient forgets the factor 2 of d/dp (p - t)^2 (the loss itself is right)
# loses: 4.3
# names: mse_loss
# diagnosis: mse_gradient_factor
def mse_loss(pred, target):
    diff = pred - target
    return float(np.mean(diff * diff)), diff / diff.size
