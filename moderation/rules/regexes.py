"""Regular expressions and globs, on RE2.

RE2 (the ``google-re2`` wheel) matches in time linear in the text, whatever the pattern, so
a moderator's ``(a+)+$`` cannot hang the server the way it would with Python's ``re`` or
PCRE. The price is the features that need backtracking: backreferences, lookahead and
lookbehind, atomic groups, possessive quantifiers. Those are refused when the rule is
compiled, with a message that says why.

``like`` globs are translated to RE2 as well, so they share the same guarantee.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import re2

from .i18n import _, gettext_noop
from .values import utf8_safe

Pattern = Any  # re2._Regexp has no public type

# (fragment RE2 rejects, what to tell the moderator)
# (Whole sentences, translated where they are raised.)
_UNSUPPORTED = (
    ("(?=", gettext_noop("lookahead '(?=...)' is not supported in regular expressions: %(why)s")),
    (
        "(?!",
        gettext_noop(
            "negative lookahead '(?!...)' is not supported in regular expressions: %(why)s"
        ),
    ),
    (
        "(?<=",
        gettext_noop("lookbehind '(?<=...)' is not supported in regular expressions: %(why)s"),
    ),
    (
        "(?<!",
        gettext_noop(
            "negative lookbehind '(?<!...)' is not supported in regular expressions: %(why)s"
        ),
    ),
    (
        "(?>",
        gettext_noop("atomic groups '(?>...)' are not supported in regular expressions: %(why)s"),
    ),
    (
        "(?P=",
        gettext_noop(
            "backreferences '(?P=name)' are not supported in regular expressions: %(why)s"
        ),
    ),
    (
        "\\k<",
        gettext_noop(
            "backreferences '\\k<name>' are not supported in regular expressions: %(why)s"
        ),
    ),
    (
        "(?|",
        gettext_noop(
            "branch reset groups '(?|...)' are not supported in regular expressions: %(why)s"
        ),
    ),
    (
        "(?(",
        gettext_noop(
            "conditionals '(?(...)...)' are not supported in regular expressions: %(why)s"
        ),
    ),
)
_BACKREF = re.compile(r"\\[1-9]")
_POSSESSIVE = re.compile(r"[*+?}]\+")

_NOT_LINEAR = gettext_noop(
    "the regex engine (RE2) guarantees linear-time matching and has no backtracking"
)

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


def explain_error(pattern: str, engine_message: str) -> str:
    """A sentence for the moderator: name the unsupported feature if that is the cause."""
    why = _(_NOT_LINEAR)
    for fragment, sentence in _UNSUPPORTED:
        if fragment in pattern:
            return _(sentence) % {"why": why}
    backref = _BACKREF.search(pattern)
    if backref:
        return _(
            "backreferences like '%(example)s' are not supported in regular expressions: %(why)s"
        ) % {"example": backref.group(), "why": why}
    possessive = _POSSESSIVE.search(pattern)
    if possessive and "repetition" in engine_message:
        return _(
            "possessive quantifiers like '%(example)s' are not supported in regular "
            "expressions: %(why)s"
        ) % {"example": possessive.group(), "why": why}
    # RE2's own words (English) after ours.
    return _("the regular expression is not valid: %(detail)s") % {"detail": engine_message}


def compile_regex(pattern: str, *, case_sensitive: bool = True) -> Pattern:
    """Compile with RE2; raises ValueError with a moderator-readable message."""
    try:
        return re2.compile(utf8_safe(pattern), _re2_options(case_sensitive))
    except re2.error as exc:
        raw = exc.args[0] if exc.args else exc
        message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise ValueError(explain_error(pattern, message)) from None


def glob_to_regex(glob: str) -> str:
    """Translate a ``like`` pattern (``*``, ``?``, ``[abc]``, ``[!abc]``, ``[a-z]``) to an
    RE2 pattern for ``fullmatch``. Like PHP's fnmatch without flags (MediaWiki's ``like``),
    ``*`` also matches newlines and ``/``; an unclosed ``[`` is an ordinary character."""
    out: list[str] = ["(?s)"]
    i, n = 0, len(glob)
    while i < n:
        ch = glob[i]
        i += 1
        if ch == "*":
            # Collapse runs of '*': same meaning, smaller automaton.
            while i < n and glob[i] == "*":
                i += 1
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            close, body = _bracket(glob, i)
            if close < 0:
                out.append(re2.escape("["))
            else:
                out.append(body)
                i = close + 1
        else:
            out.append(re2.escape(ch))
    return "".join(out)


def _bracket(glob: str, start: int) -> tuple[int, str]:
    """Parse a character class starting after '['. Returns (index of ']', RE2 class) or
    (-1, "") when the class is never closed."""
    i, n = start, len(glob)
    negate = i < n and glob[i] in "!^"
    if negate:
        i += 1
    members: list[str] = []
    first = True
    while i < n and (glob[i] != "]" or first):
        ch = glob[i]
        if ch == "-" and members and i + 1 < n and glob[i + 1] != "]":
            members.append("-")
        else:
            members.append(_class_char(ch))
        first = False
        i += 1
    if i >= n:
        return -1, ""
    return i, "[" + ("^" if negate else "") + "".join(members) + "]"


def _class_char(ch: str) -> str:
    """Escape a literal character for use inside an RE2 character class."""
    return "\\" + ch if ch in "\\]^-[" else ch


class PatternCache:
    """Patterns built at run time (e.g. ``text rlike "x" + user_name``), compiled once.

    Bounded so a rule whose pattern changes with every message cannot grow memory; a full
    cache is simply emptied, which is cheap and good enough for that rare case.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.patterns: dict[tuple[str, str], Pattern] = {}

    def get(self, kind: str, source: str) -> Pattern:
        """kind is 'rlike', 'irlike' or 'like'; raises ValueError for a bad pattern."""
        key = (kind, source)
        found = self.patterns.get(key)
        if found is None:
            found = build(kind, source)
            if len(self.patterns) >= self.size:
                self.patterns.clear()
            self.patterns[key] = found
        return found


def build(kind: str, source: str) -> Pattern:
    """Compile the pattern for one keyword operator; raises ValueError."""
    if kind == "like":
        return compile_regex(glob_to_regex(utf8_safe(source)))
    return compile_regex(source, case_sensitive=(kind != "irlike"))
