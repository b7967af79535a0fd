"""What each binary and unary operator does to two values (type rules in ``values``).

Every function here takes plain values and either returns a value or raises
RuleRuntimeError without a position; the evaluator adds the operator's position.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import RuleRuntimeError
from .functions import contains
from .i18n import _
from .values import (
    MAX_TEXT,
    Value,
    as_number,
    check_int,
    check_list,
    compare,
    describe,
    is_number,
    loose_equal,
    strict_equal,
    to_text,
    truthy,
)


def add(a: Value, b: Value) -> Value:
    """Numbers add; lists concatenate; text joined with text or a number concatenates (so
    "1" + 1 is "11", as in MediaWiki). Anything else is an error."""
    if is_number(a) and is_number(b):
        return check_int(a + b)
    if isinstance(a, list) and isinstance(b, list):
        return check_list(a + b)  # both are already bounded, so the sum is too
    if (isinstance(a, str) or isinstance(b, str)) and _joinable(a) and _joinable(b):
        left, right = to_text(a), to_text(b)
        if len(left) + len(right) > MAX_TEXT:
            raise RuleRuntimeError(
                _("joining these texts would make %(length)s characters, over the limit of %(max)s")
                % {"length": f"{len(left) + len(right):,}", "max": f"{MAX_TEXT:,}"}
            )
        return left + right
    raise RuleRuntimeError(
        _("cannot add %(left)s and %(right)s with '+'")
        % {"left": describe(a), "right": describe(b)}
    )


def _joinable(value: Value) -> bool:
    return isinstance(value, str) or is_number(value)


def subtract(a: Value, b: Value) -> Value:
    return check_int(as_number(a, "'-'") - as_number(b, "'-'"))


def multiply(a: Value, b: Value) -> Value:
    return check_int(as_number(a, "'*'") * as_number(b, "'*'"))


def divide(a: Value, b: Value) -> Value:
    """Whole numbers that divide exactly stay whole (6 / 3 is 2); otherwise a float."""
    x, y = as_number(a, "'/'"), as_number(b, "'/'")
    if y == 0:
        raise RuleRuntimeError(_("division by zero"))
    if isinstance(x, int) and isinstance(y, int) and x % y == 0:
        return x // y
    return x / y


def modulo(a: Value, b: Value) -> Value:
    x, y = as_number(a, "'%'"), as_number(b, "'%'")
    if y == 0:
        raise RuleRuntimeError(_("division by zero (in '%%')") % {})
    return x % y


def xor(a: Value, b: Value) -> bool:
    return truthy(a) != truthy(b)


def _comparison(op: str) -> Callable[[Value, Value], bool]:
    def apply(a: Value, b: Value) -> bool:
        return compare(op, a, b)

    return apply


BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "==": loose_equal,
    "!=": lambda a, b: not loose_equal(a, b),
    "===": strict_equal,
    "!==": lambda a, b: not strict_equal(a, b),
    "<": _comparison("<"),
    "<=": _comparison("<="),
    ">": _comparison(">"),
    ">=": _comparison(">="),
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "%": modulo,
    "^": xor,
    # MediaWiki: "a in b" is true when a is contained in b; "a contains b" the reverse.
    "in": lambda a, b: contains(b, a),
    "contains": contains,
}


def negate(value: Value) -> Value:
    return check_int(-as_number(value, "'-'"))


def plus(value: Value) -> Value:
    return as_number(value, "'+'")


def logical_not(value: Value) -> bool:
    return not truthy(value)


UNARY: dict[str, Callable[[Value], Value]] = {"!": logical_not, "-": negate, "+": plus}
