"""``compile_rule``, ``check_syntax`` and the compiled :class:`Rule`."""

from __future__ import annotations

from collections.abc import Mapping

from . import nodes
from .errors import RuleRuntimeError, RuleSyntaxError
from .evaluator import Context, Evaluator, compile_tree
from .i18n import _
from .parser import parse
from .values import truthy

DEFAULT_BUDGET = 1000
DEFAULT_REGEX_TIMEOUT = 0.05  # seconds, per pattern match


class Rule:
    """A compiled rule: immutable, cheap to evaluate, safe to share between threads."""

    __slots__ = ("source", "tree", "variables", "_run")

    def __init__(self, source: str, tree: nodes.Node, run: Evaluator) -> None:
        self.source = source
        self.tree = tree
        self.variables: frozenset[str] = frozenset(
            node.name for node in nodes.walk(tree) if isinstance(node, nodes.Var)
        )
        self._run = run

    def evaluate(
        self,
        variables: Mapping[str, object],
        *,
        budget: int = DEFAULT_BUDGET,
        regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
    ) -> bool:
        """True if the rule matches. Only ``variables`` the rule reads (``self.variables``)
        need to be present. Raises BudgetExceeded or RuleRuntimeError, nothing else."""
        context = Context(variables, budget, regex_timeout)
        try:
            return truthy(self._run(context))
        except RuleRuntimeError:
            raise
        except RecursionError:
            raise RuleRuntimeError(_("the rule is nested too deeply to evaluate here")) from None
        except Exception as exc:  # the contract: nothing but RuleRuntimeError escapes
            raise RuleRuntimeError(
                _("internal error while evaluating the rule (%(error)s)")
                % {"error": f"{type(exc).__name__}: {exc}"}
            ) from exc

    def __repr__(self) -> str:
        shown = " ".join(self.source.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"<Rule {shown!r}>"


def compile_rule(source: str) -> Rule:
    """Parse and compile a rule; raises RuleSyntaxError (with 1-based line and column)."""
    if not isinstance(source, str):
        raise TypeError(f"a rule's source must be str, not {type(source).__name__}")
    tree = parse(source)
    return Rule(source, tree, compile_tree(tree))


def check_syntax(source: str) -> list[RuleSyntaxError]:
    """The syntax errors of ``source``: [] when it compiles. Parsing stops at the first
    error, so the list has at most one item today; it is a list so the admin's "check
    syntax" button need not change if the parser learns to recover and report more."""
    try:
        compile_rule(source)
    except RuleSyntaxError as error:
        return [error]
    return []
