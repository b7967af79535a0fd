"""Turns a rule's text into tokens, each with its 1-based line and column.

Hand-written (no regex over the whole rule) so every error can say exactly where it is and
what was expected there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NoReturn

from .errors import RuleSyntaxError
from .i18n import _, gettext_noop


class Kind(Enum):
    NUMBER = "number"
    STRING = "string"
    NAME = "name"  # variable or function name, lower-cased
    KEYWORD = "keyword"  # in, contains, like, rlike, irlike, true, false, null...
    OP = "operator"  # punctuation: == ( , & ...
    EOF = "end"


KEYWORDS = frozenset(
    {"in", "contains", "like", "matches", "rlike", "irlike", "regex", "true", "false", "null"}
)

# Longest first, so '===' wins over '==' and '<=' over '<'.
OPERATORS = (
    "===",
    "!==",
    "==",
    "!=",
    "<=",
    ">=",
    "<",
    ">",
    "!",
    "&",
    "|",
    "^",
    "+",
    "-",
    "*",
    "/",
    "%",
    "(",
    ")",
    "[",
    "]",
    ",",
)

# Things people type from other languages; a targeted hint beats "unexpected character".
# (Translated where they are raised.)
MISTAKES = {
    "&&": gettext_noop("expected '&' (and), found '&&'"),
    "||": gettext_noop("expected '|' (or), found '||'"),
    "**": gettext_noop("found '**', but powers are not supported"),
    ":=": gettext_noop(
        "found ':=', but assignments are not supported: a rule is a single condition"
    ),
    "=": gettext_noop("expected '==' to compare two values, found '='"),
    ";": gettext_noop(
        "found ';', but a rule is a single condition: join conditions with '&' or '|'"
    ),
}

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}

MAX_NUMBER_DIGITS = 30


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    value: object  # str for names/keywords/ops/strings, int or float for numbers
    text: str  # the source text of the token, for messages
    line: int
    column: int

    def describe(self) -> str:
        """How a message names this token: "found <describe()>" (a whole noun phrase,
        translated as one)."""
        if self.kind is Kind.EOF:
            return _("end of rule")
        if self.kind is Kind.STRING:
            shown = str(self.value)
            shown = shown if len(shown) <= 30 else shown[:27] + "..."
            return _('the text "%(text)s"') % {"text": shown}
        if self.kind is Kind.NUMBER:
            return _("the number %(number)s") % {"number": self.text}
        if self.kind is Kind.KEYWORD:
            return _("the keyword '%(keyword)s'") % {"keyword": self.value}
        return _("'%(token)s'") % {"token": self.text}


class Lexer:
    """Single pass over the source; ``tokens()`` returns the list ending with an EOF token."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.col = 1

    def error(self, message: str, line: int | None = None, col: int | None = None) -> NoReturn:
        raise RuleSyntaxError(message, line or self.line, col or self.col)

    def error_at_end(self, message: str) -> NoReturn:
        """For things left open (a text, a comment): the problem shows at the very end."""
        lines = self.src.split("\n")
        raise RuleSyntaxError(message, len(lines), len(lines[-1]) + 1)

    def advance(self, n: int = 1) -> None:
        """Move n characters forward, keeping line/column right across newlines."""
        for _step in range(n):
            if self.src[self.pos] == "\n":
                self.line += 1
                self.col = 1
            else:
                self.col += 1
            self.pos += 1

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        end = (1, 1)  # just past the last real token: where "end of rule" is reported
        while True:
            self.skip_space_and_comments()
            if self.pos >= len(self.src):
                out.append(Token(Kind.EOF, None, "", *end))
                return out
            out.append(self.next_token())
            end = (self.line, self.col)

    def skip_space_and_comments(self) -> None:
        src = self.src
        while self.pos < len(src):
            if src[self.pos].isspace():
                self.advance()
            elif src.startswith("/*", self.pos):
                line, col = self.line, self.col
                close = src.find("*/", self.pos + 2)
                if close < 0:
                    self.error_at_end(
                        _(
                            "expected '*/' to close the comment opened at line %(line)d, "
                            "column %(column)d, found end of rule"
                        )
                        % {"line": line, "column": col}
                    )
                self.advance(close + 2 - self.pos)
            else:
                return

    def next_token(self) -> Token:
        ch = self.src[self.pos]
        if ch in "'\"":
            return self.string()
        if ch.isdigit():
            return self.number()
        if ch.isalpha() or ch == "_":
            return self.name()
        return self.operator()

    def string(self) -> Token:
        quote = self.src[self.pos]
        line, col, start = self.line, self.col, self.pos
        self.advance()
        parts: list[str] = []
        while True:
            if self.pos >= len(self.src):
                self.error_at_end(
                    _(
                        "expected %(quote)s to close the text started at line %(line)d, "
                        "column %(column)d, found end of rule"
                    )
                    % {"quote": quote, "line": line, "column": col}
                )
            ch = self.src[self.pos]
            if ch == quote:
                self.advance()
                break
            if ch == "\\" and self.pos + 1 < len(self.src):
                nxt = self.src[self.pos + 1]
                # Unknown escapes keep their backslash (as in MediaWiki), so regexes like
                # "buy\s+cheap" work without doubling every backslash.
                parts.append(ESCAPES.get(nxt, "\\" + nxt))
                self.advance(2)
                continue
            parts.append(ch)
            self.advance()
        return Token(Kind.STRING, "".join(parts), self.src[start : self.pos], line, col)

    def number(self) -> Token:
        line, col, start = self.line, self.col, self.pos
        src = self.src
        end = start
        while end < len(src) and src[end].isdigit():
            end += 1
        is_float = end + 1 < len(src) and src[end] == "." and src[end + 1].isdigit()
        if is_float:
            end += 1
            while end < len(src) and src[end].isdigit():
                end += 1
        text = src[start:end]
        if len(text) > MAX_NUMBER_DIGITS:
            self.error(
                _("the number %(start)s... is too long (at most %(max)d digits)")
                % {"start": text[:10], "max": MAX_NUMBER_DIGITS}
            )
        if not text.isascii():  # isdigit() accepts e.g. Arabic-Indic digits
            self.error(
                _("expected a number written with the digits 0-9, found '%(text)s'")
                % {"text": text}
            )
        self.advance(end - start)
        value: int | float = float(text) if is_float else int(text)
        return Token(Kind.NUMBER, value, text, line, col)

    def name(self) -> Token:
        line, col, start = self.line, self.col, self.pos
        src = self.src
        end = start
        while end < len(src) and (src[end].isalnum() or src[end] == "_"):
            end += 1
        text = src[start:end]
        self.advance(end - start)
        word = text.lower()  # names and keywords are case-insensitive, as in MediaWiki
        kind = Kind.KEYWORD if word in KEYWORDS else Kind.NAME
        return Token(kind, word, text, line, col)

    def operator(self) -> Token:
        line, col = self.line, self.col
        for mistake, hint in MISTAKES.items():
            if self.src.startswith(mistake, self.pos) and not self.src.startswith("==", self.pos):
                self.error(_(hint))
        for op in OPERATORS:
            if self.src.startswith(op, self.pos):
                self.advance(len(op))
                return Token(Kind.OP, op, op, line, col)
        ch = self.src[self.pos]
        self.error(
            _("expected an operator or a value, found the character '%(character)s'")
            % {"character": ch}
        )


def tokenize(source: str) -> list[Token]:
    """All tokens of ``source``, ending with one EOF token; raises RuleSyntaxError."""
    return Lexer(source).tokens()
