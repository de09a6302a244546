# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: mse_loss sums the squared errors instead of averaging them (loss and gradient)
# loses: 4.3
# names: mse_loss
# diagnosis: mse_sum
def mse_loss(pred, target):
    diff = pred - target
    return float(np.sum(diff**2)), 2.0 * diff
