"""Turns a rule's text into tokens exactly as AbuseFilter's AbuseFilterTokenizer does.

Each token records ``pos`` (where AbuseFilter says it starts: just after the previous
token, whitespace and comments included, which is what AbuseFilter's error positions
count from), ``start`` (its first real character, for line/column in our messages) and
``end`` (just past it). Offsets are 0-based character offsets.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass

from .errors import RuleSyntaxError
from .i18n import _

# Token types, named as AbuseFilter names them in its messages.
NONE = "none"
ID = "id"
KEYWORD = "keyword"
STRING = "string"
INT = "int"
FLOAT = "float"
OP = "operator"
BRACE = "brace"
SQUARE = "squarebracket"
COMMA = "comma"
SEMICOLON = "statementseparator"

KEYWORDS = frozenset(
    {
        "in", "like", "true", "false", "null", "contains", "matches",
        "rlike", "irlike", "regex", "if", "then", "else", "end",
    }
)  # fmt: skip

_OPERATOR = re.compile(r"!==|!=|!|\*\*|\*|/|\+|-|%|&|\||\^|:=|\?|:|<=|<|>=|>|===|==|=")
_RADIX = re.compile(r"(?:0(?P<base>[xbo]))?(?P<input>[0-9A-Fa-f]+(?:\.\d*)?|\.\d+)(?!\w)", re.ASCII)
_BASE_CHARS = {
    2: re.compile(r"[01]+\Z"),
    8: re.compile(r"[0-7]+\Z"),
    16: re.compile(r"[0-9A-Fa-f]+\Z"),
    10: re.compile(r"[0-9.]+\Z"),
}
_BASES = {"b": 2, "x": 16, "o": 8}
_ID = re.compile(r"[0-9A-Za-z_]+")
# AbuseFilter's tokenizer also skips \v and \f, but it never sees them: MediaWiki's input
# cleanup (UtfNormal) turns every C0 control but \t, \n and \r into U+FFFD first, so a
# filter holding one outside a text or a comment is an unrecognised token there.
_COMMENT_START = re.compile(r"[\t\n\r ]*/\*")
_SPACE = re.compile(r"[\t\n\r ]*")
# In a text literal the same cleanup makes them (and the noncharacters U+FFFE, U+FFFF)
# U+FFFD; escapes such as "\x01" are not cleaned (they are made after it).
_UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}\Z")
_HIGH = frozenset("89abcdefABCDEF")
_RAW = re.compile("[\udc80-\udcff]")
_PUNCTUATION = {",": COMMA, "(": BRACE, ")": BRACE, "[": SQUARE, "]": SQUARE, ";": SEMICOLON}
INT_MAX = 2**63 - 1

MAX_SOURCE = 65_536  # characters


@dataclass(frozen=True, slots=True)
class Token:
    type: str
    value: object
    pos: int  # AbuseFilter's start: just after the previous token
    start: int  # the first character of the token itself
    end: int

    def shown(self) -> str:
        """The token's value as AbuseFilter prints it in a message."""
        if self.value is None:
            return ""
        if isinstance(self.value, float):
            from .values import format_float

            return format_float(self.value)
        return str(self.value)


class Positions:
    """Line and column (1-based) of a character offset."""

    def __init__(self, source: str) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def line_column(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1


def syntax_error(source: str, message: str, offset: int, at: int | None = None) -> RuleSyntaxError:
    """A RuleSyntaxError whose ``offset`` is AbuseFilter's position and whose line and
    column show ``at`` (the offending token's first character) when given."""
    line, column = Positions(source).line_column(min(at if at is not None else offset, len(source)))
    error = RuleSyntaxError(message, line, column)
    error.offset = offset
    return error


def tokenize(source: str) -> list[Token]:
    """All tokens of ``source``, ending with one NONE token; raises RuleSyntaxError."""
    tokens: list[Token] = []
    offset = 0
    length = len(source)
    while True:
        start = offset
        while (match := _COMMENT_START.match(source, offset)) is not None:
            close = source.find("*/", offset)
            if close < 0:
                raise syntax_error(
                    source,
                    _("expected '*/' to close this comment, found the end of the rule"),
                    offset,
                    match.end() - 2,
                )
            offset = close + 2
        offset = _SPACE.match(source, offset).end()  # type: ignore[union-attr]
        if offset >= length:
            # Shown just past the last real token; AbuseFilter's position is the end.
            shown = tokens[-1].end if tokens else 0
            tokens.append(Token(NONE, None, start, shown, length))
            return tokens
        token, offset = _next(source, start, offset)
        tokens.append(token)


def _next(source: str, start: int, offset: int) -> tuple[Token, int]:
    ch = source[offset]
    if ch in _PUNCTUATION:
        return Token(_PUNCTUATION[ch], ch, start, offset, offset + 1), offset + 1
    if ch == '"' or ch == "'":
        return _string(source, start, offset)
    match = _OPERATOR.match(source, offset)
    if match is not None:
        return Token(OP, match.group(), start, offset, match.end()), match.end()
    match = _RADIX.match(source, offset)
    if match is not None:
        base_char, digits = match.group("base"), match.group("input")
        base = _BASES[base_char] if base_char else 10
        if _BASE_CHARS[base].match(digits):
            end = match.end()
            if "." in digits:
                value: int | float = float(digits) if base == 10 else float(int(digits, base))
                return Token(FLOAT, value, start, offset, end), end
            if base == 10:
                # Past 19 digits is past 64 bits; and int() refuses 4,300 decimal digits.
                significant = digits.lstrip("0") or "0"
                number = int(significant) if len(significant) <= 19 else INT_MAX + 1
            else:
                number = int(digits, base)
            if number > INT_MAX:
                # PHP's intval() saturates a decimal; base_convert() goes through a float
                # (infinite past a float's range, where Python's float() raises instead)
                number = INT_MAX if base == 10 else _wrap(_to_float(number))
            return Token(INT, number, start, offset, end), end
    match = _ID.match(source, offset)
    if match is not None:
        word = match.group()
        kind = KEYWORD if word in KEYWORDS else ID
        return Token(kind, word, start, offset, match.end()), match.end()
    if ch < " ":
        raise syntax_error(
            source,
            _("the control character U+%(code)04X is not allowed outside a text or a comment")
            % {"code": ord(ch)},
            start,
            offset,
        )
    raise syntax_error(
        source,
        _("unrecognised token %(token)s") % {"token": _quote(source[offset : offset + 20])},
        start,
        offset,
    )


def _to_float(number: int) -> float:
    try:
        return float(number)
    except OverflowError:
        return math.inf


def _wrap(number: float) -> int:
    from .values import text_to_int

    return text_to_int(f"{number:.0f}")


def _quote(text: str) -> str:
    return '"' + text.split("\n")[0] + '"'


def _string(source: str, start: int, offset: int) -> tuple[Token, int]:
    quote = source[offset]
    begin = offset
    offset += 1
    length = len(source)
    parts: list[str] = []
    while offset < length:
        ch = source[offset]
        if ch == quote:
            text = "".join(parts)
            if _RAW.search(text):
                text = text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
            return Token(STRING, text, start, begin, offset + 1), offset + 1
        if ch != "\\":
            stop = offset
            while stop < length and source[stop] != quote and source[stop] != "\\":
                stop += 1
            parts.append(_UNCLEAN.sub("\ufffd", source[offset:stop]))
            offset = stop
            continue
        if offset + 1 >= length:
            break
        nxt = source[offset + 1]
        if nxt == "\\":
            parts.append("\\")
        elif nxt == quote:
            parts.append(quote)
        elif nxt == "n":
            parts.append("\n")
        elif nxt == "r":
            parts.append("\r")
        elif nxt == "t":
            parts.append("\t")
        elif nxt == "x":
            digits = source[offset + 2 : offset + 4]
            if _HEX2.match(digits):
                # PHP's chr(): one byte. A byte past 0x7f is kept as Python's
                # 'surrogateescape' does (U+DC80-U+DCFF), and the literal is decoded again
                # below, so "\xc3\xa9" is "é" as in PHP; a byte that is not part of a
                # valid UTF-8 sequence stays a lone U+DCxx (values.raw_bytes).
                parts.append(chr(int(digits, 16) | (0xDC00 if digits[0] in _HIGH else 0)))
                offset += 2
            else:
                parts.append("\\x")
        else:
            parts.append("\\" + nxt)
        offset += 2
    raise syntax_error(
        source,
        _("expected %(quote)s to close this text, found the end of the rule") % {"quote": quote},
        length,
        begin,
    )
