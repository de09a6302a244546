# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: wrong stopping criterion: always stops on the gradient norm, ignoring criterion="value"
# loses: 2.3
# names: gradient_descent
# diagnosis: value_criterion_ignored
_reference_gradient_descent = gradient_descent


def gradient_descent(f, grad_f, x0, step_size, eps=1e-8, max_iters=1000, criterion="gradient"):
    return _reference_gradient_descent(f, grad_f, x0, step_size, eps, max_iters, "gradient")
