"""A Pratt (precedence-climbing) parser from tokens to the syntax tree in ``nodes``.

Everything that can be known without a message is checked here, so a broken filter is
refused when it is saved rather than discovered while messages flow: unknown variables and
functions, argument counts, unbalanced brackets, chained comparisons, nesting depth.

Precedence, lowest first (``a | b & c`` is ``a | (b & c)``, as in most languages; MediaWiki
gives ``&`` and ``|`` the same level, so add parentheses when porting rules that mix them):

    |    ^    &    !    == != === !== < <= > >=    in contains like rlike irlike
    + -    * / %    unary - +    literals, variables, calls, ( ), [ ]
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import NoReturn

from . import nodes
from .errors import RuleSyntaxError
from .functions import FUNCTIONS
from .i18n import _, ngettext
from .lexer import Kind, Token, tokenize
from .variables import VARIABLES

BP_OR, BP_XOR, BP_AND, BP_NOT = 10, 20, 30, 40
BP_COMPARE, BP_KEYWORD, BP_SUM, BP_PRODUCT, BP_UNARY = 50, 60, 70, 80, 90

COMPARISONS = frozenset({"==", "!=", "===", "!==", "<", "<=", ">", ">="})
KEYWORD_OPS = {  # keyword -> canonical operator (MediaWiki's aliases included)
    "in": "in",
    "contains": "contains",
    "like": "like",
    "matches": "like",
    "rlike": "rlike",
    "regex": "rlike",
    "irlike": "irlike",
}
BINDING = {"|": BP_OR, "^": BP_XOR, "&": BP_AND}
BINDING |= dict.fromkeys(COMPARISONS, BP_COMPARE)
BINDING |= dict.fromkeys(KEYWORD_OPS.values(), BP_KEYWORD)
BINDING |= {"+": BP_SUM, "-": BP_SUM, "*": BP_PRODUCT, "/": BP_PRODUCT, "%": BP_PRODUCT}

MAX_SOURCE = 65_536  # characters
MAX_NESTING = 50  # brackets/operators inside each other while parsing
MAX_TREE_DEPTH = 100  # the evaluator recurses this deep at most


def infix_operator(token: Token) -> str | None:
    """The canonical infix operator a token stands for, or None."""
    if token.kind is Kind.OP and token.value in BINDING:
        return str(token.value)
    if token.kind is Kind.KEYWORD and token.value in KEYWORD_OPS:
        return KEYWORD_OPS[str(token.value)]
    return None


def where(token: Token, other: Token) -> str:
    """ "column 3", or "line 1, column 3" when ``token`` is on another line than ``other``."""
    if token.line == other.line:
        return _("column %(column)d") % {"column": token.column}
    return _("line %(line)d, column %(column)d") % {"line": token.line, "column": token.column}


def suggestion(name: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(name, known, n=1)
    return close[0] if close else None


class Parser:
    def __init__(self, source: str) -> None:
        if len(source) > MAX_SOURCE:
            raise RuleSyntaxError(
                _("the rule is too long: at most %(max)s characters") % {"max": f"{MAX_SOURCE:,}"},
                1,
                1,
            )
        self.tokens = tokenize(source)
        self.index = 0
        self.nesting = 0

    # -- token stream ------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.EOF:
            self.index += 1
        return token

    def at_op(self, op: str) -> bool:
        token = self.peek()
        return token.kind is Kind.OP and token.value == op

    @staticmethod
    def fail(message: str, token: Token) -> NoReturn:
        raise RuleSyntaxError(message, token.line, token.column)

    # -- grammar -----------------------------------------------------------------------

    def parse(self) -> nodes.Node:
        if self.peek().kind is Kind.EOF:
            self.fail(
                _('the rule is empty: expected a condition, such as text contains "spam"'),
                self.peek(),
            )
        tree = self.expression(0)
        token = self.peek()
        if token.kind is not Kind.EOF:
            self.fail(
                _(
                    "expected an operator (such as '&', '|', '==' or 'contains') or the end of "
                    "the rule, found %(found)s"
                )
                % {"found": token.describe()},
                token,
            )
        self.check_depth(tree)
        return tree

    def expression(self, min_binding: int) -> nodes.Node:
        """Parse operators binding tighter than ``min_binding`` (the Pratt loop)."""
        self.enter()
        left = self.prefix()
        after_comparison = False
        while True:
            token = self.peek()
            op = infix_operator(token)
            if op is None or BINDING[op] <= min_binding:
                break
            if op in COMPARISONS and after_comparison:
                self.fail(
                    _(
                        "comparisons cannot be chained: expected '&' or '|' between two "
                        "comparisons, found '%(operator)s'"
                    )
                    % {"operator": op},
                    token,
                )
            self.advance()
            if op in ("&", "|"):
                left = self.bool_chain(op, token, left)
            else:
                right = self.expression(BINDING[op])
                left = nodes.Binary(token.line, token.column, op, left, right)
            after_comparison = op in COMPARISONS
        self.nesting -= 1
        return left

    def bool_chain(self, op: str, token: Token, first: nodes.Node) -> nodes.BoolOp:
        """``a | b | c`` as one flat node: long chains stay shallow."""
        operands = [first, self.expression(BINDING[op])]
        while infix_operator(self.peek()) == op:
            self.advance()
            operands.append(self.expression(BINDING[op]))
        return nodes.BoolOp(token.line, token.column, op, tuple(operands))

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            self.fail(
                _(
                    "the rule nests too deeply: at most %(max)d levels of brackets "
                    "and operators inside each other"
                )
                % {"max": MAX_NESTING},
                self.peek(),
            )

    def prefix(self) -> nodes.Node:
        start = self.index
        token = self.advance()
        if token.kind in (Kind.NUMBER, Kind.STRING):
            return nodes.Literal(token.line, token.column, token.value)  # type: ignore[arg-type]
        if token.kind is Kind.KEYWORD and token.value in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[str(token.value)]
            return nodes.Literal(token.line, token.column, value)
        if token.kind is Kind.NAME:
            return self.name(token)
        if token.kind is Kind.OP:
            handler = self.prefix_handlers().get(str(token.value))
            if handler is not None:
                return handler(token)
        before = self.operator_before(start)
        if before is None:
            self.fail(_("expected a value, found %(found)s") % {"found": token.describe()}, token)
        self.fail(
            _("expected a value after %(before)s, found %(found)s")
            % {"before": before.describe(), "found": token.describe()},
            token,
        )

    def prefix_handlers(self) -> dict[str, Callable[[Token], nodes.Node]]:
        return {
            "(": self.group,
            "[": self.list_literal,
            "!": self.unary,
            "-": self.unary,
            "+": self.unary,
        }

    def operator_before(self, index: int) -> Token | None:
        """The operator before a missing value ("expected a value after '=='"), if any."""
        before = self.tokens[index - 1] if index >= 1 else None
        if before is not None and before.kind in (Kind.OP, Kind.KEYWORD):
            return before
        return None

    def unary(self, token: Token) -> nodes.Node:
        binding = BP_NOT if token.value == "!" else BP_UNARY
        operand = self.expression(binding)
        return nodes.Unary(token.line, token.column, str(token.value), operand)

    def group(self, opener: Token) -> nodes.Node:
        inner = self.expression(0)
        self.close(
            ")",
            opener,
            lambda values: (
                _("expected ')' to close the '(' at %(where)s, found %(found)s") % values
            ),
        )
        return inner

    def list_literal(self, opener: Token) -> nodes.Node:
        items = self.comma_separated(
            "]",
            opener,
            lambda values: (
                _("expected ',' or ']' to close the list opened at %(where)s, found %(found)s")
                % values
            ),
        )
        return nodes.ListExpr(opener.line, opener.column, tuple(items))

    def comma_separated(
        self, closer: str, opener: Token, unclosed: Callable[[dict[str, str]], str]
    ) -> list[nodes.Node]:
        items: list[nodes.Node] = []
        if self.at_op(closer):
            self.advance()
            return items
        while True:
            items.append(self.expression(0))
            if self.at_op(","):
                self.advance()
                continue
            self.close(closer, opener, unclosed)
            return items

    def close(self, closer: str, opener: Token, unclosed: Callable[[dict[str, str]], str]) -> None:
        """Take ``closer``, or fail with the sentence ``unclosed`` builds from where the
        opener was and what was found instead (each caller has its own whole sentence)."""
        token = self.peek()
        if token.kind is Kind.OP and token.value == closer:
            self.advance()
            return
        self.fail(unclosed({"where": where(opener, token), "found": token.describe()}), token)

    def name(self, token: Token) -> nodes.Node:
        name = str(token.value)
        if self.at_op("("):
            return self.call(token, name)
        if name in VARIABLES:
            return nodes.Var(token.line, token.column, name)
        if name in FUNCTIONS:
            self.fail(
                _("'%(name)s' is a function: expected '(' after it, as in %(name)s(text)")
                % {"name": name},
                token,
            )
        hint = suggestion(name, list(VARIABLES))
        if hint is None:
            self.fail(_("unknown variable '%(name)s'") % {"name": token.text}, token)
        self.fail(
            _("unknown variable '%(name)s' (did you mean '%(suggestion)s'?)")
            % {"name": token.text, "suggestion": hint},
            token,
        )

    def call(self, token: Token, name: str) -> nodes.Node:
        function = FUNCTIONS.get(name)
        if function is None:
            if name in VARIABLES:
                self.fail(
                    _("'%(name)s' is a variable, not a function: it cannot take '('")
                    % {"name": name},
                    token,
                )
            hint = suggestion(name, list(FUNCTIONS))
            if hint is None:
                self.fail(_("unknown function '%(name)s'") % {"name": token.text}, token)
            self.fail(
                _("unknown function '%(name)s' (did you mean '%(suggestion)s'?)")
                % {"name": token.text, "suggestion": hint},
                token,
            )
        opener = self.advance()
        args = self.comma_separated(
            ")",
            opener,
            lambda values: (
                _(
                    "expected ',' or ')' to close the call to %(name)s() opened at %(where)s, "
                    "found %(found)s"
                )
                % {**values, "name": name}
            ),
        )
        given = len(args)
        if given < function.min_args or (
            function.max_args is not None and given > function.max_args
        ):
            # Two numbers, so two plurals: the arity is a translated phrase of its own.
            self.fail(
                ngettext(
                    "%(name)s() takes %(arity)s, but %(given)d was given (expected %(signature)s)",
                    "%(name)s() takes %(arity)s, but %(given)d were given (expected %(signature)s)",
                    given,
                )
                % {
                    "name": name,
                    "arity": function.arity_text(),
                    "given": given,
                    "signature": function.signature,
                },
                token,
            )
        return nodes.Call(token.line, token.column, name, tuple(args))

    def check_depth(self, tree: nodes.Node) -> None:
        """Left-leaning chains (``a + b + c + ...``) are parsed in a loop, not by recursion,
        so bound the finished tree too: the evaluator recurses once per level."""
        if nodes.depth(tree) > MAX_TREE_DEPTH:
            raise RuleSyntaxError(
                _(
                    "the rule is too deeply nested: at most %(max)d operations "
                    "inside each other (split long chains of '+' with parentheses)"
                )
                % {"max": MAX_TREE_DEPTH},
                tree.line,
                tree.column,
            )


def parse(source: str) -> nodes.Node:
    """Parse a rule's text; raises RuleSyntaxError."""
    return Parser(source).parse()
