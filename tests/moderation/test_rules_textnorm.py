"""The text functions behave as AbuseFilter's (MediaWiki 1.39, PHP 8.2): the expected
values below were produced by running the PHP code itself."""

from __future__ import annotations

import pytest

from moderation.rules import textnorm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\uff361agra", "VIAGRA"),  # fullwidth V, digit 1 folded to I, upper-case result
        ("fr\u0435\u0435 m\u043en\u0435y", "FREE MONEY"),  # Cyrillic е and о
        ("\U0001d41f\U0001d42b\U0001d41e\U0001d41e", "FREE"),  # mathematical bold
        ("\u03a1\u0391\u03a5\u03a1\u0391L", "PAYPAL"),  # Greek capitals
        ("v\u200bi\u200ba\u200bg\u200br\u200ba", "VIAGRA"),  # zero-width spaces deleted
        ("Gr\u00fc\u00dfe", "GRUBE"),  # equivset folds ß onto B
        ("$h1t 0", "SHIT O"),
        ("\u65e5\u672c\u8a9e", "\u65e5\u5932\u8a9e"),
        ("a&amp;b &lt;", "A&B <"),  # ccnorm() decodes entities first
        ("", ""),
    ],
)
def test_it_folds_confusables_as_the_equivset_does(text: str, expected: str):
    assert textnorm.ccnorm(text) == expected


def test_the_equivset_is_the_published_data_set():
    mapping = textnorm.equivset()
    assert len(mapping) == 6154
    assert mapping["\u0430"] == "A" and mapping["0"] == "O" and mapping["\u200b"] == ""


def test_norm_and_the_contains_functions_do_not_decode_entities():
    assert textnorm.fold_confusables("a&amp;b") == "A&AMP;B"
    assert textnorm.norm("a&amp;b") == "AAMPB"
    assert textnorm.norm("Freeee   M.O.N.E.Y!!!") == "FREMONEY"


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        ("rmspecials", "a-b_c! d\u00e9 \u0663 \u2003x\u200b", "abc d\u00e9 \u0663 \u2003x"),
        ("rmspecials", "\x1c\u180e\u00a0", "\u180e\u00a0"),  # PCRE's \s, not Python's
        ("rmwhitespace", "a \t\nb\u3000c\u00a0d\x1ce\u180ef\u200bg", "abcd\x1cef\u200bg"),
        ("rmdoubles", "heeelllo\n\nworld \u0430\u0430", "helo\nworld \u0430"),
        ("rmdoubles", "aAaa\u0301\u0301", "aAa\u0301"),
        ("lcase", "\u039f\u0394\u039f\u03a3 \u0130", "\u03bf\u03b4\u03bf\u03c3 i\u0307"),
        ("ucase", "stra\u00dfe \ufb00 \u01c5", "STRASSE FF \u01c4"),
        ("sanitize", "&amp;lt; &#65;&#x42; &hellip; &rlm; &apos;", "< AB \u2026 \u200f '"),
        ("sanitize", "&#0; &#xD800; &#1114112; &#11;", "\ufffd \ufffd \ufffd \ufffd"),
        (
            "sanitize",
            "&foo; &lt &amp &#x; &NotANamedThing;",
            "&foo; &lt &amp &#x; &NotANamedThing;",
        ),
        ("sanitize", "&\u05e8\u05dc\u05de;", "\u200f"),  # MediaWiki's alias for &rlm;
    ],
)
def test_it_transforms_text_as_php_does(function: str, text: str, expected: str):
    assert getattr(textnorm, function)(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 0.0), ("abc", 0.0), ("a b!", 0.25), ("!!!", 1.0), ("a-b_c! d", 0.375)],
)
def test_specialratio(text: str, expected: float):
    assert textnorm.specialratio(text) == expected


def test_texts_with_many_distinct_characters_take_the_slow_paths_with_the_same_result():
    text = "".join(chr(0x4E00 + i) for i in range(400)) + " !! \u0430\u0430 \u00a0x\u200b"
    assert textnorm.rmspecials(text) == text.replace("!", "").replace("\u200b", "")
    assert textnorm.rmwhitespace(text) == text.replace(" ", "").replace("\u00a0", "")
    assert textnorm.rmdoubles(text).endswith(" ! \u0430 \u00a0x\u200b")
    assert textnorm.ccnorm(text).endswith(" !! AA \u00a0X")


def test_huge_hostile_inputs_complete():
    # No timing assertion: these must simply finish (all the work is linear).
    huge = ("a" * 1000 + "&amp;" + "\u0430\u200b!" * 1000) * 100
    for function in ("ccnorm", "rmspecials", "rmdoubles", "rmwhitespace", "norm", "sanitize"):
        assert isinstance(getattr(textnorm, function)(huge), str)
    assert 0.0 < textnorm.specialratio(huge) < 1.0
