"""The three exceptions a caller of the rule language ever sees.

Compiling raises :class:`RuleSyntaxError`; evaluating raises :class:`RuleRuntimeError` or its
subclass :class:`BudgetExceeded`. All share :class:`RuleError`, so a caller that only wants
"this filter is broken" can catch one class.
"""

from __future__ import annotations

from .i18n import _


class RuleError(Exception):
    """Base class: something is wrong with a rule (its text, or one evaluation of it)."""

    # AbuseFilter's position of the error (its "character", 0-based), when known.
    offset: int | None = None
    # AbuseFilter's exception id ("dividebyzero", "regexfailure"...) for an error AbuseFilter
    # also raises; None for the chat's own limits (text length, budget, regex time).
    code: str | None = None

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        code: str | None = None,
    ) -> None:
        super().__init__(message, line, column)
        self.message = message
        self.line = line
        self.column = column
        self.code = code

    def __str__(self) -> str:
        # Moderators read these in the admin, so the position comes first, in words.
        if self.line is None or self.column is None:
            return self.message
        return _("Line %(line)d, column %(column)d: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }

    def __reduce__(self) -> tuple[type, tuple[str, int | None, int | None]]:
        return (type(self), (self.message, self.line, self.column))


class RuleSyntaxError(RuleError):
    """The rule's text is not a valid rule. ``line`` and ``column`` are 1-based."""

    line: int
    column: int

    def __init__(self, message: str, line: int, column: int, *, code: str | None = None) -> None:
        super().__init__(message, line, column, code=code)


class RuleRuntimeError(RuleError):
    """One evaluation failed: a type error, a missing variable, a bad or slow regex...

    ``line``/``column`` point at the operator or function that failed when known.
    """

    def at(self, line: int, column: int) -> RuleRuntimeError:
        """Attach a position unless an inner node already did (the innermost is the most
        precise)."""
        if self.line is None:
            self.line = line
            self.column = column
        return self


class BudgetExceeded(RuleRuntimeError):
    """The evaluation used up its condition budget (a rule far too large for one message).

    A subclass of :class:`RuleRuntimeError`: catch it first to treat it differently.
    """

    def __init__(
        self,
        message: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(
            message if message is not None else _("the rule used up its condition budget"),
            line,
            column,
        )
