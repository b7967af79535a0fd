"""Roles from the real local wiki: the mentor list (MediaWiki:GrowthMentors.json) makes
mentors and sets their weights in the help desk's draw, the sysop group makes moderators,
local roles are never taken away, a role the wiki granted goes when the wiki drops it, and
an unreachable wiki changes nothing. The refresh runs as it does in production, a timer
re-armed every LIVECHAT_WIKI_ROLES_SECONDS, fired by moving the project's clock."""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from accounts.models import User, WikiMentor, WikiRoleGrant
from accounts.roles import MODERATORS, roles_of
from accounts.wiki_roles import apply_wiki_roles
from helpdesk import jobs
from helpdesk.mentors import draw_mentor
from helpdesk.models import MentorProfile
from timers.api import fire_due_timers
from timers.models import Timer
from wiki.client import MENTOR_LIST_PAGE, Wiki

from ..conftest import fresh, make_user
from .conftest import LocalWiki
from .test_local_wiki import maintenance

pytestmark = [pytest.mark.wiki, pytest.mark.django_db]

ROUND = timedelta(seconds=600)


@pytest.fixture
def wiki(local_wiki: LocalWiki, settings: Any) -> Wiki:
    settings.LIVECHAT_WIKI_API = local_wiki.api
    settings.LIVECHAT_WIKI_BOT_USER = local_wiki.bot_user
    settings.LIVECHAT_WIKI_BOT_PASSWORD = local_wiki.bot_password
    settings.LIVECHAT_WIKI_MODERATOR_GROUPS = ["sysop"]
    settings.LIVECHAT_WIKI_ROLES_SECONDS = int(ROUND.total_seconds())
    return Wiki(api_url=local_wiki.api, user=local_wiki.bot_user, password=local_wiki.bot_password)


def account(wiki: Wiki, name: str, *groups: str) -> User:
    """The chat account of the wiki account ``name``, as sign-in creates it."""
    return make_user(name, *groups, wiki_id=wiki.users([name])[name].id)


def new_wiki_account(*options: str) -> str:
    name = f"Roles test {uuid.uuid4().hex[:6]}"
    maintenance("createAndPromote.php", *options, name, "roles-password-1")
    return name


def admin_site(local_wiki: LocalWiki) -> Any:
    site = local_wiki.site()
    site.clientlogin(username="Admin", password=local_wiki.admin_password)
    return site


@contextmanager
def mentor_list(local_wiki: LocalWiki, mentors: dict[int, dict[str, Any]]) -> Iterator[None]:
    """The wiki's mentor list is ``mentors`` (user id -> entry) inside the block, edited
    through the API by the sysop Admin as Special:ManageMentors would; restored after. Kept
    as short as can be: other tests read the same page."""
    site = admin_site(local_wiki)
    page = site.pages[MENTOR_LIST_PAGE]
    before = page.text()

    def edit(text: str, summary: str) -> None:
        answer = site.api(
            "edit",
            title=MENTOR_LIST_PAGE,
            text=text,
            summary=summary,
            token=site.get_token("csrf"),
            http_method="POST",
        )
        assert answer["edit"]["result"] == "Success", answer

    edit(json.dumps({"Mentors": {str(k): v for k, v in mentors.items()}}), "roles test")
    try:
        yield
    finally:
        edit(before, "roles test: restored")


def next_round(clock: Any) -> int:
    clock.advance(seconds=ROUND.total_seconds())
    return fire_due_timers(now=clock.now())


def grants(user: User) -> set[str]:
    return set(WikiRoleGrant.objects.filter(user=user).values_list("role", flat=True))


def test_the_mentor_list_and_the_sysop_group_make_mentors_and_moderators(wiki: Wiki, clock):
    mentor = account(wiki, "Mentor")
    sysop = account(wiki, "Sysop")
    # A moderator given here who is no sysop on the wiki.
    newcomer = account(wiki, "Newcomer", MODERATORS)

    assert jobs.ensure_wiki_roles(clock.now()) is True
    assert jobs.ensure_wiki_roles(clock.now()) is False  # scheduled once
    assert fire_due_timers(now=clock.now()) == 1

    [listed] = WikiMentor.objects.all()
    assert (listed.username, listed.weight, listed.automatic) == ("Mentor", 2, True)
    assert listed.wiki_user_id == mentor.wiki_id
    assert listed.message == "Ask me anything about editing."
    assert roles_of(fresh(mentor)) == ["mentor"] and grants(mentor) == {"mentor"}
    assert MentorProfile.objects.get(user=mentor).weight == MentorProfile.Weight.MEDIUM
    assert roles_of(fresh(sysop)) == ["moderator"] and grants(sysop) == {"moderator"}
    assert roles_of(fresh(newcomer)) == ["moderator"] and grants(newcomer) == set()

    # Every ten minutes, not sooner.
    timer = Timer.objects.get(key=jobs.WIKI_ROLES_KEY)
    assert timer.due_at == clock.now() + ROUND
    clock.advance(seconds=ROUND.total_seconds() - 1)
    assert fire_due_timers(now=clock.now()) == 0
    clock.advance(seconds=1)
    assert fire_due_timers(now=clock.now()) == 1
    assert roles_of(fresh(newcomer)) == ["moderator"]


def test_weights_set_on_the_wiki_feed_the_draw(local_wiki: LocalWiki, wiki: Wiki, clock):
    mentor = account(wiki, "Mentor")
    manual = account(wiki, new_wiki_account())
    jobs.ensure_wiki_roles(clock.now())
    fire_due_timers(now=clock.now())

    with mentor_list(
        local_wiki,
        {
            mentor.wiki_id: {"username": "Mentor", "message": "Ask me anything about editing.",
                             "weight": 4, "automaticallyAssigned": True},
            manual.wiki_id: {"username": manual.username, "message": "By hand only.",
                             "weight": 4, "automaticallyAssigned": False},
        },
    ):  # fmt: skip
        assert next_round(clock) == 1
    profiles = dict(MentorProfile.objects.values_list("user__username", "weight"))
    assert profiles == {"Mentor": 4, manual.username: 0}
    assert roles_of(fresh(manual)) == ["mentor"] and grants(manual) == {"mentor"}
    # Not assigned automatically: a mentor, but never drawn.
    rng = random.Random(11)
    assert {draw_mentor(now=clock.now(), rng=rng) for _ in range(200)} == {mentor}

    # The list restored: the mentor the wiki made is one no longer; the weight follows.
    assert next_round(clock) == 1
    assert roles_of(fresh(manual)) == [] and grants(manual) == set()
    assert MentorProfile.objects.get(user=mentor).weight == 2
    assert list(WikiMentor.objects.values_list("username", flat=True)) == ["Mentor"]


def test_a_moderator_the_wiki_made_goes_when_the_wiki_drops_the_group(
    local_wiki: LocalWiki, wiki: Wiki, clock
):
    name = new_wiki_account("--sysop")
    moderator = account(wiki, name)
    local = account(wiki, "Newcomer", MODERATORS)
    # Sign-in applies the OAuth profile's groups at once.
    apply_wiki_roles(moderator, groups=wiki.users([name])[name].groups)
    assert roles_of(fresh(moderator)) == ["moderator"]
    jobs.ensure_wiki_roles(clock.now())
    fire_due_timers(now=clock.now())
    assert roles_of(fresh(moderator)) == ["moderator"]

    site = admin_site(local_wiki)
    site.api(
        "userrights",
        user=name,
        remove="sysop",
        reason="roles test",
        token=site.get_token("userrights"),
        http_method="POST",
    )
    assert "sysop" not in wiki.users([name])[name].groups
    assert next_round(clock) == 1
    assert roles_of(fresh(moderator)) == [] and grants(moderator) == set()
    assert roles_of(fresh(local)) == ["moderator"]


def test_an_unreachable_wiki_keeps_what_is_stored(wiki: Wiki, clock, settings, caplog):
    mentor = account(wiki, "Mentor")
    sysop = account(wiki, "Sysop")
    jobs.ensure_wiki_roles(clock.now())
    fire_due_timers(now=clock.now())

    settings.LIVECHAT_WIKI_API = "http://127.0.0.1:9/api.php"
    with caplog.at_level(logging.WARNING, logger="accounts.wiki_roles"):
        assert next_round(clock) == 1
    assert "not refreshed" in caplog.text
    assert roles_of(fresh(mentor)) == ["mentor"] and roles_of(fresh(sysop)) == ["moderator"]
    assert WikiMentor.objects.filter(username="Mentor").exists()
    assert MentorProfile.objects.get(user=mentor).weight == 2
    # Tried again next round, not failed into quick retries.
    timer = Timer.objects.get(key=jobs.WIKI_ROLES_KEY)
    assert (timer.due_at, timer.attempts) == (clock.now() + ROUND, 0)
