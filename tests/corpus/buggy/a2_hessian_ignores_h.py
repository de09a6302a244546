# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: numerical_hessian ignores its h keyword (a hard-coded step of 1e-4)
# loses: 2.4
# names: numerical_hessian
# diagnosis: hessian_ignores_h
_reference_numerical_hessian = numerical_hessian


def numerical_hessian(f, x, h=1e-4):
    return _reference_numerical_hessian(f, x)
