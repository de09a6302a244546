# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a4_mlp/mlp.py
# bug: linear_forward raises (left unfinished); mlp_forward and the rest are the reference's own
# loses: 4.1
# names: linear_forward
# diagnosis: none
def linear_forward(x, W, b):
    raise ValueError("not finished")
