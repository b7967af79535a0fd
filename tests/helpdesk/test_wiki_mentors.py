"""Mentors from the wiki's mentor list in the help desk, without the wiki
(tests/wiki/test_wiki_roles.py has the real one): their weights feed the draw, the settings
form shows a wiki-set weight read-only, and with no wiki configured nothing is scheduled."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from accounts.wiki_roles import apply_wiki_roles, store_mentor_list
from helpdesk import jobs
from helpdesk.mentors import draw_mentor
from helpdesk.models import MentorProfile
from timers.models import Timer
from wiki.client import Mentor

from ..conftest import json_client, make_user

pytestmark = pytest.mark.django_db

Weight = MentorProfile.Weight


def on_the_list(*entries: tuple[str, int, bool]) -> None:
    store_mentor_list(
        Mentor(user_id=i, username=name, message="", weight=weight, automatic=automatic)
        for i, (name, weight, automatic) in enumerate(entries, start=1)
    )


def test_the_wiki_sets_mentors_weights_and_the_draw_follows_them(db, clock):
    low, high, manual = (make_user(name, wiki_id=i) for i, name in enumerate("ABC", start=1))
    on_the_list(("A", 1, True), ("B", 4, True), ("C", 4, False))
    for user in (low, high, manual):
        apply_wiki_roles(user, groups=[])
    weights = dict(MentorProfile.objects.values_list("user__username", "weight"))
    assert weights == {"A": Weight.LOW, "B": Weight.HIGH, "C": Weight.NONE}

    rng = random.Random(3)
    drawn = Counter(draw_mentor(now=clock.now(), rng=rng).username for _ in range(1000))
    assert set(drawn) == {"A", "B"}  # not assigned automatically: never drawn
    assert 3.0 < drawn["B"] / drawn["A"] < 5.3

    # A change on the list replaces the weight set here; the rest of the profile stays.
    MentorProfile.objects.filter(user=low).update(weight=Weight.HIGH, away_until=None)
    on_the_list(("A", 2, True), ("B", 4, True), ("C", 4, False))
    apply_wiki_roles(low, groups=[])
    assert MentorProfile.objects.get(user=low).weight == Weight.MEDIUM


def test_a_wiki_set_weight_is_read_only_in_the_settings(db, clock):
    mia = make_user("Mia", wiki_id=1)
    on_the_list(("Mia", 4, True))
    apply_wiki_roles(mia, groups=[])
    client = json_client(mia)

    refused = client.patch("/api/helpdesk/me/", {"weight": Weight.LOW})
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "weight"
    assert "set on the wiki" in refused.json()["error"]["detail"]
    # The same weight (an old form) and the other settings are fine.
    saved = client.patch("/api/helpdesk/me/", {"weight": Weight.HIGH, "mute_minutes": 30})
    assert saved.status_code == 200
    assert saved.json()["me"]["weight"] == Weight.HIGH

    html = client.get("/helpdesk/").content.decode()
    described = 'aria-describedby="settings-weight-hint settings-weight-error" disabled'
    assert f'name="weight" {described}' in html
    assert "Set on the wiki's mentor list: change it there." in html


def test_a_local_mentor_keeps_their_own_weight(mentor, clock):
    client = json_client(mentor)
    assert client.patch("/api/helpdesk/me/", {"weight": Weight.LOW}).status_code == 200
    html = client.get("/helpdesk/").content.decode()
    assert "settings-weight-hint" not in html
    assert 'aria-describedby="settings-weight-error">' in html


def test_without_a_wiki_the_refresh_is_not_scheduled_and_changes_nothing(db, clock, settings):
    settings.LIVECHAT_WIKI_API = ""
    sam = make_user("Sam", "Moderators", wiki_id=1)
    assert jobs.ensure_wiki_roles(clock.now()) is False
    assert not Timer.objects.exists()
    # A timer left from when a wiki was configured stops without re-arming.
    jobs.refresh_wiki_roles(key=jobs.WIKI_ROLES_KEY, payload={}, now=clock.now())
    assert not Timer.objects.exists()
    assert list(sam.groups.values_list("name", flat=True)) == ["Moderators"]
