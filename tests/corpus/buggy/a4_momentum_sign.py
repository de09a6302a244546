# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: velocity update adds the gradient (v <- mu v + lr g): steps uphill
# loses: 4.5
# names: sgd_momentum_step
# diagnosis: momentum_sign
def sgd_momentum_step(params, grads, velocity, lr, momentum=0.0):
    velocity = velocity or {}
    new_params, new_velocity = {}, {}
    for key, p in params.items():
        v = lr * grads[key] + momentum * velocity.get(key, 0.0)
        new_velocity[key] = v
        new_params[key] = p + v
    return new_params, new_velocity
