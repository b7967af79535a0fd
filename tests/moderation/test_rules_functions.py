"""Every built-in function, including the confusable-character folding."""

from __future__ import annotations

import pytest

from moderation.rules import FUNCTIONS, RuleRuntimeError, RuleSyntaxError, compile_rule

from .test_rules_helpers import true


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
        'norm("F R E E !!! m_o_n_e_y") == "FREEMONEY"',  # equivset folds to capitals
        'norm("Fréé   Mooonnnney") == "FREMONEY"',
        'specialratio("ab!!") == 0.5',
        'specialratio("") == 0',
        'specialratio("a b") == 0',  # spaces are kept by rmspecials (AbuseFilter)
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
        '"a.b" rlike ("^" + rescape("a.b") + "$")',
        '!("axb" rlike ("^" + rescape("a.b") + "$"))',
        'rescape("a/b.c") === "a/b\\.c"',  # preg_quote without a delimiter
        'string(12) === "12"',
        'string(2.0) === "2"',
        'string(true) === "1" & string(false) === ""',  # PHP's strval
        'string(null) === ""',
        'string(["a", "b"]) === "a\\nb\\n"',  # each item followed by a newline
        'string(0.1 + 0.2) === "0.3"',
        'int("12abc") === 12 & int("abc") === 0 & int([1, 2]) === 2',
        'substr("abc", "x") === "abc" & substr("abc", 1.5) === "bc"',
        'strlen("héllo") === 5',
        'str_replace("a-b-c", "-", "+") === "a+b+c"',
        'str_replace_regexp("a1b22", "\\\\d+", "<$0>") === "a<1>b<22>"',
        'rcount("\\\\d", "a1b22") === 3 & rcount("a,b") === 2',
        'get_matches("(b)(x)?", "abc") === ["b", "b", false]',
        'ip_in_range("192.0.2.7", "192.0.2.0/24") & !ip_in_range("10.0.0.1", "192.0.2.0/24")',
        'ip_in_ranges("10.0.0.1", "192.0.2.0/24", "10.0.0.0/8")',
        'sanitize("a&amp;b&#x41;") === "a&bA"',
        'set("v", 3) === 3 & v === 3 & set_var("w", v + 1) === 4 & w === 4',
        'count("a", ["a", "ba"]) === 2',  # an array is searched as its text
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
        ('ip_in_range(user_name, "not a range")', 'invalid IP range "not a range"'),
        ('get_matches("(", user_name)', "the regular expression is not valid"),
    ],
)
def test_function_errors_are_refused_when_saved(source: str, fragment: str):
    # AbuseFilter's save-time check runs the call with the variable undefined and finds
    # these; without it they are runtime errors at the call.
    with pytest.raises(RuleSyntaxError) as caught:
        compile_rule(source + " == 1")
    assert fragment in caught.value.message
    with pytest.raises(RuleRuntimeError) as caught:
        compile_rule(source + " == 1", dry_run=False).evaluate({"user_name": "x"})
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


# -- ccnorm: AbuseFilter's equivalence set (the table itself: test_rules_textnorm.py) ------


def test_ccnorm_folds_confusables_to_capitals_as_abusefilter():
    assert true('ccnorm("fr\u00e9\u0435 m\u043en\u0435y") contains "MONEY"')
    assert true('ccnorm("&#1089;heap") === ccnorm("cheap")')  # entities decoded first
    assert true('ccnorm_contains_any("\u0421\u0410\u0405\u0406\u039d\u039f", "casino")')
    assert true('ccnorm_contains_all("FREE money", "free", "MONEY")')
    assert true('!ccnorm_contains_any("", "x") & !contains_all("", "x")')


# -- "\xHH" escapes past 0x7f are bytes, as PHP's chr() makes them -----------------------


@pytest.mark.parametrize(
    ("source", "api"),
    [
        ('"\\xe9"', "\ufffd"),  # not UTF-8 on its own: the API shows U+FFFD
        ('"\\xe9\\xe9"', "\ufffd\ufffd"),
        ('"\\xf0\\x9f"', "\ufffd"),  # one U+FFFD per invalid sequence
        ('"\\xc3\\xa9" === "é"', True),  # a valid sequence is the character
        ('"\\xc3" + "\\xa9" === "é"', True),
        ('"\\xe9" == "é"', False),
        ('"\\xe9" == "\\xe9"', True),
        ('length("\\xe9ab")', 1),  # mb_strlen follows the lead byte
        ('["\\xe9"]', ["\ufffd"]),
    ],
)
def test_byte_escapes_are_bytes(source: str, api: object):
    from moderation.rules import compile_rule, to_api

    assert to_api(compile_rule(source).value({})) == api
