# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: backward() runs the _backward closures in topological (not reverse) order
# loses: 3.5
# names: Value.backward
# diagnosis: backward_not_reversed
def _buggy_backward(self):
    topo, visited = [], set()

    def build(v):
        if id(v) not in visited:
            visited.add(id(v))
            for child in v._prev:
                build(child)
            topo.append(v)

    build(self)
    for v in topo:
        v.grad = 0.0
    self.grad = 1.0
    for v in topo:
        v._backward()


Value.backward = _buggy_backward
