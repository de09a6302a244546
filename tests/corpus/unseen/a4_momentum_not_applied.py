# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: sgd_momentum_step updates the velocity but steps the params by -lr g (plain SGD)
# loses: 4.5
# names: sgd_momentum_step
# diagnosis: none
def sgd_momentum_step(params, grads, velocity, lr, momentum=0.0):
    velocity = velocity or {}
    new_params, new_velocity = {}, {}
    for key, p in params.items():
        v = -lr * grads[key]
        if key in velocity:
            v = v + momentum * velocity[key]
        new_velocity[key] = v
        new_params[key] = p - lr * grads[key]
    return new_params, new_velocity
