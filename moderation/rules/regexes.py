"""AbuseFilter's regular expressions (PCRE2, as PHP's ``preg_*`` with ``/u``), run on RE2.

AbuseFilter hands a pattern to PHP as ``/pattern/u`` (``/pattern/ui`` for ``irlike``).
PHP's ``u`` turns on both UTF and UCP, so ``\\w \\d \\s`` and POSIX classes are Unicode
(``\\w`` is ``[\\p{L}\\p{N}_]``). RE2 (the ``google-re2`` wheel) matches in time linear in
the text, whatever the pattern, so a moderator's ``(a+)+$`` cannot hang the server the way
it hangs PCRE. ``translate`` rewrites the PCRE syntax into RE2's so that the same pattern
means the same thing:

- ``\\w \\W \\d \\D \\s \\S \\h \\H \\v \\V \\R \\N``, POSIX classes, ``\\p{L&}``, ``\\p{Xan}``...
  become explicit Unicode classes with PCRE2's (UCP) meaning;
- ``\\xHH \\x{H..} \\o{..} \\0nn \\e \\a \\cX \\Q..\\E`` become code points;
- ``$`` (no ``m``) and ``\\Z`` match at the end *or before a final newline*, as in PCRE:
  emulated with a marker group that consumes that newline, taken back out of the spans
  (``Match``);
- ``(?<name>..)`` ``(?'name'..)`` become ``(?P<name>..)``; the ``x`` flag (spaces and
  ``#`` comments) and ``n`` (no auto-capture) are applied here; ``(?#..)`` comments dropped.

What needs backtracking is refused, naming the feature (``UnsupportedFeature``):
backreferences, lookahead and lookbehind, atomic groups, possessive quantifiers,
recursion and subroutine calls, conditionals, branch reset, ``\\G``, ``\\K``, ``\\X``,
``\\C``, callouts and ``(*VERBS)``. Known differences that remain (docs/abuse-filters.md):
``\\b``/``\\B`` are RE2's (ASCII word characters), counted repetition is at most 1000, and
after an empty match the next search starts one character further (PCRE first retries a
non-empty match at the same place).

``like`` builds its pattern exactly as AbuseFilter's keywordLike does (``preg_quote`` then
its wildcard map), then goes through the same translation.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import re2

from .i18n import _, gettext_noop
from .values import utf8_safe

_NOT_LINEAR = gettext_noop(
    "the regex engine (RE2) guarantees linear-time matching and has no backtracking"
)

# Feature key -> the sentence naming it (the example is the pattern's own text).
_FEATURES = {
    "backreference": gettext_noop(
        "backreferences like '%(example)s' are not supported in regular expressions: %(why)s"
    ),
    "lookahead": gettext_noop(
        "lookahead '%(example)s' is not supported in regular expressions: %(why)s"
    ),
    "lookbehind": gettext_noop(
        "lookbehind '%(example)s' is not supported in regular expressions: %(why)s"
    ),
    "atomic": gettext_noop(
        "atomic groups '%(example)s' are not supported in regular expressions: %(why)s"
    ),
    "possessive": gettext_noop(
        "possessive quantifiers like '%(example)s' are not supported in regular "
        "expressions: %(why)s"
    ),
    "recursion": gettext_noop(
        "recursion and subroutine calls like '%(example)s' are not supported in regular "
        "expressions: %(why)s"
    ),
    "conditional": gettext_noop(
        "conditionals '%(example)s' are not supported in regular expressions: %(why)s"
    ),
    "branch_reset": gettext_noop(
        "branch reset groups '%(example)s' are not supported in regular expressions: %(why)s"
    ),
    "verb": gettext_noop(
        "'%(example)s' (backtracking verbs, callouts and start-of-pattern settings) is not "
        "supported in regular expressions: %(why)s"
    ),
    "escape": gettext_noop("'%(example)s' is not supported in regular expressions: %(why)s"),
}


class UnsupportedFeature(ValueError):
    """A PCRE feature RE2 cannot run; ``str()`` is the moderator's sentence."""

    def __init__(self, feature: str, example: str) -> None:
        self.feature = feature
        self.example = example
        super().__init__(_(_FEATURES[feature]) % {"example": example, "why": _(_NOT_LINEAR)})


def _invalid(detail: str) -> ValueError:
    return ValueError(_("the regular expression is not valid: %(detail)s") % {"detail": detail})


# ---------------------------------------------------------------------------------------
# Classes with PCRE2 UCP meaning (Unicode 14: PCRE2 10.42 and Python 3.11 agree).

_HSPACE = "\\t \\x{a0}\\x{1680}\\x{180e}\\x{2000}-\\x{200a}\\x{202f}\\x{205f}\\x{3000}"
_VSPACE = "\\n\\x{b}\\f\\r\\x{85}\\x{2028}\\x{2029}"
_SPACE = _HSPACE + _VSPACE  # PCRE2 UCP \s: the same characters as \h and \v
_WORD = "\\p{L}\\p{N}_"
_ALNUM = "\\p{L}\\p{N}"
_PUNCT = "\\p{P}$+<=>^`|~"  # PCRE2 UCP [:punct:]: \p{P}, plus ASCII symbols


@functools.cache
def _complement(body: str) -> str:
    """A class body for "anything but ``body``", as explicit ranges (RE2 has no negated
    set inside a class). Built from RE2 itself, once per set."""
    member = re2.compile(f"[{body}]")
    out: list[str] = []
    start: int | None = None
    for code in range(0x110001):
        inside = code < 0x110000 and (0xD800 <= code < 0xE000 or member.fullmatch(chr(code)))
        if not inside and start is None and code < 0x110000:
            start = code
        elif inside and start is not None or code == 0x110000 and start is not None:
            end = code - 1
            out.append(f"\\x{{{start:x}}}" + (f"-\\x{{{end:x}}}" if end > start else ""))
            start = None
    return "".join(out)


# name -> (class body, negatable by \P), for \d \w \s \h \v and POSIX classes.
_SETS: dict[str, str] = {
    "d": "\\p{Nd}",
    "w": _WORD,
    "s": _SPACE,
    "h": _HSPACE,
    "v": _VSPACE,
    "alpha": "\\p{L}",
    "digit": "\\p{Nd}",
    "alnum": _ALNUM,
    "space": _SPACE,
    "word": _WORD,
    "lower": "\\p{Ll}",
    "upper": "\\p{Lu}",
    "blank": _HSPACE,
    "cntrl": "\\p{Cc}",
    "xdigit": "0-9A-Fa-f",
    "punct": _PUNCT,
    "ascii": "\\x{0}-\\x{7f}",
}
_POSIX = re.compile(r"\[:(\^?)([a-z]+):\]")
_PROPERTY_ALIASES = {"L&": "\\p{Lu}\\p{Ll}\\p{Lt}", "Xan": _ALNUM, "Xwd": _WORD}
_PROPERTY_ALIASES |= {"Xsp": _SPACE, "Xps": _SPACE, "Lc": "\\p{Lu}\\p{Ll}\\p{Lt}"}


def _set(body: str, negated: bool, in_class: bool) -> str:
    if not negated:
        return body if in_class else f"[{body}]"
    if not in_class:
        return f"[^{body}]"
    simple = re.fullmatch(r"\\p\{(\w+)\}", body)
    return f"\\P{{{simple.group(1)}}}" if simple else _complement(body)


# ---------------------------------------------------------------------------------------
# Translation


@dataclass
class Translation:
    """An RE2 source for a PCRE pattern, and where its groups went."""

    source: str
    groups: list[int] = field(default_factory=list)  # PCRE group n -> RE2 group groups[n-1]
    names: dict[str, int] = field(default_factory=dict)  # name -> PCRE group number
    markers: list[int] = field(default_factory=list)  # RE2 groups of the "$" newline


_X_SPACE = frozenset(" \t\n\x0b\x0c\r\x85\u200e\u200f\u2028\u2029")
_FLAG_LETTERS = frozenset("imsxnUJ")


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.re2_groups = 0
        self.result = Translation("")
        # Flags that change our translation: extended, multiline, no-auto-capture.
        self.flags = {"x": False, "m": False, "n": False}
        self.stack: list[dict[str, bool]] = []

    def error_feature(self, feature: str, start: int, end: int | None = None) -> UnsupportedFeature:
        return UnsupportedFeature(feature, self.p[start : end if end is not None else self.i])

    def run(self) -> Translation:
        while self.i < len(self.p):
            self.atom()
        self.result.source = "".join(self.out)
        return self.result

    def peek(self, text: str) -> bool:
        return self.p.startswith(text, self.i)

    def new_group(self, name: str | None = None) -> str:
        self.re2_groups += 1
        self.result.groups.append(self.re2_groups)
        if name is not None:
            self.result.names[name] = len(self.result.groups)
            return f"(?P<{name}>"
        return "("

    def pcre_groups(self) -> int:
        """Capturing groups opened so far (PCRE reads \\12 as a backreference if there
        are that many, else as octal)."""
        return len(self.result.groups)

    def marker(self) -> str:
        self.re2_groups += 1
        self.result.markers.append(self.re2_groups)
        return "(?:\\z|(\\n)\\z)"

    def atom(self) -> None:
        p, c = self.p, self.p[self.i]
        if self.flags["x"] and (c in _X_SPACE or c == "#"):
            if c == "#":
                end = p.find("\n", self.i)
                self.i = len(p) if end < 0 else end + 1
            else:
                self.i += 1
            return
        start = self.i
        self.i += 1
        if c == "\\":
            self.out.append(self.escape(start, in_class=False))
        elif c == "[":
            self.out.append(self.char_class())
        elif c == "(":
            self.group(start)
        elif c == ")":
            if self.stack:
                self.flags = self.stack.pop()
            self.out.append(")")
        elif c == "$":
            self.out.append("$" if self.flags["m"] else self.marker())
        elif c in "*+?":
            self.out.append(c)
            self.quantifier_suffix(start)
        elif c == "{":
            quantifier = re.match(r"\{(\d+)(,(\d*))?\}", p[start:])
            if quantifier:
                self.i = start + quantifier.end()
                self.out.append(quantifier.group())
                self.quantifier_suffix(start)
            else:
                self.out.append("\\{")
        elif c in "]}":
            self.out.append("\\" + c)
        else:
            self.out.append(c)

    def quantifier_suffix(self, start: int) -> None:
        if self.peek("+"):
            self.i += 1
            raise self.error_feature("possessive", start)
        if self.peek("?"):
            self.i += 1
            self.out.append("?")

    def group(self, start: int) -> None:
        p = self.p
        self.stack.append(dict(self.flags))
        if self.peek("*"):
            end = p.find(")", self.i)
            raise self.error_feature("verb", start, len(p) if end < 0 else end + 1)
        if not self.peek("?"):
            self.out.append("(?:" if self.flags["n"] else self.new_group())
            return
        self.i += 1
        rest = p[self.i :]
        if rest.startswith("#"):
            end = p.find(")", self.i)
            if end < 0:
                raise _invalid("missing ) at end of comment")
            self.i = end + 1
            self.stack.pop()
            return
        if rest.startswith(":"):
            self.i += 1
            self.out.append("(?:")
            return
        for prefix, feature in (
            ("=", "lookahead"), ("!", "lookahead"), ("*", "lookahead"),
            ("<=", "lookbehind"), ("<!", "lookbehind"), ("<*", "lookbehind"),
            (">", "atomic"), ("|", "branch_reset"), ("(", "conditional"),
            ("P=", "backreference"), ("P>", "recursion"), ("&", "recursion"),
            ("R)", "recursion"), ("C", "verb"),
        ):  # fmt: skip
            if rest.startswith(prefix):
                self.i += len(prefix)
                raise self.error_feature(feature, start)
        recursion = re.match(r"[+-]?\d+\)", rest)
        if recursion:
            self.i += recursion.end()
            raise self.error_feature("recursion", start)
        named = re.match(r"(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')", rest)
        if named:
            self.i += named.end()
            self.out.append(self.new_group(named.group(1) or named.group(2)))
            return
        flags = re.match(r"(\^?)([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])", rest)
        if not flags or not set(flags.group(2) + (flags.group(3) or "")) <= _FLAG_LETTERS:
            raise _invalid(f"unrecognized character after (? at offset {self.i}")
        self.i += flags.end()
        if flags.group(1):  # (?^): back to no flags
            self.flags = {"x": False, "m": False, "n": False}
        for letter in flags.group(2):
            if letter in self.flags:
                self.flags[letter] = True
        for letter in flags.group(3) or "":
            if letter in self.flags:
                self.flags[letter] = False
        on = "".join(ch for ch in flags.group(2) if ch in "imsU")
        off = "".join(ch for ch in flags.group(3) or "" if ch in "imsU")
        if flags.group(1):
            off = "".join(ch for ch in "imsU" if ch not in on)
        setting = on + ("-" + off if off else "")
        if flags.group(4) == ":":
            self.out.append(f"(?{setting}:" if setting else "(?:")
            return
        # (?i) alone: applies to the rest of the enclosing group, which is how RE2 reads it.
        self.stack.pop()
        if setting:
            self.out.append(f"(?{setting})")

    # -- escapes ---------------------------------------------------------------------

    def escape(self, start: int, *, in_class: bool) -> str:
        p = self.p
        if self.i >= len(p):
            raise _invalid("\\ at end of pattern")
        c = p[self.i]
        self.i += 1
        if c == "Q":
            end = p.find("\\E", self.i)
            literal = p[self.i :] if end < 0 else p[self.i : end]
            self.i = len(p) if end < 0 else end + 2
            return "".join(_literal(ch, in_class) for ch in literal)
        if c == "E":
            return ""
        if c.isdigit() and c != "0":
            digits = re.match(r"\d+", p[start + 1 :]).group()  # type: ignore[union-attr]
            if not in_class and (int(digits) < 10 or int(digits) <= self.pcre_groups()):
                self.i = start + 1 + len(digits)
                raise self.error_feature("backreference", start)
            octal = re.match(r"[0-7]{1,3}", digits)
            if octal is None:
                raise _invalid(f"a numbered reference must not be zero or too big: \\{digits}")
            self.i = start + 1 + octal.end()
            return _codepoint(int(octal.group(), 8))
        if c == "0":
            octal = re.match(r"[0-7]{0,2}", p[self.i :])
            self.i += octal.end()  # type: ignore[union-attr]
            return _codepoint(int("0" + octal.group(), 8))  # type: ignore[union-attr]
        if c in "gk":
            reference = re.match(r"\{[^}]*\}|<[^>]*>|'[^']*'|[+-]?\d+", p[self.i :])
            subroutine = c == "g" and reference is not None and reference.group()[0] in "<'"
            self.i += reference.end() if reference else 0
            raise self.error_feature("recursion" if subroutine else "backreference", start)
        if c in "GKXC" or (c == "N" and in_class) or c in "LlUu":
            raise self.error_feature("escape", start)
        if c in "dwsDWShvHV":
            body = _SETS[c.lower()]
            if c in "hvHV" and in_class and c.isupper():
                return _complement(body)
            return _set(body, c.isupper(), in_class)
        if c == "R":
            return "(?:\\r\\n|[" + _VSPACE + "])"
        if c == "N":
            unicode_name = re.match(r"\{U\+([0-9A-Fa-f]+)\}", p[self.i :])
            if unicode_name:
                self.i += unicode_name.end()
                return _codepoint(int(unicode_name.group(1), 16))
            return "[^\\n]"
        if c in "pP":
            braced = re.match(r"\{(\^?)([^}]*)\}|([A-Za-z])", p[self.i :])
            if not braced:
                raise _invalid("malformed \\p or \\P sequence")
            self.i += braced.end()
            negated = (c == "P") != bool(braced.group(1))
            name = braced.group(2) if braced.group(3) is None else braced.group(3)
            name = name.replace(" ", "").replace("_", "") if name not in ("L&",) else name
            if name in _PROPERTY_ALIASES:
                return _set(_PROPERTY_ALIASES[name], negated, in_class)
            return ("\\P" if negated else "\\p") + "{" + name + "}"
        if c == "x":
            braced = re.match(r"\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{0,2})", p[self.i :])
            self.i += braced.end()  # type: ignore[union-attr]
            digits = braced.group(1) or braced.group(2) or "0"  # type: ignore[union-attr]
            return _codepoint(int(digits, 16))
        if c == "o":
            braced = re.match(r"\{([0-7]+)\}", p[self.i :])
            if not braced:
                raise _invalid("missing opening brace after \\o")
            self.i += braced.end()
            return _codepoint(int(braced.group(1), 8))
        if c == "c":
            if self.i >= len(p) or not " " <= p[self.i] <= "~":
                raise _invalid("\\c must be followed by a printable ASCII character")
            self.i += 1
            return _codepoint(ord(p[self.i - 1].upper()) ^ 0x40)
        simple = {"a": 7, "e": 0x1B, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09}
        if c in simple:
            return _codepoint(simple[c])
        if c == "b" and in_class:
            return _codepoint(8)
        if c in "bB":
            return "\\" + c
        if c == "A":
            return "\\A"
        if c == "z":
            return "\\z"
        if c == "Z":
            return self.marker()
        if c.isascii() and c.isalnum():
            raise _invalid(f"unrecognized character follows \\ at offset {start}: \\{c}")
        return _literal(c, in_class)

    # -- classes ---------------------------------------------------------------------

    def char_class(self) -> str:
        p = self.p
        parts = ["["]
        if self.peek("^"):
            self.i += 1
            parts.append("^")
        first = True
        while True:
            if self.i >= len(p):
                raise _invalid("missing terminating ] for character class")
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            posix = _POSIX.match(p, self.i)
            if posix:
                name = posix.group(2)
                if name not in _SETS or name in ("d", "w", "s", "h", "v"):
                    if name in ("graph", "print"):
                        raise self.error_feature("escape", self.i, posix.end())
                    raise _invalid(f"unknown POSIX class name [:{name}:]")
                self.i = posix.end()
                parts.append(_set(_SETS[name], bool(posix.group(1)), in_class=True))
                continue
            start = self.i
            self.i += 1
            if c == "\\":
                parts.append(self.escape(start, in_class=True))
            elif c == "-":
                parts.append("-")
            else:
                parts.append(_literal(c, in_class=True))
        parts.append("]")
        return "".join(parts)


def _codepoint(code: int) -> str:
    if code > 0x10FFFF or 0xD800 <= code < 0xE000:
        raise _invalid(f"character code point value \\x{{{code:x}}} is too large or a surrogate")
    return f"\\x{{{code:x}}}"


def _literal(ch: str, in_class: bool) -> str:
    if ch.isascii() and not ch.isalnum() and ch not in " _":
        return "\\" + ch if ch.isprintable() else _codepoint(ord(ch))
    return ch


def translate(pattern: str) -> Translation:
    """The RE2 equivalent of a PCRE pattern (``/pattern/u``); raises ValueError (a
    ``UnsupportedFeature`` for what RE2 cannot do) with a sentence for the moderator."""
    return _Translator(pattern).run()


# ---------------------------------------------------------------------------------------
# Compiled patterns and matching

_options: dict[bool, Any] = {}
_options_lock = threading.Lock()


def _re2_options(case_sensitive: bool) -> Any:
    with _options_lock:
        if case_sensitive not in _options:
            opts = re2.Options()
            opts.case_sensitive = case_sensitive
            opts.log_errors = False  # RE2 would otherwise print every bad pattern to stderr
            _options[case_sensitive] = opts
        return _options[case_sensitive]


@dataclass
class Match:
    """A match with PCRE's spans: ``spans[0]`` the whole match, then PCRE's groups
    (None where a group did not take part)."""

    spans: list[tuple[int, int] | None]
    text: str

    def group(self, number: int = 0) -> str | None:
        span = self.spans[number] if number < len(self.spans) else None
        return None if span is None else self.text[span[0] : span[1]]

    @property
    def start(self) -> int:
        return self.spans[0][0]  # type: ignore[index]

    @property
    def end(self) -> int:
        return self.spans[0][1]  # type: ignore[index]


class Regex:
    """A translated, compiled pattern. ``search``/``fullmatch`` return a truthy value or
    None, as the evaluator expects; ``finditer`` gives PCRE-shaped ``Match`` objects."""

    def __init__(self, pattern: str, *, caseless: bool = False, anchored: bool = False) -> None:
        self.pattern = pattern
        self.translation = translate(pattern)
        self.anchored = anchored
        try:
            self.compiled = re2.compile(
                utf8_safe(self.translation.source), _re2_options(not caseless)
            )
        except re2.error as exc:
            raw = exc.args[0] if exc.args else exc
            message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            raise _invalid(message) from None

    @property
    def groups(self) -> int:
        return len(self.translation.groups)

    def search(self, text: str) -> Any:
        return self.compiled.search(text)

    def fullmatch(self, text: str) -> Any:
        # ``like`` patterns carry their own ^...$ (with PCRE's final-newline $).
        return self.compiled.search(text) if self.anchored else self.compiled.fullmatch(text)

    def _shape(self, raw: Any, text: str) -> Match:
        spans: list[tuple[int, int] | None] = [raw.span(0)]
        spans += [raw.span(g) if raw.span(g)[0] >= 0 else None for g in self.translation.groups]
        if any(raw.span(g)[0] >= 0 for g in self.translation.markers):
            # A "$" took the final newline: in PCRE it matched just before it.
            last = len(text) - 1
            spans = [(s[0], min(s[1], last)) if s is not None else None for s in spans]
        return Match(spans, text)

    def finditer(self, text: str) -> Iterator[Match]:
        """Successive non-overlapping matches, as preg_match_all/preg_replace walk them
        (after an empty match, the next search starts one character on)."""
        position = 0
        while position <= len(text):
            raw = self.compiled.search(text, position)
            if raw is None:
                return
            match = self._shape(raw, text)
            yield match
            position = match.end + 1 if match.end == match.start else match.end

    def first(self, text: str) -> Match | None:
        raw = self.compiled.search(text)
        return None if raw is None else self._shape(raw, text)


Pattern = Regex


# ---------------------------------------------------------------------------------------
# The language's operators and functions


def rescape(text: str) -> str:
    """``rescape()``: PHP's ``preg_quote($s)`` (AbuseFilter passes no delimiter, so ``/``
    stays as it is; NUL becomes ``\\000``)."""
    return _PREG_QUOTE.sub(lambda m: "\\000" if m.group() == "\0" else "\\" + m.group(), text)


_PREG_QUOTE = re.compile(r"[.\\+*?\[^\]$(){}=!<>|:\-#\0]")

# AFPData::WILDCARD_MAP, applied with strtr (longest key first) after preg_quote($p, '#').
_WILDCARDS = {"\\[\\!": "[^", "\\*": ".*", "\\+": "\\+", "\\-": "\\-", "\\.": "\\.",
              "\\?": ".", "\\[": "[", "\\]": "]", "\\": "\\\\"}  # fmt: skip
_WILDCARD_KEYS = re.compile(
    "|".join(re.escape(k) for k in sorted(_WILDCARDS, key=len, reverse=True))
)


def like_to_pcre(glob: str) -> str:
    """The PCRE pattern AbuseFilter's keywordLike builds for ``glob`` (without the
    ``#...#u`` delimiters): ``^`` + strtr(preg_quote(glob, '#'), WILDCARD_MAP) + ``$``.
    So ``*`` is ``.*`` (not across a newline), ``?`` one character but a newline, ``[..]``
    and ``[!..]`` classes; other characters are literal."""
    return "^" + _WILDCARD_KEYS.sub(lambda m: _WILDCARDS[m.group()], rescape(glob)) + "$"


class _NeverMatches:
    """What a ``like`` pattern PHP cannot compile does there: match nothing, silently
    (AbuseFilter ignores preg_match's failure)."""

    anchored = True

    def search(self, text: str) -> None:
        return None

    fullmatch = search


def build(kind: str, source: str) -> Regex:
    """Compile the pattern for one keyword operator (``like``, ``rlike``, ``irlike``);
    raises ValueError (``rlike``/``irlike`` only: AbuseFilter's regexfailure)."""
    if kind == "like":
        try:
            return Regex(like_to_pcre(utf8_safe(source)), anchored=True)
        except ValueError:
            return _NeverMatches()  # type: ignore[return-value]
    return Regex(source, caseless=(kind == "irlike"))


def compile_regex(pattern: str, *, case_sensitive: bool = True) -> Regex:
    """A PCRE pattern as AbuseFilter writes it, compiled; raises ValueError."""
    return Regex(pattern, caseless=not case_sensitive)


def rcount(regex: Regex, text: str) -> int:
    """``rcount(pattern, text)``: preg_match_all's count."""
    return sum(1 for _match in regex.finditer(text))


def group_count_estimate(pattern: str) -> int:
    """How many groups AbuseFilter's get_matches expects: it counts '(' after removing
    escaped ones, '(?' and '(*' (a class's '(' counts too: that is AbuseFilter's rule)."""
    stripped = re.sub(r"(\\\\)*\\\(", "", pattern).replace("(?", "").replace("(*", "")
    return stripped.count("(") + 1


def get_matches(regex: Regex, text: str) -> list[str | bool]:
    """``get_matches(pattern, text)``: PHP's ``$matches + array_fill(0, n, false)`` after
    preg_match: the whole match then each group; a group that did not take part is ""
    before the last one that did, and false after it (and when nothing matched);
    a named group appears twice, by name then by number, as in PHP's array."""
    wanted = group_count_estimate(regex.pattern)
    match = regex.first(text)
    values: dict[int | str, str | bool] = {}
    if match is not None:
        taken = [i for i, span in enumerate(match.spans) if span is not None]
        names = {number: name for name, number in regex.translation.names.items()}
        for number in range(max(taken) + 1):
            value = match.group(number)
            if number in names:
                values[names[number]] = value or ""
            values[number] = value or ""
    for number in range(wanted):
        values.setdefault(number, False)
    return list(values.values())


_BACKREF = re.compile(r"[\\$](\d\d?)|\$\{(\d\d?)\}")


def _replacement(template: str) -> Callable[[Match], str]:
    """PHP's preg_replace replacement: ``\\n``, ``$n``, ``${n}`` (n up to 99) insert a
    group ("" if it did not take part or does not exist); ``\\\\`` and ``\\$`` are a
    backslash and a dollar; anything else is literal."""
    pieces: list[str | int] = []
    i, last_copied = 0, ""
    while i < len(template):
        ch = template[i]
        if ch in "\\$":
            if last_copied == "\\":
                pieces[-1] = ch
                last_copied = ""
                i += 1
                continue
            ref = _BACKREF.match(template, i)
            if ref:
                pieces.append(int(ref.group(1) or ref.group(2)))
                i = ref.end()
                last_copied = ""
                continue
        pieces.append(ch)
        last_copied = ch
        i += 1

    def expand(match: Match) -> str:
        return "".join(
            piece if isinstance(piece, str) else match.group(piece) or "" for piece in pieces
        )

    return expand


def str_replace_regexp(regex: Regex, text: str, replacement: str) -> str:
    """``str_replace_regexp(text, pattern, replacement)``: PHP's preg_replace."""
    expand = _replacement(replacement)
    out: list[str] = []
    position = 0
    for match in regex.finditer(text):
        out.append(text[position : match.start])
        out.append(expand(match))
        position = match.end
    out.append(text[position:])
    return "".join(out)


class PatternCache:
    """Patterns built at run time (e.g. ``text rlike "x" + user_name``), compiled once.

    Bounded so a rule whose pattern changes with every message cannot grow memory; a full
    cache is simply emptied, which is cheap and good enough for that rare case.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.patterns: dict[tuple[str, str], Regex] = {}

    def get(self, kind: str, source: str) -> Regex:
        """kind is 'rlike', 'irlike', 'like' or 'regex' (get_matches, rcount,
        str_replace_regexp: case-sensitive, errors raised); raises ValueError."""
        key = (kind, source)
        found = self.patterns.get(key)
        if found is None:
            found = Regex(source) if kind == "regex" else build(kind, source)
            if len(self.patterns) >= self.size:
                self.patterns.clear()
            self.patterns[key] = found
        return found
