"""Values and the casts behind every operator, as AbuseFilter's ``AFPData`` does them.

A rule's values are plain Python: ``None`` (null), ``bool``, ``int``, ``float``, ``str``,
``list`` (AbuseFilter's "array"), and :data:`UNDEFINED` (AbuseFilter's ``DUNDEFINED``: a
variable assigned only in a branch that was skipped, or any built-in variable while the
syntax is being checked).

AbuseFilter is written in PHP and its casts are PHP's, so they are reproduced here:

* to text: null and false are "", true is "1", a float is written with 14 significant
  digits (``0.1 + 0.2`` is "0.3", ``1e25`` is "1.0E+25"), an array is each item followed by
  a newline (``["a", "b"]`` is "a\\nb\\n");
* to a number: text is read as far as it spells a number (``"12abc"`` is 12, ``"abc"`` 0);
  an array is its length;
* to a boolean: "", "0", 0, 0.0, null, false and [] are false;
* ``==`` compares the two values as text (so ``1 == "1"``, ``true == 1``, ``"" == false``
  but ``false != 0``); arrays item by item; an empty array equals null and false.
  ``===`` also requires the same type (int and float are different types).
* ``<`` and the like compare as text, numerically when both texts spell numbers.

Results are bounded: text at most MAX_TEXT characters, arrays at most MAX_LIST items.
"""

from __future__ import annotations

import math
import re

from .errors import RuleRuntimeError
from .i18n import _


class _Undefined:
    """AbuseFilter's DUNDEFINED: a value nothing can be known about."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()


class Negated:
    """What AbuseFilter's unary minus (AFPData::unaryMinus) makes of a null, a boolean, a
    text or an array: it keeps the operand's TYPE but stores the float ``-x`` in it, and
    PHP's casts then see that float. Reproduced because it shows: ``-null`` is null for the
    API but its text is "-0" (so ``-null == null`` is false); ``-true`` is the "bool" -1.0;
    ``-"5"`` is a "string" whose text is the float -5.0 (``-"5" == "-5"`` is false, as
    ``===`` between PHP's float and string); ``-[1]`` is an "array" holding -1.0, which
    the API shows as [] and whose text is "" but which AbuseFilter cannot count, so
    turning it into a number or a boolean, comparing it or indexing it fails there (PHP's
    TypeError) and is a RuleRuntimeError here. ``kind`` is AbuseFilter's type name."""

    __slots__ = ("kind", "number")

    def __init__(self, kind: str, number: float) -> None:
        self.kind = kind
        self.number = number

    def __repr__(self) -> str:
        return f"Negated({self.kind!r}, {self.number!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is Negated
            and self.kind == other.kind
            and repr(self.number) == repr(other.number)
        )

    def __hash__(self) -> int:
        return hash((self.kind, repr(self.number)))


def negated_array_error() -> RuleRuntimeError:
    """PHP's TypeError on count() of the float inside a negated array (see Negated)."""
    return RuleRuntimeError(
        _(
            "a negated array (such as -[1]) can only be turned into text (it is empty "
            "then): it cannot be counted, compared, indexed or used as a number or a "
            "boolean (AbuseFilter fails on this too)"
        )
    )


Value = str | int | float | bool | None | list | _Undefined | Negated  # list items are Values

MAX_TEXT = 100_000
MAX_LIST = 10_000
INT_MAX = 2**63 - 1
INT_MIN = -(2**63)

_SPACE = " \t\n\r\v\f"
_NUMBER_PREFIX = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
_NUMERIC = re.compile(
    r"[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*\Z"
)


def af_type(value: object) -> str:
    """AbuseFilter's type name: 'int', 'float', 'string', 'bool', 'null', 'array'."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if type(value) is Negated:
        return value.kind
    return "undefined"


def php_int(number: int) -> int | float:
    """An integer result as PHP keeps it: past 64 bits it becomes a float."""
    if INT_MIN <= number <= INT_MAX:
        return number
    return float(number)


def float_to_int(number: float) -> int:
    """PHP's (int) of a float: truncated, wrapping modulo 2**64; NaN and infinities are 0."""
    if math.isnan(number) or math.isinf(number):
        return 0
    whole = int(number)
    if INT_MIN <= whole <= INT_MAX:
        return whole
    whole %= 2**64
    return whole - 2**64 if whole > INT_MAX else whole


def format_float(number: float) -> str:
    """PHP's strval() of a float (precision 14): 1.0 -> "1", 0.1+0.2 -> "0.3",
    1e25 -> "1.0E+25", 1.5e-7 -> "1.5E-7"."""
    if math.isnan(number):
        return "NAN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    text = f"{number:.14G}"
    if "E" not in text:
        return text
    mantissa, exponent = text.split("E")
    if "." not in mantissa:
        mantissa += ".0"
    power = int(exponent)
    return f"{mantissa}E{'+' if power >= 0 else '-'}{abs(power)}"


def text_to_float(text: str) -> float:
    """PHP's floatval() of a string: the longest number at its start, else 0."""
    match = _NUMBER_PREFIX.match(text)
    if match is None:
        return 0.0
    try:
        return float(match.group(1))
    except (ValueError, OverflowError):  # pragma: no cover - float() saturates to inf
        return 0.0


def text_to_int(text: str) -> int:
    """PHP's intval() of a string: "12abc" is 12, "1e3" 1000, past 64 bits saturated."""
    match = _NUMBER_PREFIX.match(text)
    if match is None:
        return 0
    spelled = match.group(1)
    if "." not in spelled and "e" not in spelled and "E" not in spelled:
        # More than 19 digits is past 64 bits: saturate without int(), which refuses
        # texts of over 4,300 digits (and a message may be one).
        digits = spelled.lstrip("+-").lstrip("0") or "0"
        negative = spelled.startswith("-")
        if len(digits) > 19:
            return INT_MIN if negative else INT_MAX
        number = -int(digits) if negative else int(digits)
        return max(INT_MIN, min(INT_MAX, number))
    number = float(spelled)
    if math.isnan(number):
        return 0
    if number >= 2**63:
        return INT_MAX
    if number <= -(2**63):
        return INT_MIN
    return int(number)


def is_numeric_text(text: str) -> bool:
    """PHP 8's is_numeric for a string (leading and trailing whitespace allowed)."""
    return len(text) < 400 and _NUMERIC.match(text) is not None


def to_str(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, list):
        return check_text("".join(to_str(item) + "\n" for item in value))
    if type(value) is Negated:  # a negated array's text is "" (PHP's foreach over a float)
        return "" if value.kind == "array" else format_float(value.number)
    return ""  # UNDEFINED: callers replace it with null first


def to_bool(value: object) -> bool:
    if isinstance(value, str):
        return value != "" and value != "0"
    if value is None:
        return False
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, int | float):
        return value != 0
    if type(value) is Negated:
        if value.kind == "array":
            raise negated_array_error()
        return value.number != 0
    return False


def to_int(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return float_to_int(value)
    if isinstance(value, str):
        return text_to_int(value)
    if isinstance(value, list):
        return len(value)
    if type(value) is Negated:
        if value.kind == "array":
            raise negated_array_error()
        return float_to_int(value.number)
    return 0


def to_float(value: object) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return text_to_float(value)
    if isinstance(value, list):
        return float(len(value))
    if isinstance(value, int):
        return float(value)
    if type(value) is Negated:
        if value.kind == "array":
            raise negated_array_error()
        return value.number
    return 0.0


def to_number(value: object) -> int | float:
    """AFPData::toNumber: int for int, bool and null; float for everything else."""
    if value is None or isinstance(value, int):
        return int(value or 0)
    if type(value) is Negated and value.kind in ("null", "bool"):
        return float_to_int(value.number)
    return to_float(value)


def truthy(value: object) -> bool:
    """The rule's result: UNDEFINED counts as false."""
    return to_bool(value)


def has_undefined(value: object) -> bool:
    if value is UNDEFINED:
        return True
    return isinstance(value, list) and any(has_undefined(item) for item in value)


def undefined_as_null(value: Value) -> Value:
    if value is UNDEFINED:
        return None
    if isinstance(value, list):
        return [undefined_as_null(item) for item in value]
    return value


def equals(a: Value, b: Value, strict: bool = False) -> bool:
    """AFPData::equals."""
    if type(a) is Negated or type(b) is Negated:
        return _equals_negated(a, b, strict)
    a_list, b_list = isinstance(a, list), isinstance(b, list)
    if not a_list and not b_list:
        if strict and af_type(a) != af_type(b):
            return False
        return to_str(a) == to_str(b)
    if a_list and b_list:
        return len(a) == len(b) and all(equals(x, y, strict) for x, y in zip(a, b, strict=True))
    if strict:
        return False
    if a_list and not a:
        return b is False or b is None
    if b_list and not b:
        return a is False or a is None
    return False


def _php_text(value: Value) -> str | float:
    """AFPData::toString as PHP has it: a negated text's "text" is its float."""
    if type(value) is Negated and value.kind == "string":
        return value.number
    return to_str(value)


def _empty_array_equal(value: Value) -> bool:
    """The other side of ``[] == value``: a false boolean or a null (a negated boolean's
    toBool() is its float, never === false)."""
    return value is False or value is None or (type(value) is Negated and value.kind == "null")


def _equals_negated(a: Value, b: Value, strict: bool) -> bool:
    a_type, b_type = af_type(a), af_type(b)
    if a_type != "array" and b_type != "array":
        if strict and a_type != b_type:
            return False
        x, y = _php_text(a), _php_text(b)
        return type(x) is type(y) and x == y  # PHP's ===
    if a_type == "array" and b_type == "array":
        raise negated_array_error()  # count() of the negated one
    if strict:
        return False
    array, other = (a, b) if a_type == "array" else (b, a)
    if type(array) is Negated:
        raise negated_array_error()
    return not array and _empty_array_equal(other)


def _compare_negated(a: Value, b: Value) -> tuple[object, object]:
    """PHP 8's comparison of a float (a negated text's "text") with a text or a float."""
    x, y = _php_text(a), _php_text(b)
    if isinstance(x, float) and isinstance(y, str):
        return (x, _numeric_text(y)) if is_numeric_text(y) else (format_float(x), y)
    if isinstance(y, float) and isinstance(x, str):
        return (_numeric_text(x), y) if is_numeric_text(x) else (x, format_float(y))
    if isinstance(x, str) and is_numeric_text(x) and is_numeric_text(y):  # type: ignore[arg-type]
        return _numeric_text(x), _numeric_text(y)  # type: ignore[arg-type]
    return x, y


def compare(op: str, a: Value, b: Value) -> bool:
    """``<``, ``<=``, ``>``, ``>=``: PHP's comparison of the two values' texts."""
    if type(a) is Negated or type(b) is Negated:
        x, y = _compare_negated(a, b)
        return _ordered(op, x, y)
    x: object = to_str(a)
    y: object = to_str(b)
    if is_numeric_text(x) and is_numeric_text(y):  # type: ignore[arg-type]
        x, y = _numeric_text(x), _numeric_text(y)  # type: ignore[arg-type]
    return _ordered(op, x, y)


def _ordered(op: str, x: object, y: object) -> bool:
    if op == "<":
        return x < y  # type: ignore[operator]
    if op == "<=":
        return x <= y  # type: ignore[operator]
    if op == ">":
        return x > y  # type: ignore[operator]
    return x >= y  # type: ignore[operator]


def _numeric_text(text: str) -> int | float:
    stripped = text.strip(_SPACE)
    if any(c in stripped for c in ".eE"):
        return float(stripped)
    number = int(stripped)
    return number if INT_MIN <= number <= INT_MAX else float(number)


# Texts hold a byte that is not valid UTF-8 (made by a "\xHH" escape, as PHP's chr()) as
# Python's 'surrogateescape' does: the lone surrogate U+DC80-U+DCFF.
_RAW = re.compile("[\udc80-\udcff]")


def has_raw_bytes(text: str) -> bool:
    return not text.isascii() and _RAW.search(text) is not None


def raw_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def join_texts(a: str, b: str) -> str:
    """a + b, where raw bytes at the seam may now form a character ("\xc3" + "\xa9")."""
    if a and b and "\udc80" <= a[-1] <= "\udcff" and "\udc80" <= b[0] <= "\udcff":
        try:
            return raw_bytes(a + b).decode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # another lone surrogate (from a variable): keep as is
            pass
    return a + b


_MB_LENGTH = bytes(
    2 if 0xC0 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF7 else 1
    for b in range(256)
)


def mb_strlen(text: str) -> int:
    """PHP's mb_strlen: characters; a text with raw bytes is counted as PHP does, by the
    length its lead bytes announce ("\xe9ab" is 1 character there)."""
    if not has_raw_bytes(text):
        return len(text)
    try:
        data = raw_bytes(text)
    except UnicodeEncodeError:  # pragma: no cover - another lone surrogate
        return len(text)
    count = position = 0
    while position < len(data):
        position += _MB_LENGTH[data[position]]
        count += 1
    return count


def _api_text(text: str) -> str:
    """A text as the API's JSON shows it: each invalid UTF-8 sequence as one U+FFFD."""
    if not has_raw_bytes(text):
        return text
    try:
        return raw_bytes(text).decode("utf-8", "replace")
    except UnicodeEncodeError:  # pragma: no cover - another lone surrogate
        return text


def to_api(value: object) -> object:
    """What AbuseFilter's ``action=abusefilterevalexpression`` gives for ``value`` (the
    "result" of its JSON answer): AFPData::toNative, UNDEFINED as null."""
    if isinstance(value, list):
        return [to_api(item) for item in value]
    if value is UNDEFINED:
        return None
    if type(value) is Negated:  # toNative: null, the float, or [] (foreach over a float)
        return None if value.kind == "null" else [] if value.kind == "array" else value.number
    if type(value) is str:
        return _api_text(value)
    return value


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


def utf8_safe(text: str) -> str:
    """text with lone surrogates (valid in JSON "\\ud800", not encodable as UTF-8)
    replaced, for RE2, which works on UTF-8."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def short(text: str, limit: int = 30) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return '"' + shown + '"'
