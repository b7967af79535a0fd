"""AbuseFilter's PCRE patterns on RE2: the same meaning, or a refusal naming the feature.
Expected values come from running PHP's preg_* with AbuseFilter's /u (and i)."""

from __future__ import annotations

import pytest

from moderation.rules import regexes
from moderation.rules.regexes import Regex, UnsupportedFeature


@pytest.mark.parametrize(
    ("pattern", "text", "caseless", "expected"),
    [
        (r"^\w+$", "h\u00e9llo", False, True),  # /u gives UCP: \w is Unicode
        (r"^\d+$", "\u0663\u0664", False, True),
        (r"^\s$", "\u00a0", False, True),
        (r"^\s$", "\x1c", False, False),
        (r"^\h+\v$", "\t\u3000\u2028", False, True),
        (r"a\Rb", "a\r\nb", False, True),
        (r"^a$", "a\n", False, True),  # $ before a final newline
        (r"^a$", "a\n\n", False, False),
        (r"^a\z", "a\n", False, False),
        (r"^a\Z", "a\n", False, True),
        (r"(?m)^b$", "a\nb\nc", False, True),
        (r"a.b", "a\nb", False, False),
        (r"(?s)a.b", "a\nb", False, True),
        (r"\Qa.b\E", "axb", False, False),
        (r"\x41\x{42}\101\e\cA", "ABA\x1b\x01", False, True),
        (r"(?x) a b  # comment", "ab", False, True),
        (r"[[:alpha:]]+\d", "\u00e9\u00e91", False, True),
        (r"^[[:^alpha:]]+$", "12 !", False, True),
        (r"^[\W]+$", "- \u00e9", False, False),
        (r"^\p{L&}+$", "aB", False, True),
        (r"\p{Cyrillic}", "\u043f\u0440\u0438\u0432\u0435\u0442", False, True),
        (r"stra\u00dfe".replace("\\u00df", "\u00df"), "STRA\u00dfE", True, True),
        (r"kelvin", "\u212aELVIN", True, True),
        (r"a/b", "a/b", False, True),  # AbuseFilter escapes the delimiter itself
        (r"a{,3}", "a{,3}", False, True),  # not a quantifier in PCRE2 10.42
    ],
)
def test_patterns_mean_what_they_mean_in_abusefilter(
    pattern: str, text: str, caseless: bool, expected: bool
):
    assert bool(Regex(pattern, caseless=caseless).search(text)) is expected


@pytest.mark.parametrize(
    ("pattern", "feature"),
    [
        (r"(a)\1", "backreference"),
        (r"(?<n>a)\k<n>", "backreference"),
        (r"(?P=n)", "backreference"),
        (r"\g{-1}", "backreference"),
        (r"a(?=b)", "lookahead"),
        (r"a(?!b)", "lookahead"),
        (r"(?<=a)b", "lookbehind"),
        (r"(?<!a)b", "lookbehind"),
        (r"(?>a+)b", "atomic"),
        (r"a++b", "possessive"),
        (r"a{2}+", "possessive"),
        (r"(a|(?R))", "recursion"),
        (r"(a)(?1)", "recursion"),
        (r"(?(1)a|b)", "conditional"),
        (r"(?|(a)|(b))", "branch_reset"),
        (r"(*FAIL)", "verb"),
        (r"(?C1)a", "verb"),
        (r"\Ga", "escape"),
        (r"a\Kb", "escape"),
        (r"\X", "escape"),
    ],
)
def test_backtracking_features_are_refused_by_name(pattern: str, feature: str):
    with pytest.raises(UnsupportedFeature) as caught:
        Regex(pattern)
    assert caught.value.feature == feature
    assert "RE2" in str(caught.value)


@pytest.mark.parametrize("pattern", ["(", "[a", "a{2,1}", r"\q", r"\x{110000}", "(?Q)"])
def test_invalid_patterns_are_errors(pattern: str):
    with pytest.raises(ValueError, match="not valid"):
        Regex(pattern)


def test_rescape_is_preg_quote_without_a_delimiter():
    assert regexes.rescape("a.b\\c+*?[^]$(){}=!<>|:-#/ \0x") == (
        "a\\.b\\\\c\\+\\*\\?\\[\\^\\]\\$\\(\\)\\{\\}\\=\\!\\<\\>\\|\\:\\-\\#/ \\000x"
    )


@pytest.mark.parametrize(
    ("text", "glob", "expected"),
    [
        ("abc", "a*", True),
        ("a\nc", "a*", False),  # * is .* : not across a newline
        ("abc\n", "abc", True),  # ^...$ lets a final newline through
        ("abc", "a?c", True),
        ("abc", "[abc]*", True),
        ("abc", "[!a]*", False),
        ("bcd", "[!a]*", True),
        ("a.b", "a.b", True),
        ("axb", "a.b", False),
        ("a(b", "a(b", False),  # keywordLike's strtr turns "\(" into "\\(": never matches
        ("a\\b", "a\\b", False),
        ("a\\\\b", "a\\b", True),
        ("a+b", "a+b", True),
    ],
)
def test_like_is_keywordLike(text: str, glob: str, expected: bool):
    assert bool(regexes.build("like", glob).fullmatch(text)) is expected


def test_get_matches_has_php_shape():
    # Unmatched groups: "" before the last that took part, false after; a named group
    # appears by name and by number.
    assert regexes.get_matches(Regex("(a)?(b)"), "b") == ["b", "", "b"]
    assert regexes.get_matches(Regex("(a)(b)?"), "a") == ["a", "a", False]
    assert regexes.get_matches(Regex("(a)(b)"), "zz") == [False, False, False]
    assert regexes.get_matches(Regex("(?<y>a)(b)"), "ab") == ["ab", "a", "a", "b"]
    assert regexes.get_matches(Regex("[(]a"), "(a") == ["(a", False]  # AbuseFilter's count
    assert regexes.get_matches(Regex("a$"), "a\n") == ["a"]


def test_rcount_and_str_replace_regexp_are_preg_match_all_and_preg_replace():
    assert regexes.rcount(Regex(r"\w+"), "h\u00e9llo w\u00f6rld") == 2
    assert regexes.rcount(Regex("x*"), "axb") == 4
    assert regexes.rcount(Regex("$"), "a\n") == 2
    replace = regexes.str_replace_regexp
    assert replace(Regex("(a)(b)?"), "ab a", "<\\1|${2}|$3>") == "<a|b|> <a||>"
    assert replace(Regex("(a)"), "a", "\\\\$1\\$1 $11|\\0") == "\\a$1 |a"
    assert replace(Regex("a$"), "ba\n", "[$0]") == "b[a]\n"


def test_the_pattern_cache_compiles_once():
    cache = regexes.PatternCache(size=2)
    assert cache.get("rlike", "a+") is cache.get("rlike", "a+")
    assert cache.get("irlike", "A").search("a")
    assert not cache.get("rlike", "A").search("a")


def test_hostile_patterns_run_in_linear_time():
    # (a+)+$ takes a backtracking engine forever on this; RE2 just answers. No timing
    # assertion: it must simply complete.
    text = "a" * 100_000 + "b"
    assert not Regex("(a+)+$").search(text)
    assert regexes.rcount(Regex("(x+x+)+y"), "x" * 50_000) == 0
    assert regexes.str_replace_regexp(Regex(r"(\w|\W)*?z"), text, "") == text
