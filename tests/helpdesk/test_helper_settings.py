"""PATCH /api/helpdesk/me/: a helper's own settings, as the queue page's form sends them:
Away with a return date and a backup mentor, the new-mentee weight, muting notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from accounts.models import User
from helpdesk.models import MentorProfile

from ..conftest import json_client, make_user

pytestmark = pytest.mark.django_db

ME = "/api/helpdesk/me/"


def patch(user: User, data: dict[str, Any]) -> Any:
    return json_client(user).patch(ME, data)


def refused(response: Any, field: str) -> str:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", field)
    return error["detail"]


@pytest.fixture
def backup(db: None) -> User:
    return make_user("Backup", "Mentors")


def test_it_saves_away_with_a_backup_and_answers_with_the_settings(mentor, backup, clock):
    back_on = (clock.now() + timedelta(days=14)).date()
    response = patch(mentor, {"away_until": back_on.isoformat(), "backup": backup.pk})
    assert response.status_code == 200
    me = response.json()["me"]
    assert me["away_until"] == back_on.isoformat()
    assert me["backup"] == backup.pk
    profile = MentorProfile.objects.get(user=mentor)
    assert (profile.away_until, profile.backup) == (back_on, backup)

    # Back early: an empty date ends Away; the backup stays for next time.
    response = patch(mentor, {"away_until": None})
    assert response.json()["me"]["away_until"] is None
    assert MentorProfile.objects.get(user=mentor).backup == backup


def test_a_backup_can_be_named(mentor, backup):
    assert patch(mentor, {"backup": "Backup"}).json()["me"]["backup"] == backup.pk
    assert patch(mentor, {"backup": None}).json()["me"]["backup"] is None


def test_away_may_last_up_to_a_year(mentor, clock):
    today = clock.now().date()
    assert patch(mentor, {"away_until": today.isoformat()}).status_code == 200
    in_a_year = (today + timedelta(days=365)).isoformat()
    assert patch(mentor, {"away_until": in_a_year}).json()["me"]["away_until"] == in_a_year


@pytest.mark.parametrize(
    "days, wording",
    [(-1, "must not be in the past"), (366, "at most a year")],
)
def test_a_return_date_in_the_past_or_past_a_year_is_refused(mentor, clock, days, wording):
    day = (clock.now() + timedelta(days=days)).date().isoformat()
    detail = refused(patch(mentor, {"away_until": day}), "away_until")
    assert wording in detail
    assert not MentorProfile.objects.filter(user=mentor, away_until__isnull=False).exists()


@pytest.mark.parametrize("value", ["next week", "2026-02-30", 20260101])
def test_a_return_date_must_be_a_date(mentor, value):
    refused(patch(mentor, {"away_until": value}), "away_until")


def test_the_backup_must_be_a_mentor_and_not_oneself(mentor, moderator, alice):
    detail = refused(patch(mentor, {"backup": alice.pk}), "backup")
    assert detail == "Alice is not a mentor and cannot be a backup."
    # A moderator helps, but mentees are for mentors.
    refused(patch(mentor, {"backup": moderator.pk}), "backup")
    detail = refused(patch(mentor, {"backup": mentor.pk}), "backup")
    assert detail == "You cannot be your own backup."
    detail = refused(patch(mentor, {"backup": 999_999}), "backup")
    assert detail == "The backup mentor does not exist."
    refused(patch(mentor, {"backup": True}), "backup")
    assert not MentorProfile.objects.filter(user=mentor, backup__isnull=False).exists()


@pytest.mark.parametrize(
    "weight",
    [
        MentorProfile.Weight.NONE,
        MentorProfile.Weight.LOW,
        MentorProfile.Weight.MEDIUM,
        MentorProfile.Weight.HIGH,
    ],
)
def test_the_new_mentee_weight_is_one_of_four(mentor, weight):
    assert patch(mentor, {"weight": int(weight)}).json()["me"]["weight"] == weight
    assert MentorProfile.objects.get(user=mentor).weight == weight


@pytest.mark.parametrize("weight", [3, 5, -1, "high", None, True])
def test_any_other_weight_is_refused(mentor, weight):
    detail = refused(patch(mentor, {"weight": weight}), "weight")
    assert detail == "weight must be one of 0, 1, 2, 4."


def test_notices_are_muted_for_a_while_and_unmuted(mentor, clock):
    response = patch(mentor, {"mute_minutes": 90})
    until = clock.now() + timedelta(minutes=90)
    assert response.json()["me"]["muted_until"] == until.isoformat().replace("+00:00", "Z")
    assert MentorProfile.objects.get(user=mentor).muted_until == until
    assert patch(mentor, {"mute_minutes": 0}).json()["me"]["muted_until"] is None


@pytest.mark.parametrize("minutes", [-5, 24 * 60 + 1, "60", 1.5, None])
def test_a_mute_is_whole_minutes_up_to_a_day(mentor, minutes):
    detail = refused(patch(mentor, {"mute_minutes": minutes}), "mute_minutes")
    assert detail == "mute_minutes must be a whole number from 0 to 1440."


def test_a_refused_field_changes_nothing_else(mentor, backup):
    patch(mentor, {"weight": 1})
    refused(patch(mentor, {"weight": 4, "backup": mentor.pk}), "backup")
    assert MentorProfile.objects.get(user=mentor).weight == 1


def test_it_leaves_out_what_was_not_sent(mentor, backup, clock):
    patch(mentor, {"weight": 4, "backup": backup.pk})
    me = patch(mentor, {"mute_minutes": 30}).json()["me"]
    assert (me["weight"], me["backup"]) == (4, backup.pk)


def test_a_newcomer_has_no_helper_settings(alice):
    response = patch(alice, {"weight": 1})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not MentorProfile.objects.filter(user=alice).exists()


def test_a_moderator_has_settings_too(moderator):
    assert patch(moderator, {"mute_minutes": 60}).status_code == 200
    assert json_client(moderator).get(ME).json()["me"]["muted_until"] is not None
