"""The syntax tree a rule compiles to: plain frozen dataclasses, one per construct.

Every node records the line/column of the token that introduced it (the operator, the
function name, the literal), so runtime errors can point at the failing part of the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    line: int
    column: int

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class ListExpr(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Var(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # '!', '-', '+'
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Comparisons, keyword operators (in, rlike...), arithmetic and '^' (xor)."""

    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    """'&' or '|' over two or more operands, short-circuiting.

    N-ary rather than nested binary nodes: real filters are long chains of '|', and a flat
    node keeps the tree (and the evaluator's recursion) shallow.
    """

    op: str
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, without recursion (trees can be deep before we reject them)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children())


def depth(node: Node) -> int:
    """Height of the tree, computed iteratively."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in current.children())
    return best
