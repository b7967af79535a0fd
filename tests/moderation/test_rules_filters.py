"""Realistic filters, end to end through the public API the moderation guard uses."""

from __future__ import annotations

import pytest
from django.utils.functional import Promise

import moderation.rules as rules
from moderation.rules import (
    VARIABLES,
    BudgetExceeded,
    Rule,
    RuleRuntimeError,
    RuleSyntaxError,
    check_syntax,
    compile_rule,
)

from .test_rules_helpers import MESSAGE

NEW_ACCOUNT_SPAM = (
    'action == "send" & user_age < 86400 & (text irlike "buy\\s+cheap" | count("http", text) > 3)'
)


def message(**overrides: object) -> dict[str, object]:
    return {**MESSAGE, **overrides}


def test_public_api_shape():
    rule = compile_rule(NEW_ACCOUNT_SPAM)
    assert isinstance(rule, Rule)
    assert isinstance(rule.variables, frozenset)
    assert rule.variables == {"action", "user_age", "text"}
    assert issubclass(BudgetExceeded, RuleRuntimeError)
    assert issubclass(RuleSyntaxError, rules.RuleError)
    assert check_syntax(NEW_ACCOUNT_SPAM) == []
    # The chat's own names; AbuseFilter's aliases are listed in variables.py too.
    assert {
        "text",
        "old_text",
        "action",
        "room",
        "user_name",
        "user_age",
        "user_message_count",
        "user_groups",
        "added_links",
        "mention_count",
    } <= set(VARIABLES)
    assert rule.value({"action": "send", "user_age": 0, "text": ""}) is False
    assert rules.to_api(rules.UNDEFINED) is None
    # Descriptions are translated when shown (lazy strings): each reads as text.
    assert all(isinstance(text, str | Promise) and str(text) for text in VARIABLES.values())
    for name in ("compile_rule", "check_syntax", "Rule", "VARIABLES", "BudgetExceeded", "to_api"):
        assert name in rules.__all__
    assert "compile_rule" in (rules.__doc__ or "")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"text": "BUY   cheap watches"}, True),
        ({"text": "http://a http://b http://c http://d"}, True),
        ({"text": "http://a http://b"}, False),
        ({"text": "buy cheap", "user_age": 90_000}, False),
        ({"text": "buy cheap", "action": "edit"}, False),
    ],
)
def test_new_account_spam(overrides: dict[str, object], expected: bool):
    assert compile_rule(NEW_ACCOUNT_SPAM).evaluate(message(**overrides)) is expected


def test_only_the_variables_the_rule_reads_are_needed():
    rule = compile_rule(NEW_ACCOUNT_SPAM)
    needed = {name: MESSAGE[name] for name in rule.variables}
    assert rule.evaluate(needed) is False


FILTERS = {
    "mass mentions by a newcomer": "mention_count > 5 & user_message_count < 10",
    "link-only message": (
        'length(added_links) > 0 & length(rmwhitespace(text)) < 40 & !("trusted" in user_groups)'
    ),
    "blanking an edit": 'action == "edit" & length(old_text) > 50 & length(text) < 5',
    "shouting": "length(text) > 20 & specialratio(text) < 0.5 & ucase(text) == text",
    "disguised spam words": (
        'contains_any(lcase(ccnorm(text)), "viagra", "casino", "crypto giveaway")'
    ),
    "link shorteners": 'added_links irlike "^https?://(bit\\.ly|tinyurl\\.com|t\\.co)/"',
    "impersonating staff": (
        'lcase(ccnorm(user_name)) rlike "(^|[^a-z])(admin|moderator|staff)"'
        ' & !("moderator" in user_groups)'
    ),
    "keyboard mash": (
        "rmdoubles(text) != text & length(text) > 30 & length(rmdoubles(text)) * 2 < length(text)"
    ),
    "quiet rooms only": 'room like "help*" & text irlike "\\b(sell|selling)\\b"',
}

CASES = [
    ("mass mentions by a newcomer", {"mention_count": 8, "user_message_count": 1}, True),
    ("mass mentions by a newcomer", {"mention_count": 8, "user_message_count": 50}, False),
    ("link-only message", {"added_links": ["http://x.biz"], "text": "http://x.biz"}, True),
    (
        "link-only message",
        {
            "added_links": ["http://x.biz"],
            "text": "http://x.biz",
            "user_groups": ["*", "user", "trusted"],
        },
        False,
    ),
    ("blanking an edit", {"action": "edit", "old_text": "x" * 80, "text": "."}, True),
    ("blanking an edit", {"action": "send", "old_text": "", "text": "."}, False),
    ("shouting", {"text": "WHY DOES NOTHING EVER WORK HERE"}, True),
    ("shouting", {"text": "Why does nothing ever work here"}, False),
    ("disguised spam words", {"text": "Best C\u0410SIN\u041e in town"}, True),
    ("disguised spam words", {"text": "Cassino is a town in Italy"}, False),
    ("link shorteners", {"added_links": ["https://bit.ly/abc"]}, True),
    ("link shorteners", {"added_links": ["https://example.org/bit.ly/"]}, False),
    ("impersonating staff", {"user_name": "\u0410dmin_Team"}, True),
    (
        "impersonating staff",
        {"user_name": "Admin", "user_groups": ["*", "user", "moderator"]},
        False,
    ),
    ("impersonating staff", {"user_name": "Badminton"}, False),
    ("keyboard mash", {"text": "aaaaaaaaaaaaaaaaaaaaaaaasssssssssssssdddddddd"}, True),
    ("keyboard mash", {"text": "A perfectly ordinary sentence, hello all."}, False),
    ("quiet rooms only", {"room": "help-desk", "text": "Selling my account"}, True),
    ("quiet rooms only", {"room": "offtopic", "text": "Selling my account"}, False),
]


@pytest.mark.parametrize(("name", "overrides", "expected"), CASES)
def test_realistic_filters(name: str, overrides: dict[str, object], expected: bool):
    rule = compile_rule(FILTERS[name])
    assert rule.evaluate(message(**overrides)) is expected


def test_multiline_rules_with_comments():
    source = """
    /* New accounts posting many links in their first messages */
    action == "send"
      & user_message_count < 5          /* first few messages */
      & (length(added_links) >= 3
         | added_links irlike "\\.(ru|biz)/")
    """
    rule = compile_rule(source)
    assert rule.evaluate(message(added_links=["http://spam.biz/a"]))
    assert not rule.evaluate(message(added_links=["https://wiki.example/page"]))


def test_rules_are_reusable_and_repr_is_short():
    rule = compile_rule(NEW_ACCOUNT_SPAM)
    results = [rule.evaluate(message(text=f"buy cheap {i}")) for i in range(50)]
    assert all(results)
    assert repr(rule).startswith("<Rule 'action ==")
    assert len(repr(rule)) < 80


def test_non_string_source_is_a_type_error():
    with pytest.raises(TypeError):
        compile_rule(None)  # type: ignore[arg-type]


def test_every_rule_example_in_the_docs_compiles():
    import re
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "abuse-filters.md"
    examples = re.findall(r"```rule\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)
    assert len(examples) >= 15
    for source in examples:
        assert check_syntax(source) == [], source


def test_the_docs_norm_example():
    # AbuseFilter's equivalence set folds letters to capitals (issue 12).
    assert compile_rule('norm("Freeee   M.O.N.E.Y!!!") === "FREMONEY"').evaluate({})
