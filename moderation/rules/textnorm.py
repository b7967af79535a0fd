"""The text functions of AbuseFilter's rule language, with the same results as MediaWiki
1.39's ``FilterEvaluator`` (PHP 8.2, PCRE2 10.42, Unicode 14, which is also Python 3.11's
``unicodedata``).

- ``ccnorm``: PHP's ``html_entity_decode`` then ``Equivset::normalize``, a one-pass,
  per-character map from the wikimedia/equivset package (``data/equivset.json``, built by
  ``scripts/build_equivset.py``; GPL-2.0-or-later, see ``data/EQUIVSET-NOTICE.md``). The
  result is upper-case and folds digits and some symbols onto letters, as AbuseFilter's
  does: ``ccnorm("Ｖ1agra") == "VIAGRA"``.
- ``rmspecials`` keeps ``[\\p{L}\\p{N}\\s]``, ``rmwhitespace`` drops ``\\s+``, ``rmdoubles``
  is ``(.)\\1+`` -> ``\\1``, all with PHP's ``/u`` (PCRE2 UTF + UCP: ``\\s`` is Unicode space;
  see ``_PCRE_SPACE``).
- ``specialratio`` is ``1 - len(rmspecials(s)) / len(s)``.
- ``sanitize``: ``html_entity_decode`` then MediaWiki's ``Sanitizer::decodeCharReferences``.
- ``lcase``/``ucase``: ``mb_strtolower``/``mb_strtoupper`` (full case mapping, no final-sigma
  rule: ``lcase("ΟΔΟΣ") == "οδοσ"``).

All functions are pure, and the same message text is normalised by many of the filters
that run on it, so results for texts of ordinary size are memoised.
"""

from __future__ import annotations

import functools
import html.entities
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

EQUIVSET_PATH = Path(__file__).resolve().parent / "data" / "equivset.json"

# PCRE2's \s with UCP (what PHP's /u gives): Python's str.isspace() but for the
# information separators U+001C..U+001F, plus U+180E MONGOLIAN VOWEL SEPARATOR.
_PCRE_SPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_CLASS = "".join(re.escape(c) for c in sorted(_PCRE_SPACE))
_WHITESPACE_RUNS = re.compile(f"[{_SPACE_CLASS}]+")

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


# ---------------------------------------------------------------------------------------
# Equivset


@functools.cache
def equivset() -> dict[str, str]:
    """The equivset map (character -> replacement, possibly ""), loaded on first use."""
    document = json.loads(EQUIVSET_PATH.read_text("ascii"))
    return document["map"]


@functools.cache
def _equivset_table() -> dict[int, str]:
    return {ord(key): value for key, value in equivset().items()}


# Above this many distinct characters (CJK-heavy text), per-character classification in
# Python costs more than the single C pass it replaces.
_DISTINCT_LIMIT = 256


def _distinct(text: str) -> set[str] | None:
    """The distinct characters of text, or None when there are too many to be worth it."""
    distinct = set(text)
    return distinct if len(distinct) <= _DISTINCT_LIMIT else None


@_memoised
def fold_confusables(text: str) -> str:
    """``Equivset::normalize``: what AbuseFilter's ``norm`` and ``ccnorm_contains_any/all``
    apply (``ccnorm()`` the function also decodes HTML entities first)."""
    table = _equivset_table()
    distinct = _distinct(text)
    if distinct is None:
        return text.translate(table)
    # Replacing only the distinct characters that need it runs in C and beats
    # str.translate's per-character dict lookups on ordinary messages.
    for char in distinct:
        replacement = table.get(ord(char))
        if replacement is not None:
            text = text.replace(char, replacement)
    return text


@_memoised
def ccnorm(text: str) -> str:
    """AbuseFilter's ``ccnorm()``: entities decoded, then confusables folded."""
    return fold_confusables(html_entity_decode(text))


# ---------------------------------------------------------------------------------------
# Case


@_memoised
def lcase(text: str) -> str:
    """``mb_strtolower``: Python's full lower-case mapping is the same character by
    character (Unicode 14 both), but Python also applies the final-sigma rule, PHP 8.2
    does not: every Σ becomes σ."""
    if "\u03a3" in text:
        return "\u03c3".join(part.lower() for part in text.split("\u03a3"))
    return text.lower()


@_memoised
def ucase(text: str) -> str:
    """``mb_strtoupper``: full mapping, so ``ucase("ß") == "SS"`` as in PHP 8.2."""
    return text.upper()


# ---------------------------------------------------------------------------------------
# rmdoubles, rmspecials, rmwhitespace, norm, specialratio

_DOUBLES = re.compile(r"(.)\1+", re.DOTALL)


@_memoised
def rmdoubles(text: str) -> str:
    """``preg_replace('/(.)\\1+/us', '\\1', $s)``: runs of one repeated character collapse."""
    distinct = _distinct(text)
    if distinct is None:
        return _DOUBLES.sub(r"\1", text)
    # Halve each run with str.replace until no pair is left: C-speed, and faster than the
    # regex, which tries a match at every position. A run always keeps one character, so
    # collapsing one character's runs never makes two other characters adjacent.
    for char in [c for c in distinct if c + c in text]:
        pair = char + char
        while pair in text:
            text = text.replace(pair, char)
    return text


def _is_kept(char: str) -> bool:
    """In ``[\\p{L}\\p{N}\\s]`` as PCRE2 with UCP sees it."""
    return unicodedata.category(char)[0] in "LN" or char in _PCRE_SPACE


@functools.cache
def _specials_pattern() -> re.Pattern[str]:
    """One regex class of every character rmspecials drops, for texts with many distinct
    characters (built once, on first need)."""
    ranges: list[str] = []
    start = None
    for code in range(0x110001):
        special = code < 0x110000 and not _is_kept(chr(code))
        if special and start is None:
            start = code
        elif not special and start is not None:
            end = code - 1
            ranges.append(
                re.escape(chr(start)) + ("-" + re.escape(chr(end)) if end > start else "")
            )
            start = None
    return re.compile("[" + "".join(ranges) + "]+")


@_memoised
def rmspecials(text: str) -> str:
    """``preg_replace('/[^\\p{L}\\p{N}\\s]/u', '', $s)``."""
    distinct = _distinct(text)
    if distinct is None:
        return _specials_pattern().sub("", text)
    specials = [c for c in distinct if not _is_kept(c)]
    return text.translate(dict.fromkeys(map(ord, specials))) if specials else text


@_memoised
def rmwhitespace(text: str) -> str:
    """``preg_replace('/\\s+/u', '', $s)``."""
    return _WHITESPACE_RUNS.sub("", text)


@_memoised
def norm(text: str) -> str:
    """``rmwhitespace(rmspecials(rmdoubles(Equivset::normalize(s))))`` (no entity
    decoding, unlike ``ccnorm()``)."""
    return rmwhitespace(rmspecials(rmdoubles(fold_confusables(text))))


@_memoised
def specialratio(text: str) -> float:
    """``1. - mb_strlen(rmspecials(s)) / mb_strlen(s)``; 0.0 for empty text."""
    if not text:
        return 0.0
    return 1.0 - (len(rmspecials(text)) / len(text))


# ---------------------------------------------------------------------------------------
# HTML entities

# PHP's html_entity_decode($s, ENT_QUOTES, 'UTF-8'): the HTML 4.01 table (ENT_HTML401 is
# the default document type), names case-sensitive and ';' required; numeric references
# only for the code points HTML 4.01 allows (others are left as written).
_HTML401 = {name: chr(code) for name, code in html.entities.name2codepoint.items()}
_PHP_ENTITY = re.compile(r"&(?:([A-Za-z0-9]+)|#([0-9]+)|#[xX]([0-9A-Fa-f]+));")


def _php_allowed(code: int) -> bool:
    return (
        code in (0x09, 0x0A, 0x0D)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0x10FFFF
    )


def _php_entity(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        return _HTML401.get(name, match.group())
    code = int(decimal, 10) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if _php_allowed(code) else match.group()


def html_entity_decode(text: str) -> str:
    """PHP's ``html_entity_decode($s, ENT_QUOTES, 'UTF-8')`` (one pass)."""
    return _PHP_ENTITY.sub(_php_entity, text) if "&" in text else text


# MediaWiki's Sanitizer::decodeCharReferences: HTML5 names (Remex's table is the WHATWG
# one, which is Python's html.entities.html5), ';' required, two MediaWiki aliases for
# &rlm;, numeric references to characters invalid in HTML5 or XML become U+FFFD.
_MW_REFS = re.compile(r"&([A-Za-z0-9\u0080-\U0010ffff]+;)|&#([0-9]+);|&#[xX]([0-9A-Fa-f]+);")
_MW_ALIASES = {"\u05e8\u05dc\u05de;": "rlm;", "\u0631\u0644\u0645;": "rlm;"}


def _mw_valid(code: int) -> bool:
    return (
        code in (0x09, 0x0A)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _mw_reference(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        name = _MW_ALIASES.get(name, name)
        return html.entities.html5.get(name, "&" + name)
    code = int(decimal, 10) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if _mw_valid(code) else "\ufffd"


def decode_char_references(text: str) -> str:
    """MediaWiki's ``Sanitizer::decodeCharReferences``."""
    return _MW_REFS.sub(_mw_reference, text) if "&" in text else text


@_memoised
def sanitize(text: str) -> str:
    """AbuseFilter's ``sanitize()``: ``html_entity_decode`` then ``decodeCharReferences``,
    so ``&amp;lt;`` becomes ``<``."""
    return decode_char_references(html_entity_decode(text))
