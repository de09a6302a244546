# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: backward() forgets the seed self.grad = 1 after the reset, so every gradient is 0
# loses: 3.5
# names: Value.backward
# diagnosis: backward_no_seed
def _buggy_backward(self):
    topo, seen = [], set()

    def build(v):
        if id(v) not in seen:
            seen.add(id(v))
            for child in v._prev:
                build(child)
            topo.append(v)

    build(self)
    for v in topo:
        v.grad = 0.0
    for v in reversed(topo):
        v._backward()


Value.backward = _buggy_backward
