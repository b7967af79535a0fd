"""The built-in functions, with their arities (checked when a rule is compiled).

Each implementation receives already-evaluated argument values and returns a value; type
problems raise RuleRuntimeError. ``FUNCTIONS`` (name -> Function) is public so the admin UI
can list them with their one-line summaries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import re2

from . import textnorm
from .errors import RuleRuntimeError
from .i18n import _, gettext_lazy, gettext_noop, ngettext
from .values import (
    Value,
    as_number,
    check_text,
    describe,
    loose_equal,
    numeric,
    strict_equal,
    to_text,
    truthy,
    utf8_safe,
)


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    signature: str  # as shown to moderators, e.g. "count(needle, haystack)"
    summary: str  # translated when shown (gettext_lazy)
    min_args: int
    max_args: int | None  # None: any number
    impl: Callable[..., Value]

    def arity_text(self) -> str:
        """ "exactly 1 argument", "1 or 2 arguments", "at least 2 arguments"."""
        low, high = self.min_args, self.max_args
        if high is None:
            return ngettext("at least %(low)d argument", "at least %(low)d arguments", low) % {
                "low": low
            }
        if low == high:
            return ngettext("exactly %(low)d argument", "exactly %(low)d arguments", low) % {
                "low": low
            }
        if high == low + 1:
            return ngettext(
                "%(low)d or %(high)d argument", "%(low)d or %(high)d arguments", high
            ) % {"low": low, "high": high}
        return ngettext("%(low)d to %(high)d argument", "%(low)d to %(high)d arguments", high) % {
            "low": low,
            "high": high,
        }


def contains(haystack: Value, needle: Value) -> bool:
    """``haystack contains needle`` (and ``needle in haystack``): list membership for a
    list, substring otherwise. An empty needle is never contained (as in MediaWiki), so a
    variable that happens to be "" cannot make a filter match everything."""
    if isinstance(haystack, list):
        return any(loose_equal(item, needle) for item in haystack)
    wanted = to_text(needle)
    return bool(wanted) and wanted in to_text(haystack)


def _text_fn(fn: Callable[[str], Value]) -> Callable[[Value], Value]:
    """Lift a str -> value function to rule values (convert to text, bound the result)."""

    def apply(value: Value) -> Value:
        result = fn(to_text(value))
        return check_text(result) if isinstance(result, str) else result

    return apply


def _length(value: Value) -> int:
    return len(value) if isinstance(value, list) else len(to_text(value))


def _count(first: Value, *rest: Value) -> int:
    if not rest:
        # count(list) is its length; count(text) counts comma-separated parts, exactly as
        # MediaWiki does (so count("") is 1).
        return len(first) if isinstance(first, list) else to_text(first).count(",") + 1
    needle, haystack = first, rest[0]
    if isinstance(haystack, list):
        return sum(1 for item in haystack if loose_equal(item, needle))
    wanted = to_text(needle)
    return to_text(haystack).count(wanted) if wanted else 0


def _contains_any(haystack: Value, *needles: Value) -> bool:
    return any(contains(haystack, needle) for needle in needles)


def _contains_all(haystack: Value, *needles: Value) -> bool:
    return all(contains(haystack, needle) for needle in needles)


def _ccnorm_contains_any(haystack: Value, *needles: Value) -> bool:
    folded = textnorm.ccnorm(to_text(haystack))
    return any(contains(folded, textnorm.ccnorm(to_text(n))) for n in needles)


def _equals_to_any(value: Value, *candidates: Value) -> bool:
    return any(strict_equal(value, candidate) for candidate in candidates)


def _to_int(value: Value) -> int:
    if isinstance(value, bool) or value is None:
        return int(bool(value))
    return int(as_number(value, "int()"))


def _to_float(value: Value) -> float:
    if isinstance(value, bool) or value is None:
        return float(bool(value))
    return float(as_number(value, "float()"))


def _whole(value: Value, what: str) -> int:
    number = numeric(value)
    if number is None or not float(number).is_integer():
        raise RuleRuntimeError(
            _("%(what)s needs a whole number, but got %(value)s")
            % {"what": _(what), "value": describe(value)}
        )
    return int(number)


def _substr(value: Value, start: Value, length: Value = None) -> str:
    text = to_text(value)
    tail = text[_whole(start, gettext_noop("substr()'s start")) :]
    if length is None:
        return tail
    # A negative length leaves that many characters off the end, as in PHP.
    return tail[: _whole(length, gettext_noop("substr()'s length"))]


def _strpos(haystack: Value, needle: Value, offset: Value = 0) -> int:
    wanted = to_text(needle)
    if not wanted:
        return -1
    return to_text(haystack).find(wanted, _whole(offset, gettext_noop("strpos()'s offset")))


def _rescape(value: Value) -> str:
    return check_text(re2.escape(utf8_safe(to_text(value))))


def _bool(value: Value) -> bool:
    return truthy(value)


def _string(value: Value) -> str:
    return to_text(value)


def _abs(value: Value) -> int | float:
    return abs(as_number(value, "abs()"))


_TABLE = (
    Function(
        "lcase", "lcase(text)", gettext_lazy("Lower-case text."), 1, 1, _text_fn(textnorm.lcase)
    ),
    Function(
        "ucase", "ucase(text)", gettext_lazy("Upper-case text."), 1, 1, _text_fn(textnorm.ucase)
    ),
    Function(
        "length",
        "length(text or list)",
        gettext_lazy("Characters in a text, items in a list."),
        1,
        1,
        _length,
    ),
    Function(
        "count",
        "count(needle, haystack) or count(list)",
        gettext_lazy(
            "Occurrences of needle in haystack; with one argument, the length of a list "
            "(or of a comma-separated text)."
        ),
        1,
        2,
        _count,
    ),
    Function(
        "ccnorm",
        "ccnorm(text)",
        gettext_lazy("Fold look-alike characters to plain letters."),
        1,
        1,
        _text_fn(textnorm.ccnorm),
    ),
    Function(
        "rmdoubles",
        "rmdoubles(text)",
        gettext_lazy("Collapse repeated characters."),
        1,
        1,
        _text_fn(textnorm.rmdoubles),
    ),
    Function(
        "rmspecials",
        "rmspecials(text)",
        gettext_lazy("Keep only letters, digits and spaces."),
        1,
        1,
        _text_fn(textnorm.rmspecials),
    ),
    Function(
        "rmwhitespace",
        "rmwhitespace(text)",
        gettext_lazy("Remove all whitespace."),
        1,
        1,
        _text_fn(textnorm.rmwhitespace),
    ),
    Function(
        "norm",
        "norm(text)",
        gettext_lazy("rmwhitespace(rmspecials(rmdoubles(ccnorm(text))))."),
        1,
        1,
        _text_fn(textnorm.norm),
    ),
    Function(
        "specialratio",
        "specialratio(text)",
        gettext_lazy("Share (0 to 1) of non-alphanumeric characters."),
        1,
        1,
        _text_fn(textnorm.specialratio),
    ),
    Function(
        "contains_any",
        "contains_any(haystack, needle, ...)",
        gettext_lazy("True if haystack contains any needle."),
        2,
        None,
        _contains_any,
    ),
    Function(
        "contains_all",
        "contains_all(haystack, needle, ...)",
        gettext_lazy("True if haystack contains every needle."),
        2,
        None,
        _contains_all,
    ),
    Function(
        "ccnorm_contains_any",
        "ccnorm_contains_any(haystack, needle, ...)",
        gettext_lazy("contains_any after ccnorm of every argument."),
        2,
        None,
        _ccnorm_contains_any,
    ),
    Function(
        "equals_to_any",
        "equals_to_any(value, candidate, ...)",
        gettext_lazy("True if value === any candidate."),
        2,
        None,
        _equals_to_any,
    ),
    Function(
        "substr",
        "substr(text, start, length)",
        gettext_lazy("Part of a text (length optional)."),
        2,
        3,
        _substr,
    ),
    Function(
        "strpos",
        "strpos(haystack, needle, offset)",
        gettext_lazy("Position of needle, or -1 (offset optional)."),
        2,
        3,
        _strpos,
    ),
    Function(
        "rescape",
        "rescape(text)",
        gettext_lazy("Escape text for use inside a regular expression."),
        1,
        1,
        _rescape,
    ),
    Function(
        "string",
        "string(value)",
        gettext_lazy("Convert to text (a list becomes one item per line)."),
        1,
        1,
        _string,
    ),
    Function(
        "int", "int(value)", gettext_lazy("Convert to a whole number (truncating)."), 1, 1, _to_int
    ),
    Function("float", "float(value)", gettext_lazy("Convert to a number."), 1, 1, _to_float),
    Function("bool", "bool(value)", gettext_lazy("Convert to true/false."), 1, 1, _bool),
    Function("abs", "abs(number)", gettext_lazy("Absolute value."), 1, 1, _abs),
)

FUNCTIONS: MappingProxyType[str, Function] = MappingProxyType({f.name: f for f in _TABLE})

__all__ = ["FUNCTIONS", "Function", "contains"]
