"""A scalar autograd engine (micrograd-style): each Value remembers how it was made.

Every operation builds a new Value from its inputs and attaches a `_backward` closure that
knows the operation's LOCAL derivative: given `out.grad` (dL/d out, the upstream gradient)
it adds `local derivative * out.grad` to each input's `.grad` (the chain rule, lectures 000
and 003). `backward()` visits the graph in reverse topological order so that every node's
gradient is complete before it is passed on (lecture 002).

Conventions of this kit:
- operands may be Values or plain int/float, on either side (`2 * v`, `1 - v`, `v / 3`);
- gradients are ACCUMULATED (`+=`): a node used twice receives both contributions;
- `backward()` first resets every node's grad to 0, so calling it twice gives the same
  gradients (idempotent), then seeds the output's grad with 1;
- relu'(0) = 0 (the derivative of max(0, x) is taken as 0 at the kink).

The grader tests one operation alone: it gives the inputs a grad (not always 0, as if they
fed another node too), sets `out.grad` (not always 1) and calls `out._backward()` (and, for
an op built from others like `a - b`, the inner nodes' too): each `_backward` must only use
`out.grad` and the inputs, and add to the inputs' grads. backward() is judged against the
chain rule applied to your own ops, so a wrong op costs points in its own task only.
"""

from __future__ import annotations

import math
from collections.abc import Callable


class Value:
    """A scalar in a computation graph: `data` (float), `grad` (float, dL/d this), parents."""

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # ------------------------------------------------------------- Task 3.1: +, *, -

    def __add__(self, other: Value | float) -> Value:
        """self + other. Local derivatives: d/dself = 1, d/dother = 1."""
        ### BEGIN SOLUTION task=3.1
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def __mul__(self, other: Value | float) -> Value:
        """self * other. Local derivatives: d/dself = other, d/dother = self."""
        ### BEGIN SOLUTION task=3.1
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def __radd__(self, other: float) -> Value:
        """other + self, for a plain number on the left (`1 + v`)."""
        ### BEGIN SOLUTION task=3.1
        return self + other
        ### END SOLUTION

    def __rmul__(self, other: float) -> Value:
        """other * self, for a plain number on the left (`2 * v`)."""
        ### BEGIN SOLUTION task=3.1
        return self * other
        ### END SOLUTION

    def __neg__(self) -> Value:
        """-self, built from the ops above (no new derivative needed)."""
        ### BEGIN SOLUTION task=3.1
        return self * -1
        ### END SOLUTION

    def __sub__(self, other: Value | float) -> Value:
        """self - other, built from + and unary -."""
        ### BEGIN SOLUTION task=3.1
        return self + (-other)
        ### END SOLUTION

    def __rsub__(self, other: float) -> Value:
        """other - self, for a plain number on the left (`1 - v`)."""
        ### BEGIN SOLUTION task=3.1
        return other + (-self)
        ### END SOLUTION

    # ------------------------------------------------------------- Task 3.2: **, /

    def __pow__(self, k: int | float) -> Value:
        """self ** k for a constant number k. Local derivative: k * self**(k - 1)."""
        ### BEGIN SOLUTION task=3.2
        if not isinstance(k, (int, float)):
            raise TypeError(f"Value ** k needs an int or float exponent, got {type(k).__name__}")
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def __truediv__(self, other: Value | float) -> Value:
        """self / other = self * other**-1."""
        ### BEGIN SOLUTION task=3.2
        other = other if isinstance(other, Value) else Value(other)
        return self * other**-1
        ### END SOLUTION

    def __rtruediv__(self, other: float) -> Value:
        """other / self, for a plain number on the left (`1 / v`)."""
        ### BEGIN SOLUTION task=3.2
        return other * self**-1
        ### END SOLUTION

    # ------------------------------------------------------------- Task 3.3: exp, log, sin, cos

    def exp(self) -> Value:
        """e ** self. Local derivative: e ** self (the output itself)."""
        ### BEGIN SOLUTION task=3.3
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def log(self) -> Value:
        """Natural log of self (self > 0). Local derivative: 1 / self."""
        ### BEGIN SOLUTION task=3.3
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += out.grad / self.data

        out._backward = _backward
        return out
        ### END SOLUTION

    def sin(self) -> Value:
        """sin(self). Local derivative: cos(self)."""
        ### BEGIN SOLUTION task=3.3
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward() -> None:
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def cos(self) -> Value:
        """cos(self). Local derivative: -sin(self)."""
        ### BEGIN SOLUTION task=3.3
        out = Value(math.cos(self.data), (self,), "cos")

        def _backward() -> None:
            self.grad += -math.sin(self.data) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    # ------------------------------------------------------------- Task 3.4: activations

    def tanh(self) -> Value:
        """tanh(self). Local derivative: 1 - tanh(self)**2."""
        ### BEGIN SOLUTION task=3.4
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), computed without overflow. Local derivative: s * (1 - s)."""
        ### BEGIN SOLUTION task=3.4
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # e**-x would overflow for very negative x; use the equivalent form
            e = math.exp(x)
            s = e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward() -> None:
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    def relu(self) -> Value:
        """max(0, self). Local derivative: 1 where self > 0, else 0 (so relu'(0) = 0)."""
        ### BEGIN SOLUTION task=3.4
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward() -> None:
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out
        ### END SOLUTION

    # ------------------------------------------------------------- Task 3.5: backward

    def backward(self) -> None:
        """Fill `.grad` of every node this Value depends on with d self / d node.

        Order: a topological sort from self (every node after all its inputs), then the
        `_backward`s in reverse, so a node's grad is complete before it is propagated.
        Every node's grad is reset to 0 first, so calling backward() twice gives the
        same result; then self.grad = 1 (d self / d self).
        """
        ### BEGIN SOLUTION task=3.5
        topo: list[Value] = []
        visited: set[int] = set()

        def build(v: Value) -> None:
            if id(v) not in visited:
                visited.add(id(v))
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        for v in topo:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
        ### END SOLUTION
