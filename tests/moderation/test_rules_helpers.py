"""Shared helpers for the rule-language tests (no Django, no database); holds no tests.

Named test_rules_* only to stay within the files this feature owns.
"""

from __future__ import annotations

from moderation.rules import compile_rule

MESSAGE: dict[str, object] = {
    "text": "Hello everyone, how do I upload a picture?",
    "old_text": "",
    "action": "send",
    "room": "help",
    "user_name": "Newbie42",
    "user_age": 3600,
    "user_message_count": 2,
    "user_groups": ["users"],
    "added_links": [],
    "mention_count": 0,
}


def run(source: str, **overrides: object) -> bool:
    """Evaluate ``source`` against MESSAGE with some variables replaced."""
    return compile_rule(source).evaluate({**MESSAGE, **overrides})


def true(source: str, **overrides: object) -> bool:
    """For expression tests: ``true("1 + 2 == 3")`` reads as an assertion."""
    return run(source, **overrides) is True
