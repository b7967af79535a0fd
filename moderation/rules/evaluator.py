"""Compiles the syntax tree into nested Python closures that evaluate it as AbuseFilter's
FilterEvaluator does: the same order of evaluation, short-circuits, DUNDEFINED propagation,
function-result cache and condition count.

The condition count (AbuseFilter's raiseCondCount) goes up by one for each comparison
(``==``, ``<``...), each keyword operator (``in``, ``rlike``...) and each function call
whose result is not already known from an identical earlier call in the same evaluation
(``set``/``set_var`` always count). ``&``, ``|``, arithmetic and literals are free.

Each closure takes the per-evaluation :class:`Context`; nothing else is shared between
evaluations, so one compiled rule can be evaluated from several threads at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from . import nodes, operators
from .errors import BudgetExceeded, RuleRuntimeError
from .functions import FUNCTIONS, Matcher, keyword
from .i18n import _
from .lexer import Positions
from .values import (
    INT_MAX,
    INT_MIN,
    UNDEFINED,
    Negated,
    Value,
    check_list,
    has_undefined,
    negated_array_error,
    to_bool,
    to_int,
    to_str,
    undefined_as_null,
)


class Context:
    __slots__ = ("variables", "user", "count", "budget", "short", "check", "cache", "matcher")

    def __init__(
        self,
        variables: Mapping[str, object],
        budget: int,
        matcher: Matcher,
        *,
        check: bool = False,
    ) -> None:
        self.variables = variables
        self.user: dict[str, Value] = {}
        self.count = 0
        self.budget = budget
        # Syntax checking evaluates every branch (AbuseFilter's mAllowShort = false), with
        # every built-in variable undefined.
        self.short = not check
        self.check = check
        self.cache: dict[Any, Value] = {}
        self.matcher = matcher


Evaluator = Callable[[Context], Value]
_MISSING = object()
_PLAIN = frozenset({str, int, float, bool, type(None), list})


def _key(value: Value) -> object:
    """A hashable stand-in for a value, types included (AbuseFilter caches function
    results by serialize()d arguments: "1" and 1 differ)."""
    if isinstance(value, list):
        return ("array", tuple(_key(item) for item in value))
    if value is UNDEFINED:
        return ("undefined",)
    return (type(value), value)


def _convert(name: str, value: object) -> Value:
    """Values of other Python types the caller may pass: tuples and sets become arrays."""
    if isinstance(value, tuple | set | frozenset):
        return [_convert(name, item) for item in value]
    if isinstance(value, list):
        return [_convert(name, item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        # PHP has 64-bit integers: a larger number is a float there (INF past its range).
        return float(value) if abs(value) < 2**1023 else (math.inf if value > 0 else -math.inf)
    if isinstance(value, str | int | float) or value is None:
        return value  # type: ignore[return-value]
    raise RuleRuntimeError(
        _("the variable '%(name)s' holds a %(type)s, which rules cannot use")
        % {"name": name, "type": type(value).__name__}
    )


class Compiler:
    """Builds one closure per node; ``build`` dispatches on the node's class."""

    def __init__(
        self, source: str, builtins: frozenset[str], shadowed: frozenset[str] = frozenset()
    ) -> None:
        self.positions = Positions(source)
        self.builtins = builtins
        # Built-in names the rule also assigns (the chat's own names, variables.CHAT_ONLY):
        # once assigned, the rule's value; before, the chat's.
        self.shadowed = shadowed

    def fail(self, exc: RuleRuntimeError, node: nodes.Node) -> RuleRuntimeError:
        """Attach the node's position unless an inner node already did."""
        if exc.line is None:
            exc.line, exc.column = self.positions.line_column(node.at)
            exc.offset = node.pos
        return exc

    def count(self, ctx: Context, node: nodes.Node) -> None:
        ctx.count += 1
        if ctx.count > ctx.budget:
            raise self.fail(
                BudgetExceeded(
                    _("the rule used up its budget of %(budget)d conditions for one message")
                    % {"budget": ctx.budget}
                ),
                node,
            )

    def build(self, node: nodes.Node | None) -> Evaluator:
        if node is None:
            return lambda ctx: None
        builder: Callable[[Any], Evaluator] = getattr(self, "build_" + type(node).__name__)
        return builder(node)

    def build_Literal(self, node: nodes.Literal) -> Evaluator:
        value = node.value
        return lambda ctx: value

    def build_Var(self, node: nodes.Var) -> Evaluator:
        name = node.name
        if name not in self.builtins:

            def user(ctx: Context) -> Value:
                return ctx.user.get(name, UNDEFINED)

            return user

        def read(ctx: Context) -> Value:
            if ctx.check:
                return UNDEFINED
            value = ctx.variables.get(name)  # a built-in not computed is null (GET_BC)
            kind = type(value)
            if (
                kind in _PLAIN
                and kind is not list
                and (kind is not int or INT_MIN <= value <= INT_MAX)
            ):
                return value  # type: ignore[return-value]
            try:
                return _convert(name, value)
            except RuleRuntimeError as exc:
                raise self.fail(exc, node) from None

        if name not in self.shadowed:
            return read

        def read_shadowed(ctx: Context) -> Value:
            value = ctx.user.get(name, _MISSING)
            return read(ctx) if value is _MISSING else value  # type: ignore[return-value]

        return read_shadowed

    def build_ArrayDef(self, node: nodes.ArrayDef) -> Evaluator:
        items = tuple(self.build(item) for item in node.items)
        return lambda ctx: [item(ctx) for item in items]

    def build_Call(self, node: nodes.Call) -> Evaluator:
        function = FUNCTIONS[node.name]
        args = tuple(self.build(arg) for arg in node.args)
        if function.handler == "set":
            name = str(node.args[0].value).lower()  # type: ignore[attr-defined]

            def assign(ctx: Context) -> Value:
                values = [arg(ctx) for arg in args]
                self.count(ctx, node)
                value = values[1]
                if has_undefined(value):
                    ctx.user[name] = undefined_as_null(value)
                    return UNDEFINED
                ctx.user[name] = value
                return value

            return assign
        impl, handler = function.impl, function.handler or function.name

        def call(ctx: Context) -> Value:
            values = [arg(ctx) for arg in args]
            key = (handler, tuple(_key(v) for v in values))
            cache = ctx.cache
            found = cache.get(key, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[return-value]
            self.count(ctx, node)
            try:
                if any(has_undefined(v) for v in values):
                    # Run it anyway with null for undefined, for the errors it may raise
                    # (as AbuseFilter does), but the result is undefined.
                    impl(ctx.matcher, *[undefined_as_null(v) for v in values])
                    result: Value = UNDEFINED
                else:
                    result = impl(ctx.matcher, *values)
            except RuleRuntimeError as exc:
                raise self.fail(exc, node) from None
            if len(cache) >= 1000:
                cache.clear()
            cache[key] = result
            return result

        return call

    def build_Index(self, node: nodes.Index) -> Evaluator:
        array_of, offset_of = self.build(node.array), self.build(node.offset)

        def index(ctx: Context) -> Value:
            array = array_of(ctx)
            offset = offset_of(ctx)
            if offset is UNDEFINED:
                return UNDEFINED
            position = to_int(offset)
            if array is UNDEFINED:
                return UNDEFINED
            if not isinstance(array, list):
                raise self.fail(_not_array(array), node)
            return array[self.check_offset(position, array, node)]

        return index

    def check_offset(self, position: int, array: list, node: nodes.Node) -> int:
        if len(array) <= position:
            raise self.fail(
                RuleRuntimeError(
                    _("there is no item %(index)d in an array of %(count)d")
                    % {"index": position, "count": len(array)},
                    code="outofbounds",
                ),
                node,
            )
        if position < 0:
            raise self.fail(
                RuleRuntimeError(
                    _("negative indexes are not allowed in arrays (got %(index)d)")
                    % {"index": position},
                    code="negativeindex",
                ),
                node,
            )
        return position

    def build_Unary(self, node: nodes.Unary) -> Evaluator:
        operand = self.build(node.operand)
        if node.op == "+":
            return operand
        negate = operators.negate
        return lambda ctx: negate(operand(ctx))

    def build_Not(self, node: nodes.Not) -> Evaluator:
        operand, invert = self.build(node.operand), operators.bool_invert
        return lambda ctx: invert(operand(ctx))

    def build_Binary(self, node: nodes.Binary) -> Evaluator:
        return getattr(self, "binary_" + node.kind)(node)

    def binary_keyword(self, node: nodes.Binary) -> Evaluator:
        left, right, op = self.build(node.left), self.build(node.right), node.op

        def run(ctx: Context) -> Value:
            a, b = left(ctx), right(ctx)
            self.count(ctx, node)
            try:
                if has_undefined(a) or has_undefined(b):
                    keyword(op, undefined_as_null(a), undefined_as_null(b), ctx.matcher)
                    return UNDEFINED
                return keyword(op, a, b, ctx.matcher)
            except RuleRuntimeError as exc:
                raise self.fail(exc, node) from None

        return run

    def binary_pow(self, node: nodes.Binary) -> Evaluator:
        left, right, power = self.build(node.left), self.build(node.right), operators.power
        return lambda ctx: power(left(ctx), right(ctx))

    def chain(self, node: nodes.Binary) -> tuple[Evaluator, list[tuple[nodes.Binary, Evaluator]]]:
        """A left-leaning chain of one kind of operator (a + b - c ...): the first operand
        and each (operator node, right operand), evaluated in a loop, not by recursion."""
        links: list[nodes.Binary] = []
        current: nodes.Node = node
        while isinstance(current, nodes.Binary) and current.kind == node.kind:
            links.append(current)
            current = current.left
        links.reverse()
        return self.build(current), [(link, self.build(link.right)) for link in links]

    def binary_mul(self, node: nodes.Binary) -> Evaluator:
        first, links = self.chain(node)
        mul_rel = operators.mul_rel

        def run(ctx: Context) -> Value:
            value = first(ctx)
            for link, right in links:
                b = right(ctx)
                try:
                    value = mul_rel(link.op, value, b)
                except operators.DivideByZero as exc:
                    raise self.fail(
                        RuleRuntimeError(
                            _("division of %(number)s by zero") % {"number": to_str(exc.left)},
                            code="dividebyzero",
                        ),
                        link,
                    ) from None
            return value

        return run

    def binary_sum(self, node: nodes.Binary) -> Evaluator:
        first, links = self.chain(node)
        steps = [(operators.add if link.op == "+" else operators.subtract, link, right)
                 for link, right in links]  # fmt: skip

        def run(ctx: Context) -> Value:
            value = first(ctx)
            for apply, link, right in steps:
                b = right(ctx)
                try:
                    value = apply(value, b)
                except RuleRuntimeError as exc:
                    raise self.fail(exc, link) from None
            return value

        return run

    def binary_compare(self, node: nodes.Binary) -> Evaluator:
        first, links = self.chain(node)
        compare_op = operators.compare_op

        def run(ctx: Context) -> Value:
            value = first(ctx)
            for link, right in links:
                b = right(ctx)
                self.count(ctx, link)
                value = compare_op(link.op, value, b)
            return value

        return run

    def binary_logic(self, node: nodes.Binary) -> Evaluator:
        first, links = self.chain(node)
        bool_op = operators.bool_op

        def run(ctx: Context) -> Value:
            value = first(ctx)
            for link, right in links:
                op = link.op
                truth = False if value is UNDEFINED else to_bool(value)
                if (op == "&" and not truth) or (op == "|" and truth):
                    if not ctx.short:
                        right(ctx)
                    continue  # the left operand itself is the result
                value = bool_op(op, value, right(ctx))
            return value

        return run

    def build_Conditional(self, node: nodes.Conditional) -> Evaluator:
        condition, if_true = self.build(node.condition), self.build(node.if_true)
        if_false = self.build(node.if_false) if node.if_false is not None else None

        def run(ctx: Context) -> Value:
            value = condition(ctx)
            if value is not UNDEFINED and to_bool(value):
                if if_false is not None and not ctx.short:
                    if_false(ctx)
                return if_true(ctx)
            if not ctx.short:
                if_true(ctx)
            return if_false(ctx) if if_false is not None else None

        return run

    def build_Assign(self, node: nodes.Assign) -> Evaluator:
        name, value_of = node.name, self.build(node.value)

        def assign(ctx: Context) -> Value:
            value = value_of(ctx)
            ctx.user[name] = value
            return value

        return assign

    def read_array(self, name: str) -> Evaluator:
        if name in self.builtins:
            return self.build_Var(nodes.Var(0, 0, name))
        return lambda ctx: ctx.user.get(name, UNDEFINED)

    def build_IndexAssign(self, node: nodes.IndexAssign) -> Evaluator:
        name, read = node.name, self.read_array(node.name)
        offset_of, value_of = self.build(node.offset), self.build(node.value)

        def assign(ctx: Context) -> Value:
            array = read(ctx)
            if array is not UNDEFINED and not (isinstance(array, list) or _negated_array(array)):
                raise self.fail(_not_array(array), node)
            offset = offset_of(ctx)
            if array is UNDEFINED:
                return value_of(ctx)
            if offset is UNDEFINED:
                value = value_of(ctx)
                ctx.user[name] = UNDEFINED
                return value
            if not isinstance(array, list):
                raise self.fail(_not_array(array), node)
            position = self.check_offset(to_int(offset), array, node)  # type: ignore[arg-type]
            value = value_of(ctx)
            changed = list(array)  # type: ignore[arg-type]
            changed[position] = value
            ctx.user[name] = changed
            return value

        return assign

    def build_Append(self, node: nodes.Append) -> Evaluator:
        name, read, value_of = node.name, self.read_array(node.name), self.build(node.value)

        def append(ctx: Context) -> Value:
            array = read(ctx)
            value = value_of(ctx)
            if array is not UNDEFINED:
                if not isinstance(array, list):
                    raise self.fail(_not_array(array), node)
                try:
                    ctx.user[name] = check_list([*array, value])
                except RuleRuntimeError as exc:
                    raise self.fail(exc, node) from None
            return value

        return append

    def build_Statements(self, node: nodes.Statements) -> Evaluator:
        items = tuple(self.build(item) for item in node.items)

        def run(ctx: Context) -> Value:
            value: Value = None
            for item in items:
                value = item(ctx)
            return value

        return run


def _negated_array(value: object) -> bool:
    return type(value) is Negated and value.kind == "array"  # type: ignore[attr-defined]


def _not_array(value: object) -> RuleRuntimeError:
    if _negated_array(value):  # AbuseFilter's type check passes, then count() fails
        return negated_array_error()
    return RuleRuntimeError(_("this is not an array, so it has no items"), code="notarray")
