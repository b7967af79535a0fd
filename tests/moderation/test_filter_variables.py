"""The variables abuse filters see hold what docs/abuse-filters.md says, built from real
users loaded the way a request loads them and run through the guard itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts.roles import MENTOR, MENTORS, MODERATOR, MODERATORS, ROLES
from livechat.guard import WriteAttempt
from moderation import filters
from moderation.errors import Filtered
from moderation.guard import check_write
from moderation.models import AbuseLog
from moderation.rules import VARIABLES
from tests.conftest import fresh, make_user

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "abuse-filters.md"


@pytest.fixture(autouse=True)
def _no_emergency_brake(settings):
    settings.LIVECHAT_FILTER_EMERGENCY_COUNT = 10_000


def save(moderator, rule: str, actions: list[str]) -> None:
    filters.save_filter(
        moderator=fresh(moderator),
        abuse_filter=None,
        name=f"filter {AbuseLog.objects.count()}-{len(rule)}",
        description="Not here, please.",
        rule=rule,
        actions=actions,
    )


def attempt(user, room, text: str = "hello") -> WriteAttempt:
    return WriteAttempt(user=fresh(user), room=room, action="send", text=text)


def test_it_records_user_groups_as_documented_for_each_kind_of_user(moderator, room):
    mentor = make_user("Maria", MENTORS)
    both = make_user("Both", MENTORS, MODERATORS)
    newcomer = make_user("Newcomer")
    save(moderator, 'user_groups contains "*"', [])  # logs every message, refuses none
    for user in (moderator, mentor, both, newcomer):
        check_write(attempt(user, room))
    seen = {entry.user.username: entry.variables["user_groups"] for entry in AbuseLog.objects.all()}
    assert seen == {
        "Mod": ["*", "user", "moderator"],
        "Maria": ["*", "user", "mentor"],
        "Both": ["*", "user", "mentor", "moderator"],
        "Newcomer": ["*", "user"],
    }


def test_the_documented_exemptions_exempt_moderators_and_mentors(moderator, room):
    mentor = make_user("Maria", MENTORS)
    newcomer = make_user("Newcomer")
    # The docs' own examples, refusing: each must let the exempt role through.
    save(
        moderator,
        'lcase(ccnorm(user_name)) rlike "(^|[^a-z])(admin|moderator|staff)"'
        ' & !("moderator" in user_groups)',
        ["disallow"],
    )
    save(moderator, 'text contains "@" & !("mentor" in user_groups)', ["disallow"])
    staff_moderator = make_user("Staff Mod", MODERATORS)
    staff_newcomer = make_user("Staff Helper")
    check_write(attempt(staff_moderator, room))
    with pytest.raises(Filtered):
        check_write(attempt(staff_newcomer, room))
    check_write(attempt(mentor, room, "@Bob look"))
    with pytest.raises(Filtered):
        check_write(attempt(newcomer, room, "@Bob look"))
    assert moderator.username == "Mod"


def test_a_mediawiki_style_user_check_keeps_its_meaning(moderator, alice, room):
    save(moderator, '"user" in user_groups & !("sysop" in user_groups)', [])
    check_write(attempt(alice, room))
    assert AbuseLog.objects.get().variables["user_groups"] == ["*", "user"]


def test_every_role_is_a_group_name_the_docs_give(moderator, room):
    documented = DOCS.read_text(encoding="utf-8")
    for role in ROLES:
        assert f'"{role.name}"' in documented
    assert (MENTOR.name, MODERATOR.name) == ("mentor", "moderator")
    assert "moderator" in str(VARIABLES["user_groups"])


def test_every_user_groups_example_in_the_docs_names_a_real_group():
    documented = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```rule\n(.*?)```", documented, re.S)
    named = {
        name
        for block in blocks
        for name in re.findall(r'"([^"]+)" in user_groups', block)
        + re.findall(r'user_groups contains "([^"]+)"', block)
    }
    assert named, "the docs show user_groups in rules"
    assert named <= {"*", "user", *(role.name for role in ROLES)}, named


def test_mention_count_counts_both_mention_forms(moderator, alice, room):
    save(moderator, "mention_count > 0", [])
    check_write(attempt(alice, room, "@Bob, @John_Smith and @[Bob (WMF)]; bob@example.org"))
    assert AbuseLog.objects.get().variables["mention_count"] == 3
