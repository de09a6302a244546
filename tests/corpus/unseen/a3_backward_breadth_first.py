# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# bug: backward() walks the graph breadth-first from the output (visited set, no topological
#   sort): a node shared by two paths of different lengths passes its gradient on too early
# loses: 3.5
# names: Value.backward
# diagnosis: none
def _buggy_backward(self):
    order, seen, queue = [], {id(self)}, [self]
    while queue:
        v = queue.pop(0)
        order.append(v)
        for child in v._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    for v in order:
        v.grad = 0.0
    self.grad = 1.0
    for v in order:
        v._backward()


Value.backward = _buggy_backward
