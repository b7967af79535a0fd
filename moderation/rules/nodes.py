"""The syntax tree a rule parses to: one node class per AbuseFilter AFPTreeNode type.

Every node records ``pos``, the position AbuseFilter gives it (used in error offsets, as
AbuseFilter's "character"), and ``at``, the first character of the token that introduced
it (the operator, the function name, the literal), for the line and column we show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    pos: int
    at: int

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A string, number, true, false or null."""

    value: str | int | float | bool | None
    is_string: bool = False


@dataclass(frozen=True, slots=True)
class Var(Node):
    name: str  # lower-cased


@dataclass(frozen=True, slots=True)
class ArrayDef(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str  # as written: function names are case-sensitive
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True, slots=True)
class Index(Node):
    array: Node
    offset: Node

    def children(self) -> tuple[Node, ...]:
        return (self.array, self.offset)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # '-' or '+'
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """kind: 'keyword' (in, like...), 'pow', 'mul', 'sum', 'compare' or 'logic'."""

    kind: str
    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    condition: Node
    if_true: Node
    if_false: Node | None

    def children(self) -> tuple[Node, ...]:
        if self.if_false is None:
            return (self.condition, self.if_true)
        return (self.condition, self.if_true, self.if_false)


@dataclass(frozen=True, slots=True)
class Assign(Node):
    name: str  # lower-cased
    value: Node

    def children(self) -> tuple[Node, ...]:
        return (self.value,)


@dataclass(frozen=True, slots=True)
class IndexAssign(Node):
    name: str
    offset: Node
    value: Node

    def children(self) -> tuple[Node, ...]:
        return (self.offset, self.value)


@dataclass(frozen=True, slots=True)
class Append(Node):
    name: str
    value: Node

    def children(self) -> tuple[Node, ...]:
        return (self.value,)


@dataclass(frozen=True, slots=True)
class Statements(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


def walk(node: Node | None) -> Iterator[Node]:
    """Every node of the tree, without recursion."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children())


def depth(node: Node | None) -> int:
    """Height of the tree, computed iteratively."""
    best = 0
    stack = [(node, 1)] if node is not None else []
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in current.children())
    return best
