"""``compile_rule``, ``check_syntax`` and the compiled :class:`Rule`.

Compiling does what AbuseFilter does when a filter is saved (its checkSyntax): parse, check
the names (AbuseFilter's SyntaxChecker: a variable must be a built-in or assigned before it
is read, built-in names cannot be assigned, functions must exist with the right number of
arguments), then evaluate every branch once with every built-in variable undefined, so that
what AbuseFilter would refuse then (a division by zero, a bad regular expression, an invalid
IP range, an index out of bounds...) is refused here too.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from . import nodes
from .errors import BudgetExceeded, RuleRuntimeError, RuleSyntaxError
from .evaluator import Compiler, Context, Evaluator
from .functions import FUNCTIONS, Matcher
from .i18n import _, ngettext
from .lexer import KEYWORDS, Positions, syntax_error
from .parser import parse
from .values import UNDEFINED, Value, truthy
from .variables import CHAT_ONLY, VARIABLES

try:
    from .variables import UNSUPPORTED
except ImportError:  # pragma: no cover - the lead's list
    UNSUPPORTED = frozenset()

DEFAULT_BUDGET = 1000  # AbuseFilter's $wgAbuseFilterConditionLimit
DEFAULT_REGEX_TIMEOUT = 0.05  # seconds, per pattern match
CHECK_BUDGET = 10_000  # the evaluation at save time stops there (it cannot tell more)
CHECK_REGEX_TIMEOUT = 1.0

BUILTINS: frozenset[str] = frozenset(VARIABLES)
# AbuseFilter's disabled variables it reports as "no longer in use" (old_text is the chat's).
_DISABLED = frozenset({"old_html", "minor_edit"})


class Rule:
    """A compiled rule: immutable, cheap to evaluate, safe to share between threads."""

    __slots__ = ("source", "tree", "variables", "_run", "_patterns")

    def __init__(self, source: str, tree: nodes.Node | None, run: Evaluator) -> None:
        self.source = source
        self.tree = tree
        read = frozenset(
            node.name
            for node in nodes.walk(tree)
            if isinstance(node, nodes.Var) and node.name in BUILTINS
        )
        if read & CHAT_ONLY:  # those the rule assigns before reading are its own
            read = (read - CHAT_ONLY) | _read_before_assigned(tree, read & CHAT_ONLY)
        self.variables: frozenset[str] = read
        self._run = run
        self._patterns: dict = {}

    def value(
        self,
        variables: Mapping[str, object],
        *,
        budget: int = DEFAULT_BUDGET,
        regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
    ) -> Value:
        """The value of the rule's last statement, as AbuseFilter's evaluateExpression gives
        it (possibly ``values.UNDEFINED``). A built-in variable missing from ``variables``
        is null. Raises BudgetExceeded or RuleRuntimeError, nothing else."""
        context = Context(variables, budget, Matcher(self._patterns, regex_timeout))
        try:
            return self._run(context)
        except RuleRuntimeError:
            raise
        except RecursionError:
            raise RuleRuntimeError(_("the rule is nested too deeply to evaluate here")) from None
        except Exception as exc:  # the contract: nothing but RuleRuntimeError escapes
            raise RuleRuntimeError(
                _("internal error while evaluating the rule (%(error)s)")
                % {"error": f"{type(exc).__name__}: {exc}"}
            ) from exc

    def evaluate(
        self,
        variables: Mapping[str, object],
        *,
        budget: int = DEFAULT_BUDGET,
        regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
    ) -> bool:
        """True if the rule matches (its value is true; undefined is false)."""
        result = self.value(variables, budget=budget, regex_timeout=regex_timeout)
        return result is not UNDEFINED and truthy(result)

    def __repr__(self) -> str:
        shown = " ".join(self.source.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"<Rule {shown!r}>"


class NameChecker:
    """AbuseFilter's SyntaxChecker (conservative mode, unused variables allowed)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, node: nodes.Node, pos: int | None = None) -> RuleSyntaxError:
        return syntax_error(self.source, message, node.pos if pos is None else pos, node.at)

    def check(self, node: nodes.Node | None, bound: frozenset[str]) -> frozenset[str]:
        if node is None:
            return bound
        stack_check = self.check
        if isinstance(node, nodes.Var):
            return self.lookup(node.name, node, bound)
        if isinstance(node, nodes.Literal):
            return bound
        if isinstance(node, nodes.Assign):
            bound = stack_check(node.value, bound)
            return self.assign(node.name, node, bound)
        if isinstance(node, nodes.Call):
            return self.call(node, bound)
        if isinstance(node, nodes.Conditional):
            bound = stack_check(node.condition, bound)
            left = stack_check(node.if_true, bound)
            right = stack_check(node.if_false, bound)
            return left | right
        if isinstance(node, nodes.Binary):
            # Left operand, then right (a & b is "if a then (if b then true else false)
            # else false end": b's assignments count as made, conservative mode taking
            # the union of the branches). Chains are walked in a loop, not recursively.
            rights = []
            current: nodes.Node = node
            while isinstance(current, nodes.Binary):
                rights.append(current.right)
                current = current.left
            bound = stack_check(current, bound)
            for right in reversed(rights):
                bound = stack_check(right, bound)
            return bound
        if isinstance(node, nodes.IndexAssign | nodes.Append):
            bound = self.lookup(node.name, node, bound)
            for child in node.children():
                bound = stack_check(child, bound)
            return self.assign(node.name, node, bound)
        for child in node.children():
            bound = stack_check(child, bound)
        return bound

    def call(self, node: nodes.Call, bound: frozenset[str]) -> frozenset[str]:
        function = FUNCTIONS.get(node.name)
        if function is None:
            hint = _suggest(node.name, list(FUNCTIONS))
            if hint is None:
                raise self.fail(_("unknown function '%(name)s'") % {"name": node.name}, node)
            raise self.fail(
                _("unknown function '%(name)s' (did you mean '%(suggestion)s'?)")
                % {"name": node.name, "suggestion": hint},
                node,
            )
        given = len(node.args)
        too_many = function.max_args is not None and given > function.max_args
        if given < function.min_args or too_many:
            raise self.fail(
                ngettext(
                    "%(name)s() takes %(arity)s, but %(given)d was given",
                    "%(name)s() takes %(arity)s, but %(given)d were given",
                    given,
                )
                % {"name": node.name, "arity": function.arity_text(), "given": given},
                node,
            )
        if function.handler == "set":
            first = node.args[0]
            if not (isinstance(first, nodes.Literal) and first.is_string):
                raise self.fail(
                    _("set and set_var take the variable's name as a literal text, in quotes"),
                    node,
                )
            bound = self.check(node.args[1], bound)
            return self.assign(str(first.value).lower(), node, bound, first.pos)
        for arg in node.args:
            bound = self.check(arg, bound)
        return bound

    def reserved(self, name: str) -> bool:
        return name in BUILTINS or name in UNSUPPORTED or name in FUNCTIONS or name in KEYWORDS

    def assign(
        self, name: str, node: nodes.Node, bound: frozenset[str], pos: int | None = None
    ) -> frozenset[str]:
        if name in CHAT_ONLY:  # not AbuseFilter's: a user variable there
            return bound | {name}
        if self.reserved(name) or name in _DISABLED:
            raise self.fail(
                _("'%(name)s' is a built-in name: it cannot be assigned") % {"name": name},
                node,
                pos,
            )
        return bound | {name}

    def lookup(self, name: str, node: nodes.Node, bound: frozenset[str]) -> frozenset[str]:
        if name in bound or name in BUILTINS:
            return bound
        if name in UNSUPPORTED or name in _DISABLED:
            raise self.fail(
                _("the AbuseFilter variable '%(name)s' has no meaning in the chat")
                % {"name": name},
                node,
            )
        if self.reserved(name):
            raise self.fail(
                _("'%(name)s' is a built-in name, not a variable") % {"name": name}, node
            )
        hint = _suggest(name, [*BUILTINS, *bound])
        if hint is None:
            raise self.fail(_("unknown variable '%(name)s'") % {"name": name}, node)
        raise self.fail(
            _("unknown variable '%(name)s' (did you mean '%(suggestion)s'?)")
            % {"name": name, "suggestion": hint},
            node,
        )


def _assigned_names(tree: nodes.Node | None) -> frozenset[str]:
    """Every name the rule assigns (:=, a[i] :=, a[] :=, set and set_var)."""
    names = set()
    for node in nodes.walk(tree):
        if isinstance(node, nodes.Assign | nodes.IndexAssign | nodes.Append):
            names.add(node.name)
        elif isinstance(node, nodes.Call) and node.name in ("set", "set_var") and node.args:
            first = node.args[0]
            if isinstance(first, nodes.Literal) and first.is_string:
                names.add(str(first.value).lower())
    return frozenset(names)


def _read_before_assigned(tree: nodes.Node | None, names: frozenset[str]) -> frozenset[str]:
    """Those of ``names`` that some evaluation may read before the rule has assigned them
    (in the order of evaluation; an assignment in one branch of an ``if``, or to the right
    of ``&`` or ``|``, may not happen, so it does not count after it)."""
    found: set[str] = set()

    def visit(node: nodes.Node | None, assigned: frozenset[str]) -> frozenset[str]:
        if node is None:
            return assigned
        if isinstance(node, nodes.Var):
            if node.name in names and node.name not in assigned:
                found.add(node.name)
            return assigned
        if isinstance(node, nodes.Assign):
            return visit(node.value, assigned) | {node.name}
        if isinstance(node, nodes.IndexAssign | nodes.Append):
            if node.name in names and node.name not in assigned:
                found.add(node.name)  # the array is read first
            for child in node.children():
                assigned = visit(child, assigned)
            return assigned | {node.name}
        if isinstance(node, nodes.Call) and node.name in ("set", "set_var"):
            assigned = visit(node.args[1], assigned)
            first = node.args[0]
            return assigned | {str(first.value).lower()}  # type: ignore[attr-defined]
        if isinstance(node, nodes.Conditional):
            assigned = visit(node.condition, assigned)
            when_true = visit(node.if_true, assigned)
            when_false = visit(node.if_false, assigned)
            return when_true & when_false
        if isinstance(node, nodes.Binary):  # chains in a loop, not by recursion
            links: list[nodes.Binary] = []
            current: nodes.Node = node
            while isinstance(current, nodes.Binary):
                links.append(current)
                current = current.left
            assigned = visit(current, assigned)
            for link in reversed(links):
                after = visit(link.right, assigned)
                if not (link.kind == "logic" and link.op in ("&", "|")):
                    assigned = after
            return assigned
        for child in node.children():
            assigned = visit(child, assigned)
        return assigned

    visit(tree, frozenset())
    return frozenset(found)


def _suggest(name: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(name.lower(), known, n=1)
    return close[0] if close else None


def compile_rule(source: str, *, dry_run: bool = True) -> Rule:
    """Parse, check and compile a rule; raises RuleSyntaxError (with 1-based line and
    column, and AbuseFilter's position as ``offset``). ``dry_run=False`` skips the
    evaluation with undefined variables (AbuseFilter's parse() does not do it, only its
    syntax check when a filter is saved)."""
    if not isinstance(source, str):
        raise TypeError(f"a rule's source must be str, not {type(source).__name__}")
    tree = parse(source)
    NameChecker(source).check(tree, frozenset())
    run = Compiler(source, BUILTINS, _assigned_names(tree) & CHAT_ONLY).build(tree)
    rule = Rule(source, tree, run)
    if dry_run:
        _dry_run(rule)
    return rule


def _dry_run(rule: Rule) -> None:
    """Evaluate every branch with the built-in variables undefined, as AbuseFilter's syntax
    check does: the errors AbuseFilter raises then are syntax errors."""
    context = Context({}, CHECK_BUDGET, Matcher(rule._patterns, CHECK_REGEX_TIMEOUT), check=True)
    try:
        rule._run(context)
    except BudgetExceeded:
        return
    except RuleRuntimeError as exc:
        if exc.code is None:
            return  # the chat's own limits (text length...): not a verdict on the syntax
        line, column = exc.line, exc.column
        if line is None or column is None:  # pragma: no cover - every coded error has one
            line, column = Positions(rule.source).line_column(0)
        error = RuleSyntaxError(exc.message, line, column, code=exc.code)
        error.offset = exc.offset
        raise error from None
    except RecursionError:
        return


def check_syntax(source: str) -> list[RuleSyntaxError]:
    """The syntax errors of ``source``: [] when it compiles (at most one today)."""
    try:
        compile_rule(source)
    except RuleSyntaxError as error:
        return [error]
    return []
