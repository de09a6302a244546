# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a2_gradient_descent/gradient_descent.py
# bug: loops over len(a): scalars (documented: "arrays (or scalars)") have no len
# loses: 2.2
# names: relative_error
# diagnosis: none
def relative_error(a, b):
    worst = 0.0
    for i in range(len(a)):
        worst = max(worst, abs(a[i] - b[i]) / max(1e-8, abs(a[i]) + abs(b[i])))
    return float(worst)
