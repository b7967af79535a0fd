"""What each operator does to two values: AbuseFilter's AFPData methods (sum, sub, mulRel,
pow, compareOp, boolOp, unaryMinus, boolInvert), with PHP's integer and float arithmetic.

Every function takes plain values and returns a value; division by zero raises
:class:`DivideByZero`, which the evaluator turns into a RuleRuntimeError at the operator.
"""

from __future__ import annotations

import math

from .values import (
    INT_MAX,
    INT_MIN,
    UNDEFINED,
    Negated,
    Value,
    af_type,
    check_list,
    check_text,
    compare,
    equals,
    join_texts,
    negated_array_error,
    php_int,
    to_bool,
    to_float,
    to_int,
    to_number,
    to_str,
)


class DivideByZero(Exception):
    """``x / 0`` or ``x % 0``; carries the left operand as AbuseFilter shows it."""

    def __init__(self, left: int | float) -> None:
        super().__init__(left)
        self.left = left


def _number(result: int | float) -> int | float:
    return php_int(result) if isinstance(result, int) else result


def add(a: Value, b: Value) -> Value:
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    if isinstance(a, str) or isinstance(b, str):
        return check_text(join_texts(to_str(a), to_str(b)))
    if type(a) is Negated or type(b) is Negated:
        return _add_negated(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return check_list(a + b)
    x, y = to_number(a), to_number(b)
    if isinstance(x, int) and isinstance(y, int):
        total = x + y
        return total if INT_MIN <= total <= INT_MAX else float(x) + float(y)
    return float(x) + float(y)


def _add_negated(a: Value, b: Value) -> Value:
    """AFPData::sum when a side is a negated value (see values.Negated): texts join, two
    arrays merge (PHP's TypeError for a negated one), anything else adds as numbers."""
    kinds = (af_type(a), af_type(b))
    if "string" in kinds:
        return check_text(to_str(a) + to_str(b))
    if kinds == ("array", "array"):
        raise negated_array_error()
    return add(to_number(a), to_number(b))


def subtract(a: Value, b: Value) -> Value:
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    x, y = to_number(a), to_number(b)
    if isinstance(x, int) and isinstance(y, int):
        total = x - y
        return total if INT_MIN <= total <= INT_MAX else float(x) - float(y)
    return float(x) - float(y)


def mul_rel(op: str, a: Value, b: Value) -> Value:
    """``*``, ``/``, ``%`` (AFPData::mulRel): division by zero is checked even when the left
    side is undefined; ``%`` works on the integer parts, its sign following the left."""
    if b is UNDEFINED:
        return UNDEFINED
    y = to_number(b)
    if (op == "/" and float(y) == 0.0) or (op == "%" and to_int(y) == 0):
        raise DivideByZero(0 if a is UNDEFINED else to_number(a))
    if a is UNDEFINED:
        return UNDEFINED
    x = to_number(a)
    if op == "*":
        if isinstance(x, int) and isinstance(y, int):
            product = x * y
            return product if INT_MIN <= product <= INT_MAX else float(x) * float(y)
        return float(x) * float(y)
    if op == "/":
        if isinstance(x, int) and isinstance(y, int):
            if x % y == 0 and not (x == INT_MIN and y == -1):
                return x // y
            return x / y
        return _divide(float(x), float(y))
    left, right = to_int(x), to_int(y)
    if right == -1:
        return 0
    remainder = abs(left) % abs(right)
    return -remainder if left < 0 else remainder


def _divide(x: float, y: float) -> float:
    try:
        return x / y
    except OverflowError:  # pragma: no cover - float division saturates
        return math.copysign(math.inf, x) * math.copysign(1.0, y)


def power(a: Value, b: Value) -> Value:
    """PHP's pow(): an integer when both are integers, the exponent is not negative and
    the result fits in 64 bits; otherwise a float."""
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    x, y = to_number(a), to_number(b)
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        if x in (0, 1) or y == 0:
            return 1 if y == 0 else x
        if x == -1:
            return 1 if y % 2 == 0 else -1
        if y * math.log2(abs(x)) < 64:
            return _number(x**y)
    try:
        result = math.pow(float(x), float(y))
    except OverflowError:
        negative = float(x) < 0 and isinstance(y, int) and y % 2 == 1
        return -math.inf if negative else math.inf
    except ValueError:  # 0 ** -1 (PHP gives INF), a negative number to a fraction (NAN)
        return math.inf if float(x) == 0 else math.nan
    return result


def compare_op(op: str, a: Value, b: Value) -> Value:
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    if op in ("==", "="):
        return equals(a, b)
    if op == "!=":
        return not equals(a, b)
    if op == "===":
        return equals(a, b, strict=True)
    if op == "!==":
        return not equals(a, b, strict=True)
    return compare(op, a, b)


def bool_op(op: str, a: Value, b: Value) -> bool:
    x = False if a is UNDEFINED else to_bool(a)
    y = False if b is UNDEFINED else to_bool(b)
    if op == "|":
        return x or y
    if op == "&":
        return x and y
    return x != y


def negate(value: Value) -> Value:
    """AFPData::unaryMinus: an int or a float is negated; anything else keeps its type and
    holds the float -x (``-"5"`` is a "string" holding -5.0, ``-[1]`` an "array" holding
    -1.0): see values.Negated."""
    if value is UNDEFINED:
        return UNDEFINED
    kind = type(value)
    if kind is int:
        return php_int(-value)  # type: ignore[operator]
    if kind is float:
        return -value  # type: ignore[operator]
    return Negated(af_type(value), -to_float(value))


def bool_invert(value: Value) -> Value:
    if value is UNDEFINED:
        return UNDEFINED
    return not to_bool(value)
