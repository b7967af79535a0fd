"""Compiles the syntax tree into nested Python closures, then runs them.

Walking the tree with an ``isinstance`` dispatch on every message would repeat the same
decisions 50 filters x every message; closures make each decision once, at compile time,
which is what keeps the whole filter set within a few milliseconds. Regex and glob literals
are compiled here too, so a bad pattern is a syntax error when the rule is saved.

Each closure takes the per-evaluation :class:`Context`: the variables, the remaining
condition budget and the regex time bound. Nothing else is shared between evaluations, so
one compiled rule can be evaluated from several threads at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from . import nodes, regexes
from .errors import BudgetExceeded, RuleRuntimeError, RuleSyntaxError
from .functions import FUNCTIONS
from .i18n import _
from .operators import BINARY, UNARY
from .values import Value, to_text, truthy, utf8_safe


class Context:
    __slots__ = ("variables", "remaining", "budget", "regex_timeout")

    def __init__(self, variables: Mapping[str, object], budget: int, regex_timeout: float) -> None:
        self.variables = variables
        self.remaining = budget
        self.budget = budget
        self.regex_timeout = regex_timeout


Evaluator = Callable[[Context], Value]

_PLAIN = frozenset({str, int, float, bool, type(None), list})


def _over_budget(ctx: Context, node: nodes.Node) -> BudgetExceeded:
    return BudgetExceeded(
        _("the rule used up its budget of %(budget)d conditions for one message")
        % {"budget": ctx.budget},
        node.line,
        node.column,
    )


def compile_tree(tree: nodes.Node) -> Evaluator:
    """The evaluator for a whole rule; raises RuleSyntaxError for a bad pattern literal."""
    return Compiler().build(tree)


# Folding a constant part runs it once, under generous bounds of its own.
_FOLD_BUDGET = 100_000
_FOLD_REGEX_TIMEOUT = 1.0


class Compiler:
    """Builds one closure per node; ``build`` dispatches to ``build_<NodeClass>``."""

    def __init__(self) -> None:
        # Patterns only known at run time (built from variables) are cached per rule.
        self.patterns = regexes.PatternCache()
        # id() of every node whose value depends on a variable (the tree outlives the
        # compiler, so ids are unique here).
        self.dynamic: set[int] = set()

    def build(self, node: nodes.Node) -> Evaluator:
        builder: Callable[[Any], Evaluator] = getattr(self, "build_" + type(node).__name__)
        evaluator = builder(node)
        if isinstance(node, nodes.Var) or any(id(c) in self.dynamic for c in node.children()):
            self.dynamic.add(id(node))
            return evaluator
        return self.fold(node, evaluator)

    def fold(self, node: nodes.Node, evaluator: Evaluator) -> Evaluator:
        """Compute a part without variables once, at compile time: ``lcase(norm("free
        money"))`` should not be recomputed for every message and every filter. A part that
        fails is left as it is, to fail at run time with its position like any other error.
        Folded parts no longer count against the condition budget."""
        if isinstance(node, nodes.Literal):
            return evaluator
        try:
            value = evaluator(Context({}, _FOLD_BUDGET, _FOLD_REGEX_TIMEOUT))
        except Exception:  # evaluate() turns any failure into a RuleRuntimeError later
            return evaluator
        return lambda ctx: value

    def build_Literal(self, node: nodes.Literal) -> Evaluator:
        value = node.value
        return lambda ctx: value

    def build_ListExpr(self, node: nodes.ListExpr) -> Evaluator:
        items = tuple(self.build(item) for item in node.items)
        return lambda ctx: [item(ctx) for item in items]

    def build_Var(self, node: nodes.Var) -> Evaluator:
        name = node.name

        def read(ctx: Context) -> Value:
            try:
                value = ctx.variables[name]
            except KeyError:
                raise RuleRuntimeError(
                    _("the variable '%(name)s' was not provided for this message") % {"name": name},
                    node.line,
                    node.column,
                ) from None
            if type(value) in _PLAIN:
                return value  # type: ignore[return-value]
            return _convert(name, value, node)

        return read

    def build_Unary(self, node: nodes.Unary) -> Evaluator:
        operand, apply = self.build(node.operand), UNARY[node.op]

        def run(ctx: Context) -> Value:
            ctx.remaining -= 1
            if ctx.remaining < 0:
                raise _over_budget(ctx, node)
            value = operand(ctx)
            try:
                return apply(value)
            except RuleRuntimeError as exc:
                raise exc.at(node.line, node.column) from None

        return run

    def build_BoolOp(self, node: nodes.BoolOp) -> Evaluator:
        operands = tuple(self.build(operand) for operand in node.operands)
        # '&' stops at the first false operand, '|' at the first true one.
        stop_on = node.op == "|"

        def run(ctx: Context) -> Value:
            ctx.remaining -= 1
            if ctx.remaining < 0:
                raise _over_budget(ctx, node)
            for operand in operands:
                if truthy(operand(ctx)) is stop_on:
                    return stop_on
            return not stop_on

        return run

    def build_Binary(self, node: nodes.Binary) -> Evaluator:
        if node.op in ("like", "rlike", "irlike"):
            return self.build_match(node)
        left, right, apply = self.build(node.left), self.build(node.right), BINARY[node.op]

        def run(ctx: Context) -> Value:
            ctx.remaining -= 1
            if ctx.remaining < 0:
                raise _over_budget(ctx, node)
            a, b = left(ctx), right(ctx)
            try:
                return apply(a, b)
            except RuleRuntimeError as exc:
                raise exc.at(node.line, node.column) from None

        return run

    def build_Call(self, node: nodes.Call) -> Evaluator:
        args, impl = tuple(self.build(arg) for arg in node.args), FUNCTIONS[node.name].impl

        def run(ctx: Context) -> Value:
            ctx.remaining -= 1
            if ctx.remaining < 0:
                raise _over_budget(ctx, node)
            values = [arg(ctx) for arg in args]
            try:
                return impl(*values)
            except RuleRuntimeError as exc:
                raise exc.at(node.line, node.column) from None

        return run

    def build_match(self, node: nodes.Binary) -> Evaluator:
        """``like`` (glob, whole text), ``rlike``/``irlike`` (regex, anywhere in the text).

        A list on the left matches when any of its items does, so
        ``added_links irlike "casino"`` reads naturally.
        """
        subject, pattern_of = self.build(node.left), self.pattern_source(node)
        anchored = node.op == "like"

        def run(ctx: Context) -> Value:
            ctx.remaining -= 1
            if ctx.remaining < 0:
                raise _over_budget(ctx, node)
            value = subject(ctx)
            try:
                pattern = pattern_of(ctx)
                texts = value if isinstance(value, list) else (value,)
                return _timed_match(pattern, [to_text(t) for t in texts], anchored, ctx)
            except RuleRuntimeError as exc:
                raise exc.at(node.line, node.column) from None

        return run

    def pattern_source(self, node: nodes.Binary) -> Callable[[Context], regexes.Pattern]:
        """A pattern without variables (a literal, or e.g. ``"a" + "b"``) is compiled now,
        so a bad one is a syntax error at its position; one built from variables is
        compiled at run time, once, through the rule's cache."""
        kind, right = node.op, node.right
        source = self.build(right)
        if id(right) not in self.dynamic:
            try:
                constant = source(Context({}, _FOLD_BUDGET, _FOLD_REGEX_TIMEOUT))
                pattern = regexes.build(kind, to_text(constant))
            except (ValueError, RuleRuntimeError) as exc:
                message = exc.message if isinstance(exc, RuleRuntimeError) else str(exc)
                raise RuleSyntaxError(message, right.line, right.column) from None
            return lambda ctx: pattern
        cache = self.patterns

        def dynamic(ctx: Context) -> regexes.Pattern:
            text = to_text(source(ctx))
            try:
                return cache.get(kind, text)
            except ValueError as exc:
                raise RuleRuntimeError(str(exc)) from None

        return dynamic


def _timed_match(pattern: regexes.Pattern, texts: list[str], anchored: bool, ctx: Context) -> bool:
    """RE2 runs in linear time but cannot be interrupted, so the bound is checked after the
    match: a match over ``regex_timeout`` fails the evaluation (the caller can then log and
    disable the filter) instead of silently slowing every message."""
    match = pattern.fullmatch if anchored else pattern.search
    started = time.perf_counter()
    try:
        found = any(match(text) is not None for text in texts)
    except UnicodeEncodeError:
        # RE2 matches UTF-8, and a lone surrogate (valid in JSON "\ud800") cannot be
        # encoded. Retry with those replaced rather than fail: otherwise one such character
        # would switch off every pattern filter for that message.
        found = any(match(utf8_safe(text)) is not None for text in texts)
    elapsed = time.perf_counter() - started
    if elapsed > ctx.regex_timeout:
        raise RuleRuntimeError(
            _("the pattern took %(elapsed).0f ms, over its limit of %(limit).0f ms")
            % {"elapsed": elapsed * 1000, "limit": ctx.regex_timeout * 1000}
        )
    return found


def _convert(name: str, value: object, node: nodes.Var) -> Value:
    """Values of other Python types the caller may pass: tuples and sets become lists,
    str subclasses (e.g. Django's SafeString) are fine; anything else is refused."""
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if isinstance(value, str | int | float | list):
        return value  # subclasses of the plain types
    raise RuleRuntimeError(
        _("the variable '%(name)s' holds a %(type)s, which rules cannot use")
        % {"name": name, "type": type(value).__name__},
        node.line,
        node.column,
    )
