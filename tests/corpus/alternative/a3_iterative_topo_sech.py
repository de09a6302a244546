# ruff: noqa: F821  (a patch appended to the reference module: its names are defined there)
# target: a3_backprop/engine.py
# why: an iterative (stack-based) topological sort, and tanh' written as sech^2 = 1/cosh^2
# loses: none
import math as _math


def _alt_backward(self):
    topo, visited, stack = [], set(), [(self, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            topo.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for child in node._prev:
            if id(child) not in visited:
                stack.append((child, False))
    for v in topo:
        v.grad = 0.0
    self.grad = 1.0
    for v in reversed(topo):
        v._backward()


def _alt_tanh(self):
    out = Value(_math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += out.grad / _math.cosh(self.data) ** 2

    out._backward = _backward
    return out


Value.backward = _alt_backward
Value.tanh = _alt_tanh
