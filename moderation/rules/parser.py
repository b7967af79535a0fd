"""AbuseFilter's AFPTreeParser, ported: tokens to the syntax tree in ``nodes``.

The levels, loosest first, exactly as AbuseFilter's recursive descent has them::

    ;                       statements (empty ones allowed); the last one's value is the result
    :=  x[i] :=  x[] :=     assignment (right to left)
    if..then..else..end ?:  conditionals
    &  |  ^                 one level, left to right: a | b & c is (a | b) & c
    == != === !== = < <= > >=   at most one equality and one ordering in a row
    +  -
    *  /  %
    **                      left to right
    !                       (once: !!a is an error, as in AbuseFilter)
    in contains like matches rlike regex irlike   (not chained)
    unary - +               (once)
    x[i]
    ( )  f(...)  literals, variables, [arrays]

Error offsets are AbuseFilter's positions; line and column point at the offending token.
"""

from __future__ import annotations

from typing import NoReturn

from . import lexer, nodes
from .errors import RuleSyntaxError
from .i18n import _
from .lexer import Token, syntax_error

KEYWORD_OPERATORS = frozenset({"in", "like", "matches", "contains", "rlike", "irlike", "regex"})
EQUALITY = ("==", "===", "!=", "!==", "=")
ORDERING = ("<", ">", "<=", ">=")
VARIADIC = frozenset(
    {"ccnorm_contains_any", "ccnorm_contains_all", "ip_in_ranges", "contains_any",
     "contains_all", "equals_to_any"}
)  # fmt: skip

MAX_NESTING = 50  # brackets, conditionals and assignments inside each other
MAX_TREE_DEPTH = 200  # the evaluator recurses this deep at most


def describe(token: Token) -> str:
    """How a message names a token: "found <describe()>"."""
    if token.type == lexer.NONE:
        return _("the end of the rule")
    if token.type == lexer.STRING:
        shown = str(token.value)
        shown = shown if len(shown) <= 30 else shown[:27] + "..."
        return _('the text "%(text)s"') % {"text": shown}
    if token.type in (lexer.INT, lexer.FLOAT):
        return _("the number %(number)s") % {"number": token.shown()}
    if token.type == lexer.KEYWORD:
        return _("the keyword '%(keyword)s'") % {"keyword": token.value}
    if token.type == lexer.ID:
        return _("the name '%(name)s'") % {"name": token.value}
    return _("'%(token)s'") % {"token": token.value}


class Parser:
    def __init__(self, source: str) -> None:
        if len(source) > lexer.MAX_SOURCE:
            error = RuleSyntaxError(
                _("the rule is too long: at most %(max)s characters")
                % {"max": f"{lexer.MAX_SOURCE:,}"},
                1,
                1,
            )
            error.offset = 0
            raise error
        self.source = source
        self.tokens = lexer.tokenize(source)
        self.index = -1
        self.cur: Token = self.tokens[0]
        self.nesting = 0

    # -- AbuseFilter's token stream ---------------------------------------------------

    @property
    def pos(self) -> int:
        """AbuseFilter's mPos: just past the current token."""
        return self.cur.end if self.index >= 0 else 0

    def move(self) -> None:
        if self.index < len(self.tokens) - 1:
            self.index += 1
        self.cur = self.tokens[self.index]

    def next_token(self) -> Token:
        return self.tokens[min(self.index + 1, len(self.tokens) - 1)]

    def is_(self, kind: str, value: object = None) -> bool:
        return self.cur.type == kind and (value is None or self.cur.value == value)

    def fail(self, message: str) -> NoReturn:
        raise syntax_error(self.source, message, self.pos, self.cur.start)

    def expected(self, what: str) -> NoReturn:
        self.fail(
            _("expected %(expected)s, found %(found)s")
            % {"expected": what, "found": describe(self.cur)}
        )

    def unexpected(self) -> NoReturn:
        before = self.tokens[self.index - 1] if self.index >= 1 else None
        if before is not None and before.type in (lexer.OP, lexer.KEYWORD, lexer.COMMA):
            self.fail(
                _("expected a value after %(before)s, found %(found)s")
                % {"before": describe(before), "found": describe(self.cur)}
            )
        if self.index == 0 or (before is not None and before.type != lexer.ID):
            self.fail(_("expected a value, found %(found)s") % {"found": describe(self.cur)})
        self.fail(_("unexpected %(found)s") % {"found": describe(self.cur)})

    def unclosed(self, opener: Token, closer: str) -> NoReturn:
        line, column = lexer.Positions(self.source).line_column(opener.start)
        where = _("line %(line)d, column %(column)d") % {"line": line, "column": column}
        self.fail(
            _("expected %(closer)s to close the %(opener)s at %(where)s, found %(found)s")
            % {
                "closer": closer,
                "opener": f"'{opener.value}'",
                "where": where,
                "found": describe(self.cur),
            }
        )

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            self.fail(
                _(
                    "the rule nests too deeply: at most %(max)d levels of brackets, "
                    "conditions and assignments inside each other"
                )
                % {"max": MAX_NESTING}
            )

    # -- levels ------------------------------------------------------------------------

    def parse(self) -> nodes.Node | None:
        result = self.statements()
        if self.cur.type != lexer.NONE:
            self.fail(
                _("expected the end of the rule, found %(found)s") % {"found": describe(self.cur)}
            )
        return result

    def statements(self) -> nodes.Node | None:
        self.enter()
        items: list[nodes.Node] = []
        position = self.pos
        while True:
            self.move()
            position = self.pos
            if self.cur.type == lexer.NONE or self.is_(lexer.BRACE, ")"):
                break
            if self.cur.type == lexer.SEMICOLON:
                continue
            items.append(self.assignment())
            position = self.pos
            if self.cur.type != lexer.SEMICOLON:
                break
        self.nesting -= 1
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return nodes.Statements(position, items[0].at, tuple(items))

    def assignment(self) -> nodes.Node:
        if self.cur.type == lexer.ID:
            self.enter()
            try:
                found = self.try_assignment()
            finally:
                self.nesting -= 1
            if found is not None:
                return found
        return self.conditions()

    def try_assignment(self) -> nodes.Node | None:
        name_token = self.cur
        name = str(name_token.value)
        saved = self.index
        self.move()
        if self.is_(lexer.OP, ":="):
            position = self.pos
            self.move()
            value = self.assignment()
            return nodes.Assign(position, name_token.start, name.lower(), value)
        if self.is_(lexer.SQUARE, "["):
            self.move()
            index: nodes.Node | None | str
            if self.is_(lexer.SQUARE, "]"):
                index = "append"
            else:
                self.index = saved
                self.cur = self.tokens[saved]
                self.move()
                index = self.statements()
                if not self.is_(lexer.SQUARE, "]"):
                    self.expected("']'")
            self.move()
            if self.is_(lexer.OP, ":="):
                position = self.pos
                self.move()
                value = self.assignment()
                if index == "append":
                    return nodes.Append(position, name_token.start, name.lower(), value)
                if index is None:  # pragma: no cover - 'x[]' is the append form
                    self.unexpected()
                return nodes.IndexAssign(
                    position,
                    name_token.start,
                    name.lower(),
                    index,  # type: ignore[arg-type]
                    value,
                )
        self.index = saved
        self.cur = self.tokens[saved]
        return None

    def conditions(self) -> nodes.Node:
        if self.is_(lexer.KEYWORD, "if"):
            self.enter()
            position, at = self.pos, self.cur.start
            self.move()
            condition = self.bool_ops()
            if not self.is_(lexer.KEYWORD, "then"):
                self.expected("'then'")
            self.move()
            if_true = self.conditions()
            if_false = None
            if self.is_(lexer.KEYWORD, "else"):
                self.move()
                if_false = self.conditions()
            if not self.is_(lexer.KEYWORD, "end"):
                self.expected("'end'")
            self.move()
            self.nesting -= 1
            return nodes.Conditional(position, at, condition, if_true, if_false)
        condition = self.bool_ops()
        if self.is_(lexer.OP, "?"):
            self.enter()
            position, at = self.pos, self.cur.start
            self.move()
            if_true = self.conditions()
            if not self.is_(lexer.OP, ":"):
                self.expected("':'")
            self.move()
            if_false = self.conditions()
            self.nesting -= 1
            return nodes.Conditional(position, at, condition, if_true, if_false)
        return condition

    def bool_ops(self) -> nodes.Node:
        left = self.compares()
        while self.cur.type == lexer.OP and self.cur.value in ("&", "|", "^"):
            op, position, at = str(self.cur.value), self.pos, self.cur.start
            self.move()
            right = self.compares()
            left = nodes.Binary(position, at, "logic", op, left, right)
        return left

    def compares(self) -> nodes.Node:
        left = self.sums()
        allowed = EQUALITY + ORDERING
        while self.cur.type == lexer.OP and self.cur.value in allowed:
            op, position, at = str(self.cur.value), self.pos, self.cur.start
            # At most one of each group, as AbuseFilter (and PHP) allow: a < b == c, not
            # a < b < c, nor a == b < c == d.
            used = EQUALITY if op in EQUALITY else ORDERING
            allowed = tuple(other for other in allowed if other not in used)
            self.move()
            right = self.sums()
            left = nodes.Binary(position, at, "compare", op, left, right)
        return left

    def sums(self) -> nodes.Node:
        left = self.products()
        while self.cur.type == lexer.OP and self.cur.value in ("+", "-"):
            op, position, at = str(self.cur.value), self.pos, self.cur.start
            self.move()
            right = self.products()
            left = nodes.Binary(position, at, "sum", op, left, right)
        return left

    def products(self) -> nodes.Node:
        left = self.powers()
        while self.cur.type == lexer.OP and self.cur.value in ("*", "/", "%"):
            op, position, at = str(self.cur.value), self.pos, self.cur.start
            self.move()
            right = self.powers()
            left = nodes.Binary(position, at, "mul", op, left, right)
        return left

    def powers(self) -> nodes.Node:
        base = self.bool_invert()
        while self.is_(lexer.OP, "**"):
            position, at = self.pos, self.cur.start
            self.move()
            exponent = self.bool_invert()
            base = nodes.Binary(position, at, "pow", "**", base, exponent)
        return base

    def bool_invert(self) -> nodes.Node:
        if self.is_(lexer.OP, "!"):
            position, at = self.pos, self.cur.start
            self.move()
            return nodes.Not(position, at, self.keyword_operators())
        return self.keyword_operators()

    def keyword_operators(self) -> nodes.Node:
        left = self.unarys()
        if self.cur.type == lexer.KEYWORD and self.cur.value in KEYWORD_OPERATORS:
            keyword, position, at = str(self.cur.value), self.pos, self.cur.start
            self.move()
            right = self.unarys()
            return nodes.Binary(position, at, "keyword", keyword, left, right)
        return left

    def unarys(self) -> nodes.Node:
        if self.cur.type == lexer.OP and self.cur.value in ("+", "-"):
            op, position, at = str(self.cur.value), self.pos, self.cur.start
            self.move()
            return nodes.Unary(position, at, op, self.array_elements())
        return self.array_elements()

    def array_elements(self) -> nodes.Node:
        array = self.parenthesis()
        while self.is_(lexer.SQUARE, "["):
            position, at = self.pos, self.cur.start
            offset = self.statements()
            if offset is None:
                self.expected("']'")
            array = nodes.Index(position, at, array, offset)
            if not self.is_(lexer.SQUARE, "]"):
                self.expected("']'")
            self.move()
        return array

    def parenthesis(self) -> nodes.Node:
        if self.is_(lexer.BRACE, "("):
            opener = self.cur
            following = self.next_token()
            if following.type == lexer.BRACE and following.value == ")":
                self.fail(_("empty parentheses: expected a value between '(' and ')'"))
            result = self.statements()
            if not self.is_(lexer.BRACE, ")"):
                self.unclosed(opener, "')'")
            self.move()
            if result is None:  # pragma: no cover - '()' is refused above
                self.unexpected()
            return result
        return self.function()

    def function(self) -> nodes.Node:
        following = self.next_token()
        if self.cur.type == lexer.ID and following.type == lexer.BRACE and following.value == "(":
            name, position, at = str(self.cur.value), self.pos, self.cur.start
            self.move()
            opener = self.cur
            args: list[nodes.Node] = []
            following = self.next_token()
            if not (following.type == lexer.BRACE and following.value == ")"):
                while True:
                    arg = self.statements()
                    if arg is not None:
                        args.append(arg)
                    elif name not in VARIADIC:
                        self.unexpected()
                    if self.cur.type != lexer.COMMA:
                        break
            else:
                self.move()
            if not self.is_(lexer.BRACE, ")"):
                self.unclosed(opener, "',' or ')'")
            self.move()
            return nodes.Call(position, at, name, tuple(args))
        return self.atom()

    def atom(self) -> nodes.Node:
        token = self.cur
        if token.type == lexer.ID:
            # AbuseFilter reports a variable at its token's own position.
            result: nodes.Node = nodes.Var(token.pos, token.start, str(token.value).lower())
        elif token.type == lexer.STRING:
            result = nodes.Literal(token.pos, token.start, str(token.value), True)
        elif token.type in (lexer.INT, lexer.FLOAT):
            result = nodes.Literal(self.pos, token.start, token.value)  # type: ignore[arg-type]
        elif token.type == lexer.KEYWORD:
            constants = {"true": True, "false": False, "null": None}
            if token.value not in constants:
                self.unexpected()
            result = nodes.Literal(self.pos, token.start, constants[str(token.value)])
        elif self.is_(lexer.SQUARE, "["):
            at, opener = token.start, token
            items: list[nodes.Node] = []
            # An array inside an array counts as a level, as brackets do: "[[[[...]]]]"
            # a few hundred deep would otherwise end the parse with RecursionError.
            self.enter()
            while True:
                self.move()
                if self.is_(lexer.SQUARE, "]"):
                    break
                items.append(self.assignment())
                if self.is_(lexer.SQUARE, "]"):
                    break
                if self.cur.type != lexer.COMMA:
                    self.unclosed(opener, "',' or ']'")
            self.nesting -= 1
            result = nodes.ArrayDef(self.pos, at, tuple(items))
        else:
            self.unexpected()
        self.move()
        return result


def parse(source: str) -> nodes.Node | None:
    """Parse a rule's text (None for a rule with no statements); raises RuleSyntaxError."""
    parser = Parser(source)
    tree = parser.parse()
    if eval_depth(tree) > MAX_TREE_DEPTH:
        raise syntax_error(
            source,
            _("the rule is too deeply nested: at most %(max)d operations inside each other")
            % {"max": MAX_TREE_DEPTH},
            0,
        )
    return tree


def eval_depth(tree: nodes.Node | None) -> int:
    """How deep the evaluator recurses: chains of the same operator (a | b | c ...) are
    evaluated in a loop, so they count once."""
    best = 0
    stack: list[tuple[nodes.Node, int]] = [(tree, 1)] if tree is not None else []
    while stack:
        node, level = stack.pop()
        best = max(best, level)
        if isinstance(node, nodes.Binary) and node.kind not in ("keyword", "pow"):
            left = node.left
            if isinstance(left, nodes.Binary) and left.kind == node.kind:
                stack.append((left, level))
                stack.append((node.right, level + 1))
                continue
        stack.extend((child, level + 1) for child in node.children())
    return best
