"""The abuse-filter rule language: MediaWiki AbuseFilter's language (as of MediaWiki 1.39),
with its semantics, for moderators to describe messages to flag or refuse; a filter pasted
from the wiki works here and means the same (docs/abuse-filters.md, "Differences from
AbuseFilter", lists the few intended differences, all but one from RE2 replacing PCRE).

Pure Python (no Django). The full language reference, with examples, is in
``docs/abuse-filters.md``.

API
===

::

    from moderation.rules import (
        compile_rule, check_syntax, Rule, RuleSyntaxError, RuleRuntimeError, BudgetExceeded,
        to_api, UNDEFINED,
    )

    rule: Rule = compile_rule(source, dry_run=True)
        # Raises RuleSyntaxError(message, line, column): line/column are 1-based, message is
        # a sentence naming what was expected and what was found; ``offset`` (0-based
        # character) and ``code`` (AbuseFilter's exception id) too. Saving does what
        # AbuseFilter's syntax check does: the names are checked (unknown variables and
        # functions, assignments to built-ins, AbuseFilter variables that mean nothing in
        # the chat), then, unless dry_run=False, every branch runs once with the built-ins
        # undefined, so constant errors (division by zero, a bad regex, an invalid IP range,
        # a missing array item) are refused when the filter is saved.

    rule.variables -> frozenset[str]
        # The built-in variables the rule reads: compute only these.

    result: bool = rule.evaluate(variables, *, budget=1000, regex_timeout=0.05)
    value = rule.value(variables, ...)   # the last statement's value (to_api(value): JSON
                                         # as AbuseFilter's evalexpression API writes it)
        # variables: dict name -> str | int | float | bool | None | list. A built-in the
        # caller left out reads as null, as in AbuseFilter. Raises BudgetExceeded when the
        # rule uses more than ``budget`` conditions, counted as AbuseFilter counts them
        # (comparisons, keyword operators and function calls; a repeated identical call is
        # free), or RuleRuntimeError: a type error, a pattern built at run time that does
        # not compile, a match over ``regex_timeout`` seconds (RE2 cannot be interrupted
        # but is linear-time; the bound is checked after each match), a text over 100,000
        # characters... Nothing else escapes. BudgetExceeded is a subclass of
        # RuleRuntimeError; both carry the failing node's line/column when known.

    check_syntax(source) -> list[RuleSyntaxError]
        # [] if the rule compiles (the admin editor's check as you type).

    VARIABLES   # name -> short description of every variable a rule may read
    FUNCTIONS   # name -> Function(signature, summary, arities) for every function

A compiled Rule is immutable and thread-safe; compile once per filter version and keep it.

Safety
======

* No ``eval``: a port of AbuseFilter's tokenizer and tree parser builds a syntax tree that
  the evaluator walks.
* Regular expressions (``rlike``, ``irlike``, the regex functions) and globs (``like``) run
  on RE2, which matches in linear time, so no pattern can hang the server; AbuseFilter's
  PCRE patterns are translated, and what needs backtracking (backreferences, lookaround...)
  is refused when the filter is saved, naming the feature.
* Every evaluation has a condition budget; texts are capped at 100,000 characters, arrays
  at 10,000 items; nesting is capped when the rule is parsed.
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
