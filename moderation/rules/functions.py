"""The built-in functions and keyword operators, as AbuseFilter's FilterEvaluator has them:
the same names, argument counts and casts (every argument is cast to text, a number... the
way AFPData does).

Each implementation receives already-evaluated argument values (never UNDEFINED: the
evaluator replaces it with null first, as AbuseFilter does) and returns a value; an error
AbuseFilter also raises is a RuleRuntimeError with AbuseFilter's exception id as ``code``.
``FUNCTIONS`` (name -> Function) is public so the admin UI can list them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from . import ipranges as _ipranges
from . import regexes, textnorm
from .errors import RuleRuntimeError
from .i18n import _, gettext_lazy, ngettext
from .values import (
    Negated,
    Value,
    check_list,
    check_text,
    equals,
    has_raw_bytes,
    mb_strlen,
    negated_array_error,
    short,
    to_bool,
    to_float,
    to_int,
    to_str,
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
    handler: str = ""  # AbuseFilter's handler: calls of one handler share its cache

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
        return ngettext("%(low)d to %(high)d argument", "%(low)d to %(high)d arguments", high) % {
            "low": low,
            "high": high,
        }


class Matcher:
    """What a function that matches patterns needs from the evaluation: compiled patterns
    (cached per rule) and the time bound."""

    def __init__(self, cache: dict[tuple[str, str], Any], timeout: float) -> None:
        self.cache = cache
        self.timeout = timeout

    def pattern(self, kind: str, source: str) -> Any:
        key = (kind, source)
        found = self.cache.get(key)
        if found is None:
            try:
                found = regexes.build(kind, source)
            except ValueError as exc:  # never for 'like': a bad glob matches nothing
                raise RuleRuntimeError(str(exc), code="regexfailure") from None
            if len(self.cache) >= 256:
                self.cache.clear()
            self.cache[key] = found
        return found

    def timed(self, work: Callable[[], Any]) -> Any:
        """RE2 runs in linear time but cannot be interrupted, so the bound is checked after
        the match: one over ``timeout`` fails the evaluation instead of slowing every
        message."""
        started = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - started
        if elapsed > self.timeout:
            raise RuleRuntimeError(
                _("the pattern took %(elapsed).0f ms, over its limit of %(limit).0f ms")
                % {"elapsed": elapsed * 1000, "limit": self.timeout * 1000}
            )
        return result


# -- keyword operators (a in b, a like b...) -----------------------------------------


def contained(haystack: Value, needle: Value) -> bool:
    """AbuseFilter's containmentKeyword: texts, and never for an empty one."""
    a, b = to_str(haystack), to_str(needle)
    return a != "" and b != "" and b in a


def keyword(op: str, left: Value, right: Value, matcher: Matcher) -> bool:
    if op == "in":
        return contained(right, left)
    if op == "contains":
        return contained(left, right)
    subject = utf8_safe(to_str(left))
    if op in ("like", "matches"):
        pattern = matcher.pattern("like", to_str(right))
        return bool(matcher.timed(lambda: pattern.search(subject) is not None))
    kind = "irlike" if op == "irlike" else "rlike"
    pattern = matcher.pattern(kind, to_str(right))
    if has_raw_bytes(to_str(left)):  # PCRE's /u refuses a subject that is not UTF-8
        raise RuleRuntimeError(
            _("the text to match holds bytes that are not UTF-8 (from \\x escapes)"),
            code="regexfailure",
        )
    return bool(matcher.timed(lambda: pattern.search(subject) is not None))


# -- functions -------------------------------------------------------------------------


def _lcase(m: Matcher, s: Value) -> Value:
    return check_text(textnorm.lcase(to_str(s)))


def _ucase(m: Matcher, s: Value) -> Value:
    return check_text(textnorm.ucase(to_str(s)))


def _no_negated_array(value: Value) -> None:
    """count() of a negated array (see values.Negated) is PHP's TypeError."""
    if type(value) is Negated and value.kind == "array":
        raise negated_array_error()


def _length(m: Matcher, s: Value) -> Value:
    _no_negated_array(s)
    return len(s) if isinstance(s, list) else mb_strlen(to_str(s))


def _string(m: Matcher, v: Value) -> Value:
    # AFPData::castTypes gives a value that already has the type back as it is.
    return v if type(v) is Negated and v.kind == "string" else to_str(v)


def _int(m: Matcher, v: Value) -> Value:
    return to_int(v)


def _float(m: Matcher, v: Value) -> Value:
    return to_float(v)


def _bool(m: Matcher, v: Value) -> Value:
    return v if type(v) is Negated and v.kind == "bool" else to_bool(v)


def _text(fn: Callable[[str], Any]) -> Callable[..., Value]:
    def apply(m: Matcher, s: Value) -> Value:
        result = fn(to_str(s))
        return check_text(result) if isinstance(result, str) else result

    return apply


def _find_all(haystack: str, needles: list[Value], any_: bool, normalise: bool) -> bool:
    """AbuseFilter's contains(): an empty haystack contains nothing; empty needles are
    skipped."""
    text = to_str(haystack)
    if text == "":
        return False
    if normalise:  # the equivalence set only: no entity decoding, as in AbuseFilter
        text = textnorm.fold_confusables(text)
    for needle in needles:
        wanted = to_str(needle)
        if normalise:
            wanted = textnorm.fold_confusables(wanted)
        if wanted == "":
            continue
        found = wanted in text
        if found is any_:
            return found
    return not any_


def _contains_any(m: Matcher, s: Value, *needles: Value) -> Value:
    return _find_all(s, list(needles), True, False)  # type: ignore[arg-type]


def _contains_all(m: Matcher, s: Value, *needles: Value) -> Value:
    return _find_all(s, list(needles), False, False)  # type: ignore[arg-type]


def _ccnorm_contains_any(m: Matcher, s: Value, *needles: Value) -> Value:
    return _find_all(s, list(needles), True, True)  # type: ignore[arg-type]


def _ccnorm_contains_all(m: Matcher, s: Value, *needles: Value) -> Value:
    return _find_all(s, list(needles), False, True)  # type: ignore[arg-type]


def _equals_to_any(m: Matcher, s: Value, *values: Value) -> Value:
    return any(equals(s, value, strict=True) for value in values)


def _count(m: Matcher, first: Value, *rest: Value) -> Value:
    if not rest:
        _no_negated_array(first)
        if isinstance(first, list):
            return len(first)
        return to_str(first).count(",") + 1
    needle, haystack = to_str(first), to_str(rest[0])
    return haystack.count(needle) if needle else 0


def _rcount(m: Matcher, first: Value, *rest: Value) -> Value:
    if not rest:
        return to_str(first).count(",") + 1
    pattern = m.pattern("rlike", to_str(first))
    haystack = utf8_safe(to_str(rest[0]))
    return m.timed(lambda: regexes.rcount(pattern, haystack))


def _get_matches(m: Matcher, needle: Value, haystack: Value) -> Value:
    pattern = m.pattern("rlike", to_str(needle))
    text = utf8_safe(to_str(haystack))
    return check_list(m.timed(lambda: regexes.get_matches(pattern, text)))


def _str_replace_regexp(m: Matcher, subject: Value, search: Value, replace: Value) -> Value:
    pattern = m.pattern("rlike", to_str(search))
    text, template = utf8_safe(to_str(subject)), to_str(replace)
    if len(template) * (len(text) + 1) > 10 * 100_000:  # bound the work before doing it
        count = m.timed(lambda: regexes.rcount(pattern, text))
        check_text("x" * min(len(text) + count * len(template), 100_001))
    return check_text(m.timed(lambda: regexes.str_replace_regexp(pattern, text, template)))


def _ip_range_ok(value: str) -> bool:
    return bool(_ipranges.valid_range(value))


def _check_range(value: str) -> str:
    if not _ip_range_ok(value):
        raise RuleRuntimeError(
            _("invalid IP range %(range)s") % {"range": short(value, 60)}, code="invalidiprange"
        )
    return value


def _ip_in_range(m: Matcher, ip: Value, range_: Value) -> Value:
    address, checked = to_str(ip), _check_range(to_str(range_))
    return bool(_ipranges.ip_in_range(address, checked))


def _ip_in_ranges(m: Matcher, ip: Value, *ranges: Value) -> Value:
    address = to_str(ip)
    checked = [_check_range(to_str(r)) for r in ranges]
    return any(_ipranges.ip_in_range(address, r) for r in checked)


_ABSENT: Any = object()


def _substr(m: Matcher, s: Value, offset: Value, length: Value = _ABSENT) -> Value:
    """PHP's mb_substr: negative offsets count from the end, a negative length leaves that
    many characters off the end; an explicit null length is 0."""
    text = to_str(s)
    size = len(text)
    start = to_int(offset)
    if start < 0:
        start = max(0, size + start)
    if start > size:
        return ""
    if length is _ABSENT:
        return text[start:]
    count = to_int(length)
    end = size + count if count < 0 else start + count
    return text[start:end] if end > start else ""


def _strpos(m: Matcher, haystack: Value, needle: Value, offset: Value = 0) -> Value:
    text, wanted = to_str(haystack), to_str(needle)
    start = to_int(offset)
    if wanted == "":
        return -1
    if start > len(text):
        return -1
    if start < 0:
        start += len(text)
        if start < 0:
            return -1
    return text.find(wanted, start)


def _str_replace(m: Matcher, subject: Value, search: Value, replace: Value) -> Value:
    text, old = to_str(subject), to_str(search)
    if old == "":
        return text
    new = to_str(replace)
    if len(new) > len(old) and text.count(old) * (len(new) - len(old)) + len(text) > 100_000:
        check_text("x" * 100_001)
    return text.replace(old, new)


def _rescape(m: Matcher, s: Value) -> Value:
    return check_text(regexes.rescape(to_str(s)))


def _set(m: Matcher, name: Value, value: Value) -> Value:  # pragma: no cover - evaluator
    return value


def _abs(m: Matcher, v: Value) -> Value:
    """The chat's addition (AbuseFilter has no abs())."""
    number = to_float(v) if isinstance(v, str | list | float | Negated) else to_int(v)
    return abs(number)


_TABLE = (
    Function("lcase", "lcase(text)", gettext_lazy("Lower-case text."), 1, 1, _lcase),
    Function("ucase", "ucase(text)", gettext_lazy("Upper-case text."), 1, 1, _ucase),
    Function(
        "length",
        "length(text or array)",
        gettext_lazy("Characters in a text, items in an array."),
        1,
        1,
        _length,
        "len",
    ),
    Function(
        "string",
        "string(value)",
        gettext_lazy("Convert to text (an array becomes its items, each followed by a newline)."),
        1,
        1,
        _string,
    ),
    Function("int", "int(value)", gettext_lazy("Convert to a whole number."), 1, 1, _int),
    Function("float", "float(value)", gettext_lazy("Convert to a number."), 1, 1, _float),
    Function("bool", "bool(value)", gettext_lazy("Convert to true/false."), 1, 1, _bool),
    Function(
        "norm",
        "norm(text)",
        gettext_lazy("rmwhitespace(rmspecials(rmdoubles(ccnorm(text))))."),
        1,
        1,
        _text(textnorm.norm),
    ),
    Function(
        "ccnorm",
        "ccnorm(text)",
        gettext_lazy("Fold look-alike characters to plain letters."),
        1,
        1,
        _text(textnorm.ccnorm),
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
        "ccnorm_contains_all",
        "ccnorm_contains_all(haystack, needle, ...)",
        gettext_lazy("contains_all after ccnorm of every argument."),
        2,
        None,
        _ccnorm_contains_all,
    ),
    Function(
        "specialratio",
        "specialratio(text)",
        gettext_lazy("Share (0 to 1) of characters that are not letters, digits or spaces."),
        1,
        1,
        _text(textnorm.specialratio),
    ),
    Function(
        "rmspecials",
        "rmspecials(text)",
        gettext_lazy("Keep only letters, digits and spaces."),
        1,
        1,
        _text(textnorm.rmspecials),
    ),
    Function(
        "rmdoubles",
        "rmdoubles(text)",
        gettext_lazy("Collapse repeated characters."),
        1,
        1,
        _text(textnorm.rmdoubles),
    ),
    Function(
        "rmwhitespace",
        "rmwhitespace(text)",
        gettext_lazy("Remove all whitespace."),
        1,
        1,
        _text(textnorm.rmwhitespace),
    ),
    Function(
        "count",
        "count(needle, haystack) or count(array)",
        gettext_lazy(
            "Occurrences of needle in haystack; with one argument, the items of an array "
            "(or the comma-separated parts of a text)."
        ),
        1,
        2,
        _count,
    ),
    Function(
        "rcount",
        "rcount(regex, haystack)",
        gettext_lazy("Matches of a regular expression in haystack."),
        1,
        2,
        _rcount,
    ),
    Function(
        "get_matches",
        "get_matches(regex, haystack)",
        gettext_lazy("The first match and each of its groups (false for a group not found)."),
        2,
        2,
        _get_matches,
    ),
    Function(
        "ip_in_range",
        "ip_in_range(ip, range)",
        gettext_lazy("True if the IP address is in the range."),
        2,
        2,
        _ip_in_range,
    ),
    Function(
        "ip_in_ranges",
        "ip_in_ranges(ip, range, ...)",
        gettext_lazy("True if the IP address is in any of the ranges."),
        2,
        None,
        _ip_in_ranges,
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
        "equals_to_any",
        "equals_to_any(value, candidate, ...)",
        gettext_lazy("True if value === any candidate."),
        2,
        None,
        _equals_to_any,
    ),
    Function(
        "substr",
        "substr(text, offset, length)",
        gettext_lazy("Part of a text (length optional; negative counts from the end)."),
        2,
        3,
        _substr,
    ),
    Function(
        "strlen",
        "strlen(text)",
        gettext_lazy("Characters in a text (the same as length)."),
        1,
        1,
        _length,
        "len",
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
        "str_replace",
        "str_replace(subject, search, replace)",
        gettext_lazy("Replace every occurrence of search."),
        3,
        3,
        _str_replace,
    ),
    Function(
        "str_replace_regexp",
        "str_replace_regexp(subject, regex, replace)",
        gettext_lazy("Replace every match of a regular expression ($1 for a group)."),
        3,
        3,
        _str_replace_regexp,
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
        "set",
        "set('name', value)",
        gettext_lazy("Assign value to a variable (as name := value); gives the value."),
        2,
        2,
        _set,
        "set",
    ),
    Function(
        "set_var",
        "set_var('name', value)",
        gettext_lazy("The same as set."),
        2,
        2,
        _set,
        "set",
    ),
    Function("abs", "abs(number)", gettext_lazy("Absolute value."), 1, 1, _abs),
    Function(
        "sanitize",
        "sanitize(text)",
        gettext_lazy("Decode HTML entities (&amp;amp; and the like)."),
        1,
        1,
        _text(textnorm.sanitize),
    ),
)

FUNCTIONS: MappingProxyType[str, Function] = MappingProxyType({f.name: f for f in _TABLE})

__all__ = ["FUNCTIONS", "Function", "Matcher", "contained", "keyword"]
