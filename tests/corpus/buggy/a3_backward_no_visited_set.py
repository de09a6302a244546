# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: backward() recurses without a visited set: a shared node's _backward runs once per path
# loses: 3.5
# names: Value.backward
# diagnosis: backward_no_visited_set
def _buggy_backward(self):
    topo = []

    def build(v):
        for child in v._prev:
            build(child)
        topo.append(v)

    build(self)
    for v in topo:
        v.grad = 0.0
    self.grad = 1.0
    for v in reversed(topo):
        v._backward()


Value.backward = _buggy_backward
