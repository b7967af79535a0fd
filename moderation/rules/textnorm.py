"""Text normalisation for catching disguised spam: ``ccnorm``, ``rmdoubles``, ``rmspecials``,
``rmwhitespace``, ``norm`` and ``specialratio``, as MediaWiki's AbuseFilter defines them.

``ccnorm`` folds "confusable" characters onto the ASCII letters they imitate, in the spirit
of MediaWiki's equivset: first Unicode NFKD (fullwidth Ａ, mathematical 𝐀, circled ⓐ and
ligatures become plain letters), then diacritics are dropped (é -> e), then the curated
table below maps look-alike letters from other scripts (Cyrillic а, Greek ο, Cherokee Ꭺ,
small capitals ᴀ...), and invisible characters (zero-width spaces, direction marks, soft
hyphens) are deleted. Case is kept: ``lcase(ccnorm(text))`` folds both. Digits are
deliberately *not* folded (MediaWiki maps 0 -> O, 1 -> I...): that would stop rules from
matching prices, years or phone numbers; write ``rlike "fr[e3]{2}"`` for leetspeak.

All functions are pure, and the same message text is normalised by many of the filters
that run on it, so results for texts of ordinary size are memoised.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

# (replacement, characters that imitate it). Written as escapes on purpose: the characters
# are, by design, impossible to tell apart from the ASCII ones when printed.
_CONFUSABLES: tuple[tuple[str, str], ...] = (
    ("a", "\u0430\u03b1\u0251\u1d00"),
    ("A", "\u0410\u0391\u13aa\ua4ee"),
    ("b", "\u044c\u0299\u0180\u0432"),
    ("B", "\u0412\u0392\u13f4\ua4d0\u042c"),
    ("c", "\u0441\u1d04"),
    ("C", "\u0421\u13df\ua4da"),
    ("d", "\u0501\u0111\u00f0\u1d05"),
    ("D", "\u0500\u0110\u00d0\u13a0\ua4d3"),
    ("e", "\u0435\u03b5\u1d07\u0454"),
    ("E", "\u0415\u0395\u13ac\ua4f0"),
    ("g", "\u0261\u0262\u0581"),
    ("G", "\u13c0\ua4d6"),
    ("h", "\u04bb\u0127\u043d\u029c\u0570"),
    ("H", "\u041d\u0397\u04ba\u0126\u13bb\ua4e7"),
    ("i", "\u0456\u03b9\u0131\u0269\u026a\u13a5"),
    ("I", "\u0406\u0399\u04c0\ua4f2"),
    ("j", "\u0458\u03f3\u0237\u1d0a"),
    ("J", "\u0408\u037f\u13ab\ua4d9"),
    ("k", "\u043a\u03ba\u1d0b"),
    ("K", "\u041a\u039a\u13e6\ua4d7"),
    ("l", "\u0142\u04cf\u029f\u05d5"),
    ("L", "\u0141\u13de\ua4e1"),
    ("m", "\u043c\u1d0d"),
    ("M", "\u041c\u039c\u13b7\ua4df"),
    ("n", "\u043f\u0578\u0274\u03b7"),
    ("N", "\u039d\ua4e0"),
    ("o", "\u043e\u03bf\u00f8\u0585\u1d0f\u03c3\u101d"),
    ("O", "\u041e\u039f\u00d8\u0555\u13c5\ua4f3"),
    ("p", "\u0440\u03c1\u1d18"),
    ("P", "\u0420\u03a1\u13e2\ua4d1"),
    ("q", "\u051b\u0566"),
    ("Q", "\u051a"),
    ("r", "\u0433\u0280"),
    ("R", "\u13d2\ua4e3"),
    ("s", "\u0455\ua731"),
    ("S", "\u0405\u13da\ua4e2"),
    ("t", "\u0442\u03c4\u0167\u1d1b"),
    ("T", "\u0422\u03a4\u0166\u13a2\ua4d4"),
    ("u", "\u057d\u03c5\u1d1c\u028a"),
    ("U", "\u054d\ua4f4"),
    ("v", "\u03bd\u0475\u1d20"),
    ("V", "\u0474\u13d9\ua4e6"),
    ("w", "\u051d\u1d21\u03c9"),
    ("W", "\u051c\u13b3"),
    ("x", "\u0445\u03c7\u00d7"),
    ("X", "\u0425\u03a7\ua4eb"),
    ("y", "\u0443\u03b3\u028f\u04af"),
    ("Y", "\u0423\u03a5\u04ae\u13a9\ua4ec"),
    ("z", "\u1d22"),
    ("Z", "\u0396\u13c3\ua4dc"),
    ("ss", "\u00df"),
    ("ae", "\u00e6"),
    ("AE", "\u00c6"),
    ("oe", "\u0153"),
    ("OE", "\u0152"),
    (".", "\u3002\u00b7"),
    ("/", "\u2044\u2215"),
    ("-", "\u2010\u2012\u2013\u2014\u2212\u2015"),
    (":", "\u0589\ua789\u2236"),
    ("'", "\u2018\u2019\u02bc\u2032"),
    ('"', "\u201c\u201d"),
    (
        "",
        "\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\u2800",
    ),
)

# Combining marks stripped after NFKD: general diacritics (incl. "Zalgo" stacks), Cyrillic
# titlo marks, and the supplements. Marks that carry meaning in other scripts (Indic vowel
# signs, kana voicing marks) are left alone; NFC recomposes them afterwards.
_MARK_RANGES = ((0x0300, 0x036F), (0x0483, 0x0489), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF))
_MARK_RANGES += ((0x20D0, 0x20FF), (0xFE20, 0xFE2F))


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for start, end in _MARK_RANGES:
        for code in range(start, end + 1):
            table[code] = None
    for replacement, imitations in _CONFUSABLES:
        for char in imitations:
            table[ord(char)] = replacement or None
    return table


_TABLE = _build_table()
CONFUSABLE_COUNT = sum(len(imitations) for _, imitations in _CONFUSABLES)

_DOUBLES = re.compile(r"(.)\1+", re.DOTALL)
# MediaWiki's rmspecials keeps letters, digits and whitespace. Runs ('+') rather than single
# characters: one substitution per run of punctuation instead of one per character.
_SPECIALS = re.compile(r"(?:[^\w\s]|_)+")
_ALNUM_RUNS = re.compile(r"[^\W_]+")

# Messages are at most a few thousand characters; longer texts bypass the memo so it can
# never hold more than MEMO_SIZE * MEMO_MAX_LENGTH characters.
MEMO_SIZE = 256
MEMO_MAX_LENGTH = 20_000

R = TypeVar("R")


def _memoised(fn: Callable[[str], R]) -> Callable[[str], R]:
    cached = functools.lru_cache(maxsize=MEMO_SIZE)(fn)

    @functools.wraps(fn)
    def wrapper(text: str) -> R:
        return cached(text) if len(text) <= MEMO_MAX_LENGTH else fn(text)

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return wrapper


# Above this many distinct characters (CJK-heavy text), per-character classification in
# Python costs more than the regex scan it replaces.
_DISTINCT_LIMIT = 256


def _distinct(text: str) -> set[str] | None:
    """The distinct characters of text, or None when there are too many to be worth it."""
    distinct = set(text)
    return distinct if len(distinct) <= _DISTINCT_LIMIT else None


@_memoised
def ccnorm(text: str) -> str:
    if text.isascii():  # nothing to fold: the common case, kept cheap
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", _fold(decomposed))


def _fold(text: str) -> str:
    """Apply _TABLE. str.translate looks every character up in the dict; replacing only
    the distinct characters that need it runs in C and is ~3x faster on 4000 characters."""
    distinct = _distinct(text)
    if distinct is None:
        return text.translate(_TABLE)
    for char in distinct:
        replacement = _TABLE.get(ord(char), char)
        if replacement != char:
            text = text.replace(char, replacement or "")
    return text


@_memoised
def lcase(text: str) -> str:
    return text.lower()


@_memoised
def ucase(text: str) -> str:
    return text.upper()


@_memoised
def rmdoubles(text: str) -> str:
    """Collapse runs of one repeated character: "heeelllo" -> "helo"."""
    distinct = _distinct(text)
    if distinct is None:
        return _DOUBLES.sub(_first_group, text)
    # Halve each run with str.replace until no pair is left: C-speed, and 2-7x faster than
    # the regex, which tries a match at every position. A run always keeps one character,
    # so collapsing one character's runs never makes two other characters adjacent.
    for char in [c for c in distinct if c + c in text]:
        pair = char + char
        while pair in text:
            text = text.replace(pair, char)
    return text


def _first_group(match: re.Match[str]) -> str:
    return match.group(1)


@_memoised
def rmspecials(text: str) -> str:
    """Drop everything but letters, digits and whitespace (as MediaWiki does)."""
    distinct = _distinct(text)
    if distinct is None:
        return _SPECIALS.sub("", text)
    # Classify each distinct character once, then delete in C: ~4x faster than the regex,
    # whose Unicode class test runs at every position.
    specials = [c for c in distinct if not (c.isalnum() or c.isspace())]
    return text.translate(dict.fromkeys(map(ord, specials))) if specials else text


@_memoised
def rmwhitespace(text: str) -> str:
    # str.split() splits on exactly the characters re's \s matches, and runs in C.
    return "".join(text.split())


@_memoised
def norm(text: str) -> str:
    """MediaWiki's norm: rmwhitespace(rmspecials(rmdoubles(ccnorm(text))))."""
    return rmwhitespace(rmspecials(rmdoubles(ccnorm(text))))


@_memoised
def specialratio(text: str) -> float:
    """Share of characters that are not letters or digits (spaces count as special, as in
    MediaWiki); 0.0 for empty text."""
    if not text:
        return 0.0
    distinct = _distinct(text)
    if distinct is None:
        special = len(text) - sum(map(len, _ALNUM_RUNS.findall(text)))
    else:  # str.count per distinct special character runs in C
        special = sum(text.count(c) for c in distinct if not c.isalnum())
    return special / len(text)
