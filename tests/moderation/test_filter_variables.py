"""The variables abuse filters see hold what docs/abuse-filters.md says, built from real
users loaded the way a request loads them and run through the guard itself."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.roles import MENTOR, MENTORS, MODERATOR, MODERATORS, ROLES
from accounts.wikiauth.provider import WikiProvider
from core.errors import Invalid
from livechat.guard import WriteAttempt
from moderation import filters
from moderation.errors import Filtered
from moderation.guard import check_write
from moderation.models import AbuseLog
from moderation.rules import VARIABLES
from moderation.rules.variables import UNSUPPORTED
from notifications.models import EmailSettings
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


# --- AbuseFilter's names (docs/abuse-filters.md, "Variables") ----------------------------

AF_NAMES = (
    "new_wikitext", "old_wikitext", "added_lines", "removed_lines", "new_size", "old_size",
    "edit_delta", "all_links", "old_links", "removed_links", "added_links", "user_editcount",
    "user_emailconfirm", "page_title", "timestamp", "user_groups", "user_name", "action",
)  # fmt: skip


def seen_by_every_name(moderator, write) -> dict:
    """Save a rule that reads every AbuseFilter name (and matches), run ``write``, and
    return the variables the abuse log recorded."""
    save(moderator, f"count([{', '.join(AF_NAMES)}]) > 0", [])
    write()
    return AbuseLog.objects.latest("pk").variables


def test_a_new_message_adds_every_line_and_its_size_in_bytes(moderator, alice, room, clock):
    seen = seen_by_every_name(
        moderator, lambda: check_write(attempt(alice, room, "Zoë here\nsee https://x.org/a"))
    )
    assert seen["new_wikitext"] == "Zoë here\nsee https://x.org/a"
    assert seen["old_wikitext"] == ""
    assert seen["added_lines"] == ["Zoë here", "see https://x.org/a"]
    assert seen["removed_lines"] == []
    assert (seen["new_size"], seen["old_size"], seen["edit_delta"]) == (29, 0, 29)  # ë: 2 bytes
    assert seen["all_links"] == seen["added_links"] == ["https://x.org/a"]
    assert seen["old_links"] == seen["removed_links"] == []
    assert seen["page_title"] == "Help desk"
    assert seen["timestamp"] == str(int(clock.now().timestamp()))
    assert seen["action"] == "send"
    # Never signed in with the wiki, no confirmed address: null, as AbuseFilter gives it
    # for what it does not know.
    assert seen["user_editcount"] is None and seen["user_emailconfirm"] is None


def test_an_edit_adds_and_removes_the_lines_it_changed(moderator, alice, room):
    edit = WriteAttempt(
        user=fresh(alice),
        room=room,
        action="edit",
        text="first\nsecond, fixed\nhttps://new.org",
        old_text="first\nsecond\nhttps://old.org",
    )
    seen = seen_by_every_name(moderator, lambda: check_write(edit))
    assert seen["added_lines"] == ["second, fixed", "https://new.org"]
    assert seen["removed_lines"] == ["second", "https://old.org"]
    assert seen["edit_delta"] == seen["new_size"] - seen["old_size"] == 7
    assert seen["added_links"] == ["https://new.org"]
    assert seen["removed_links"] == ["https://old.org"]
    assert seen["action"] == "edit"


def test_the_wiki_accounts_edit_count_and_groups_and_a_confirmed_address(
    moderator, alice, room, clock
):
    SocialAccount.objects.create(
        user=alice,
        provider=WikiProvider.id,
        uid="77",
        extra_data={"sub": 77, "editcount": 1234, "groups": ["*", "user", "autoconfirmed"]},
    )
    confirmed = clock.now()
    EmailSettings.objects.create(user=alice, address="a@example.org", verified_at=confirmed)
    seen = seen_by_every_name(moderator, lambda: check_write(attempt(alice, room)))
    assert seen["user_editcount"] == 1234
    assert seen["user_groups"] == ["*", "user", "autoconfirmed"]
    assert seen["user_emailconfirm"] == confirmed.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def test_a_pasted_autoconfirmed_check_means_what_it_means_on_the_wiki(moderator, alice, room):
    save(moderator, '!("autoconfirmed" in user_groups) & new_wikitext contains "buy"', ["disallow"])
    with pytest.raises(Filtered):
        check_write(attempt(alice, room, "buy now"))
    SocialAccount.objects.create(
        user=alice, provider=WikiProvider.id, uid="78", extra_data={"groups": ["autoconfirmed"]}
    )
    check_write(attempt(alice, room, "buy now"))


@pytest.mark.parametrize("name", ["page_namespace", "summary", "moved_to_title", "user_rights"])
def test_an_abusefilter_variable_with_no_meaning_here_is_refused_by_name(moderator, name):
    with pytest.raises(Invalid) as refused:
        save(moderator, f'{name} == "x"', [])
    assert name in str(refused.value)


def test_every_variable_has_a_way_to_compute_it():
    for name in VARIABLES:
        assert callable(getattr(filters.Variables, f"_{name}", None)), name
    assert not set(VARIABLES) & UNSUPPORTED


def test_filters_read_the_text_in_nfc_as_the_wiki_normalises_it(moderator, alice, room):
    # A rule pasted from the wiki is NFC ("é" composed); a message typed with "e" and a
    # combining accent must match it, as the same text saved on the wiki would.
    save(moderator, 'new_wikitext contains "caf\u00e9" & text contains "caf\u00e9"', ["disallow"])
    with pytest.raises(Filtered):
        check_write(attempt(alice, room, "un cafe\u0301 ?"))
