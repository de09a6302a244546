# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: backward() does not reset the grads first, so a second call doubles them
# loses: 3.5
# names: Value.backward
# diagnosis: backward_no_reset
def _buggy_backward(self):
    topo, visited = [], set()

    def build(v):
        if id(v) not in visited:
            visited.add(id(v))
            for child in v._prev:
                build(child)
            topo.append(v)

    build(self)
    self.grad = 1.0
    for v in reversed(topo):
        v._backward()


Value.backward = _buggy_backward
