"""Every built-in function, including the confusable-character folding."""

from __future__ import annotations

import unicodedata

import pytest

from moderation.rules import FUNCTIONS, RuleRuntimeError, RuleSyntaxError, compile_rule
from moderation.rules.textnorm import CONFUSABLE_COUNT, ccnorm

from .test_rules_helpers import run, true


@pytest.mark.parametrize(
    "source",
    [
        'lcase("HeLLo") == "hello"',
        'ucase("straße") == "STRASSE"',
        'lcase(user_name) == "newbie42"',
        'length("héllo") == 5',
        "length(user_groups) == 1",
        "length([]) == 0",
        "length(12345) == 5",
        'count("o", "foo boo") == 4',
        'count("oo", "ooooo") == 2',  # non-overlapping
        'count("http", "http://a http://b https://c") == 3',
        'count("", "abc") == 0',
        "count(2, [1, 2, 2, '2']) == 3",
        "count(user_groups) == 1",
        'count("a,b,c") == 3',  # MediaWiki: comma-separated parts
        'count("") == 1',  # ... exactly as MediaWiki counts them
        'rmspecials("Hé! l_l-o, w0rld?") == "Hé llo w0rld"',
        'rmwhitespace(" a b\\tc\\n d ") == "abcd"',
        'rmdoubles("heeellllooo!!") == "helo!"',
        'norm("F R E E !!! m_o_n_e_y") == "FREEmoney"',  # doubles go before spaces do
        'norm("Fréé   Mooonnnney") == "FreMoney"',
        'specialratio("ab!!") == 0.5',
        'specialratio("") == 0',
        'specialratio("a b") > 0.3',  # spaces count as special (MediaWiki)
        'specialratio("!!!") == 1',
        'contains_any(text, "spam", "upload")',
        '!contains_any(text, "spam", "eggs")',
        'contains_any(user_groups, "sysop", "users")',
        'contains_all(text, "Hello", "picture")',
        '!contains_all(text, "Hello", "spam")',
        'ccnorm_contains_any("ＦＲＥＥ", "free", "FREE")',
        'equals_to_any(room, "spam", "help")',
        '!equals_to_any(5, "5")',  # strict equality
        'substr("abcdef", 2) == "cdef"',
        'substr("abcdef", 1, 3) == "bcd"',
        'substr("abcdef", -2) == "ef"',
        'substr("abcdef", 0, -2) == "abcd"',
        'strpos("abcabc", "c") == 2',
        'strpos("abcabc", "c", 3) == 5',
        'strpos("abc", "z") == -1',
        '"a.b" rlike "^" + rescape("a.b") + "$"',
        '!("axb" rlike "^" + rescape("a.b") + "$")',
        'string(12) === "12"',
        'string(2.0) === "2"',
        'string(true) == "true"',
        'string(null) === ""',
        'string(["a", "b"]) == "a\\nb"',
        'int("42") === 42',
        "int(3.9) === 3",
        "int(true) === 1",
        'float("2.5") === 2.5',
        "bool(0) === false",
        'bool("x") === true',
        "abs(-3) == 3",
    ],
)
def test_functions(source: str):
    assert true(source)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ('int("12abc")', 'int() needs a number, but got the text "12abc"'),
        ("int([1])", "int() needs a number, but got a list"),
        ('substr("abc", "x")', "substr()'s start needs a whole number"),
        ('substr("abc", 1.5)', "substr()'s start needs a whole number"),
        ('abs("x")', "abs() needs a number"),
    ],
)
def test_function_type_errors_are_runtime_errors_at_the_call(source: str, fragment: str):
    with pytest.raises(RuleRuntimeError) as caught:
        run(source + " == 1")
    assert fragment in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, 1)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_wrong_arity_is_a_syntax_error_for_every_function(name: str):
    function = FUNCTIONS[name]
    too_many = function.max_args + 1 if function.max_args is not None else None
    for count in (function.min_args - 1, too_many):
        if count is None or count < 0:
            continue
        args = ", ".join(["1"] * count)
        with pytest.raises(RuleSyntaxError, match=f"{name}\\(\\) takes"):
            compile_rule(f"{name}({args})")


def test_every_function_has_a_signature_and_summary():
    for function in FUNCTIONS.values():
        assert function.signature.startswith(function.name + "(")
        assert function.summary


# -- ccnorm: folding confusable characters ---------------------------------------------

HOMOGLYPH_SPAM = [
    # (disguised text, what ccnorm must turn it into)
    ("fr\u00e9\u0435 m\u043en\u0435y", "free money"),  # é, Cyrillic е, о
    ("\u0421\u0410\u0405\u0406\u039d\u039f", "CASINO"),  # Cyrillic С А Ѕ І, Greek Ν Ο
    ("\uff26\uff32\uff25\uff25 \uff2d\uff2f\uff2e\uff25\uff39", "FREE MONEY"),  # fullwidth
    ("\U0001d41f\U0001d42b\U0001d41e\U0001d41e", "free"),  # mathematical bold
    ("\u24d5\u24e1\u24d4\u24d4", "free"),  # circled letters
    ("v\u0456\u0430gr\u0430", "viagra"),  # Cyrillic і, а
    ("v\u200bi\u200ca\u00adg\u2060r\ufeffa", "viagra"),  # invisible characters
    ("c\u0338h\u0335e\u0334a\u0337p", "cheap"),  # combining overlays ("Zalgo")
    ("\u1d04\u029c\u1d07\u1d00\u1d18", "cheap"),  # small capitals
    ("\u13aa\u13df\u13a0", "ACD"),  # Cherokee
    ("\u03c1\u03bf\u03ba\u03b5r", "poker"),  # Greek ρ ο κ ε
    ("\u0455\u0440\u0430m", "spam"),  # Cyrillic ѕ р а
    ("\ufb01nance", "finance"),  # ligature
    ("example\u3002com", "example.com"),  # ideographic full stop
]


@pytest.mark.parametrize(("disguised", "plain"), HOMOGLYPH_SPAM)
def test_ccnorm_folds_homoglyph_spam(disguised: str, plain: str):
    assert ccnorm(disguised) == plain
    assert run(f"ccnorm(text) == {plain!r}", text=disguised)


def test_ccnorm_rule_catches_cyrillic_free_money():
    rule = compile_rule('ccnorm(text) contains "free money"')
    assert rule.evaluate({"text": "Get your fr\u00e9\u0435 m\u043en\u0435y now"})
    assert not rule.evaluate({"text": "nothing to see"})
    assert not compile_rule('text contains "free money"').evaluate(
        {"text": "fr\u00e9\u0435 m\u043en\u0435y"}
    )


def test_ccnorm_keeps_ordinary_text_and_case_and_digits():
    assert ccnorm("Plain ASCII 0123!") == "Plain ASCII 0123!"
    assert ccnorm("Grüße aus Köln") == "Grusse aus Koln"
    assert ccnorm("日本語のテキスト") == "日本語のテキスト"  # kana voicing marks survive
    assert ccnorm("한국어") == "한국어"  # Hangul is recomposed


def test_norm_catches_spaced_out_and_repeated_spam():
    # norm() collapses doubles, so the needle is normalised the same way ("fremoney").
    rule = compile_rule('lcase(norm(text)) contains lcase(norm("free money"))')
    assert rule.evaluate({"text": "Freeeee   MONEYYY!!!"})
    assert rule.evaluate({"text": "\uff26\uff32\uff25\uff25  \u043c\u043e\u043f\u0435\u0443"})
    assert not rule.evaluate({"text": "free of money worries"})


def test_confusables_table_is_curated_and_sane():
    assert CONFUSABLE_COUNT >= 200
    from moderation.rules.textnorm import _CONFUSABLES

    for replacement, imitations in _CONFUSABLES:
        assert replacement.isascii()
        for char in imitations:
            assert not char.isascii(), unicodedata.name(char)
            # NFKD runs first: an entry NFKD already rewrites would never be reached.
            assert unicodedata.normalize("NFKD", char) == char, unicodedata.name(char)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain words, with punctuation!!",
        "fr\u00e9\u0435 m\u043en\u0435y \uff26\uff32\uff25\uff25 ___ \u00a0\u2003 tabs\tand\nlines",
        "c\u0338h\u0335e\u0334a\u0337p 123 \u0663\u0664",
        "".join(chr(0x4E00 + i) for i in range(600)) + " !? abc",  # many distinct characters
        "".join(chr(0x4E00 + i) * 3 for i in range(300)) + "\u0430\u0430\u0301 \u00df\u00df",
        "aaaa\u0430\u0430bbb\u200b\u200b\u0301\u0301x" * 20,
    ],
)
def test_fast_paths_agree_with_the_mediawiki_regexes(text: str):
    import re

    from moderation.rules import textnorm

    decomposed = unicodedata.normalize("NFKD", text)
    folded = unicodedata.normalize("NFC", decomposed.translate(textnorm._TABLE))
    assert textnorm.ccnorm(text) == (text if text.isascii() else folded)
    assert textnorm.rmspecials(text) == re.sub(r"[^\w\s]|_", "", text)
    assert textnorm.rmwhitespace(text) == re.sub(r"\s+", "", text)
    assert textnorm.rmdoubles(text) == re.sub(r"(.)\1+", r"\1", text, flags=re.S)
    expected_ratio = len(re.findall(r"[\W_]", text)) / len(text) if text else 0.0
    assert textnorm.specialratio(text) == pytest.approx(expected_ratio)
