"""The abuse-filter rule language: a small, safe expression language in the spirit of
MediaWiki's AbuseFilter, for moderators to describe messages to flag or refuse.

Pure Python (no Django). The full language reference, with examples, is in
``docs/abuse-filters.md``.

API
===

::

    from moderation.rules import (
        compile_rule, check_syntax, Rule, RuleSyntaxError, RuleRuntimeError, BudgetExceeded,
    )

    rule: Rule = compile_rule(source)
        # Raises RuleSyntaxError(message, line, column): line/column are 1-based, message is
        # a sentence naming what was expected and what was found; str(error) is
        # "Line 2, column 14: expected ')' to close the '(' at column 3, found end of rule".
        # Unknown variables or functions, wrong argument counts and regex literals that do
        # not compile are all syntax errors, reported here, when the filter is saved.

    rule.variables -> frozenset[str]
        # The variables the rule reads: compute only these (others may be left out).

    result: bool = rule.evaluate(variables, *, budget=1000, regex_timeout=0.05)
        # variables: dict name -> str | int | float | bool | None | list (tuples and sets
        # are accepted as lists). Raises BudgetExceeded when the rule uses more than
        # ``budget`` conditions (every comparison, operator and function call counts 1;
        # parts without variables are computed once at compile time and count 0),
        # or RuleRuntimeError: a type error, a variable the rule reads but ``variables``
        # lacks, a pattern built at run time that does not compile, a pattern match that
        # took longer than ``regex_timeout`` seconds (RE2 cannot be interrupted, but is
        # linear-time; the bound is checked after each match), a text over 100,000
        # characters...
        # Nothing else escapes. BudgetExceeded is a subclass of RuleRuntimeError (catch it
        # first to tell them apart); both carry the failing node's line/column when known.

    check_syntax(source) -> list[RuleSyntaxError]
        # [] if the rule compiles (for the admin's "check syntax" button).

    VARIABLES   # name -> short description of every variable a rule may use
    FUNCTIONS   # name -> Function(signature, summary, arities) for every function

A compiled Rule is immutable and thread-safe; compile once per filter version and keep it.

Safety
======

* No ``eval``: a hand-written lexer and Pratt parser build a syntax tree, compiled to closures.
* Regular expressions (``rlike``, ``irlike``) and globs (``like``) run on RE2, which matches
  in linear time, so no pattern can hang the server; the price is no backreferences or
  lookaround, which are refused at compile time with a message saying so.
* Every evaluation has a condition budget; texts are capped at 100,000 characters, lists
  at 10,000 items, integers at 2**63; nesting is capped at compile time.
"""

from .errors import BudgetExceeded, RuleError, RuleRuntimeError, RuleSyntaxError
from .functions import FUNCTIONS, Function
from .rule import DEFAULT_BUDGET, DEFAULT_REGEX_TIMEOUT, Rule, check_syntax, compile_rule
from .values import UNDEFINED, to_api
from .variables import VARIABLES

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_REGEX_TIMEOUT",
    "FUNCTIONS",
    "VARIABLES",
    "BudgetExceeded",
    "Function",
    "Rule",
    "RuleError",
    "RuleRuntimeError",
    "RuleSyntaxError",
    "UNDEFINED",
    "check_syntax",
    "compile_rule",
    "to_api",
]
