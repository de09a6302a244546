# target: a4_mlp/mlp.py
# bug: updates the parameter and velocity arrays in place (p += v), changing the caller's arrays
# loses: 4.5
# names: sgd_momentum_step
# diagnosis: none
def sgd_momentum_step(params, grads, velocity, lr, momentum=0.0):
    velocity = velocity or {key: np.zeros_like(p) for key, p in params.items()}
    for key, p in params.items():
        velocity[key] *= momentum
        velocity[key] -= lr * grads[key]
        p += velocity[key]
    return params, velocity
