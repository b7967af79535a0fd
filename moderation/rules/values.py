"""Values and the type rules every operator shares.

A rule's values are Python ``str``, ``int``, ``float``, ``bool``, ``None`` (null) and
``list``. The rules, chosen to be predictable for moderators while staying close to
MediaWiki where that is harmless:

* equality (``==``): numbers compare numerically, and a number equals text that spells the
  same number (``"5" == 5``, as in MediaWiki); otherwise values of different types are
  simply not equal (never an error). ``===`` also requires the same type.
* ordering (``<`` ...): numbers, or text that spells a number, compare numerically; two
  non-numeric texts compare alphabetically (by code point); anything else - a list, null,
  a boolean, or a number against non-numeric text - is a RuleRuntimeError.
* truthiness (``&``, ``|``, ``!``, the rule's result): false, null, 0, "" and [] are false.
* text conversion (functions and keyword operators that work on text): numbers are written
  out, null is "", booleans are "true"/"false", a list is its items one per line.

Results are bounded: text at most MAX_TEXT characters, lists at most MAX_LIST items,
integers at most 2**63 in size, so no rule can blow up memory.
"""

from __future__ import annotations

from typing import TypeGuard

from .errors import RuleRuntimeError
from .i18n import _

Value = str | int | float | bool | None | list  # list items are Values too

MAX_TEXT = 100_000
MAX_LIST = 10_000
MAX_INT = 2**63


def type_name(value: object) -> str:
    """The type's name, as the type rules compare kinds (``"a number"``...); messages use
    :func:`type_phrase`, its translation."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def type_phrase(value: object) -> str:
    """The type as a moderator would say it, in their language, for error messages."""
    if value is None:
        return _("null")
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    return type(value).__name__


def is_number(value: object) -> TypeGuard[int | float]:
    # bool is a subclass of int in Python, but true is not a number here.
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_number(text: str) -> int | float | None:
    """The number a text spells (" 42 ", "-1.5"), or None. Only plain decimals: no
    underscores, exponents, inf or nan, so "1_000" or "nan" stay text."""
    stripped = text.strip()
    if not stripped or len(stripped) > 40:
        return None
    body = stripped[1:] if stripped[0] in "+-" else stripped
    whole, dot, fraction = body.partition(".")
    if not (whole.isascii() and whole.isdigit()):
        return None
    if dot and not (fraction.isascii() and fraction.isdigit()):
        return None
    return float(stripped) if dot else int(stripped)


def numeric(value: object) -> int | float | None:
    """The value as a number if it is one or spells one, else None."""
    if is_number(value):
        return value
    if isinstance(value, str):
        return parse_number(value)
    return None


def as_number(value: object, what: str) -> int | float:
    """A number, or text that spells one; otherwise a RuleRuntimeError naming ``what``."""
    number = numeric(value)
    if number is None:
        # ``what`` is an operator or function ("'-'", "abs()"), or a phrase marked with
        # gettext_noop by the caller.
        raise RuleRuntimeError(
            _("%(what)s needs a number, but got %(value)s")
            % {"what": _(what), "value": describe(value)}
        )
    return number


def truthy(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str | list):
        return len(value) > 0
    if is_number(value):
        return value != 0
    return bool(value)


def to_text(value: object) -> str:
    """Text conversion used by functions and keyword operators."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, list):
        return check_text("\n".join(to_text(item) for item in value))
    raise RuleRuntimeError(_("cannot use %(type)s as text") % {"type": type_phrase(value)})


def utf8_safe(text: str) -> str:
    """text with lone surrogates (valid in JSON "\\ud800", not encodable as UTF-8)
    replaced, for RE2, which works on UTF-8."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def format_float(value: float) -> str:
    """1.0 -> "1", 2.5 -> "2.5": whole floats print like integers (as in MediaWiki)."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def short(text: str, limit: int = 30) -> str:
    """A text quoted for a message, shortened."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return '"' + shown + '"'


def describe(value: object) -> str:
    """A value for a message: texts are quoted, other values named by their type (a noun
    phrase, translated as one)."""
    if isinstance(value, str):
        return _("the text %(text)s") % {"text": short(value)}
    return type_phrase(value)


def check_text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise RuleRuntimeError(
            _(
                "a text produced by the rule would be %(length)s characters long, "
                "over the limit of %(max)s"
            )
            % {"length": f"{len(text):,}", "max": f"{MAX_TEXT:,}"}
        )
    return text


def check_list(items: list) -> list:
    if len(items) > MAX_LIST:
        raise RuleRuntimeError(
            _("a list produced by the rule would have %(length)s items, over the limit of %(max)s")
            % {"length": f"{len(items):,}", "max": f"{MAX_LIST:,}"}
        )
    return items


def check_int(number: int | float) -> int | float:
    if isinstance(number, int) and abs(number) > MAX_INT:
        raise RuleRuntimeError(_("a number computed by the rule is too large"))
    return number


def loose_equal(a: object, b: object) -> bool:
    """``==``: numbers numerically, number vs numeric text numerically, else same type and
    same value (lists item by item)."""
    if is_number(a) or is_number(b):
        na, nb = numeric(a), numeric(b)
        return na is not None and nb is not None and na == nb
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(loose_equal(x, y) for x, y in zip(a, b, strict=True))
    if type_name(a) != type_name(b):
        return False
    return a == b


def strict_equal(a: object, b: object) -> bool:
    """``===``: same type (int and float are both "number") and equal value."""
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def compare(op: str, a: object, b: object) -> bool:
    """``<``, ``<=``, ``>``, ``>=`` under the ordering rules in the module docstring."""
    na, nb = numeric(a), numeric(b)
    if na is not None and nb is not None:
        return _ordered(op, na, nb)
    if isinstance(a, str) and isinstance(b, str):
        return _ordered(op, a, b)
    raise RuleRuntimeError(
        _("cannot compare %(left)s with %(right)s using '%(operator)s'")
        % {"left": describe(a), "right": describe(b), "operator": op}
    )


def _ordered(op: str, a: str | int | float, b: str | int | float) -> bool:
    if op == "<":
        return a < b  # type: ignore[operator]  # same kinds: both numbers or both texts
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]
