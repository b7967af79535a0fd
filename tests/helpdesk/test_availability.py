"""GET /api/rooms/<slug>/availability/: what an asker is told before they ask. Helpers
count when they have a socket open (real presence), were active in the last five
minutes, are not Away and not blocked; the typical wait is the median time to a first
helper reply over seven days, for questions asked with helpers available (basis
"online") or without (basis "offline"), and "none" when there is nothing to go on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from accounts.models import User
from helpdesk.availability import record_activity
from helpdesk.models import MentorProfile, Question
from livechat.models import Room
from livechat.presence import member_key, store
from moderation import actions as moderation
from tests.conftest import fresh, json_client, make_user

from .helpers import ask, offline, online, reply

pytestmark = pytest.mark.django_db

MIN = 60


def availability(user: User, slug: str = "help-desk") -> dict[str, Any]:
    response = json_client(user).get(f"/api/rooms/{slug}/availability/")
    assert response.status_code == 200, response.content
    return response.json()


def in_room(room: Room, user: User, channel: str | None = None) -> None:
    """The person has the room open (a socket in its presence list)."""
    ref = {"id": user.pk, "username": user.username, "roles": []}
    async_to_sync(store().touch)(room.pk, member_key(channel or f"room-{user.pk}", ref))


def answered_questions(room: Room, mentor: User, clock: Any, waits_minutes: list[int]) -> None:
    """One question per wait, each asked by a new person and first answered by `mentor`
    that many minutes later; whether helpers were available is whatever it is now."""
    for n, wait in enumerate(waits_minutes):
        question = ask(make_user(f"Asker {n}"), room)
        clock.advance(minutes=wait)
        reply(mentor, question)


def test_it_counts_helpers_and_gives_the_median_wait_of_questions_asked_while_online(
    alice, bob, mentor, room, clock
):
    online(mentor)
    answered_questions(room, mentor, clock, [1, 2, 4, 7, 30])
    online(mentor)  # active again, after the last reply (which counted too)
    in_room(room, alice)
    in_room(room, bob)
    in_room(room, bob, channel="second-tab")

    assert availability(alice) == {
        "helpers_online": 1,
        "people_online": 2,
        "typical_wait_seconds": 4 * MIN,
        "basis": "online",
        "samples": 5,
    }


def test_with_fewer_than_five_answered_questions_the_wait_is_a_few_minutes(
    alice, mentor, room, clock
):
    online(mentor)
    answered_questions(room, mentor, clock, [1, 2, 4, 7])
    online(mentor)

    data = availability(alice)

    assert data["helpers_online"] == 1
    assert data["basis"] == "online"
    assert data["typical_wait_seconds"] is None  # the page says "a few minutes"
    assert data["samples"] == 4


def test_without_helpers_it_gives_the_wait_of_questions_asked_while_nobody_was_there(
    alice, mentor, room, clock
):
    answered_questions(room, mentor, clock, [60, 200, 360])
    # Asked while a helper was there: not part of the offline median.
    online(mentor)
    ask(make_user("Lucky"), room)
    offline(mentor)

    data = availability(alice)

    assert data == {
        "helpers_online": 0,
        "people_online": 0,
        "typical_wait_seconds": 200 * MIN,
        "basis": "offline",
        "samples": 3,
    }
    assert Question.objects.filter(helpers_available=0).count() == 3


def test_with_no_helper_and_no_answered_question_there_is_nothing_to_go_on(alice, room):
    ask(alice, room)  # unanswered: no wait to count yet

    assert availability(alice) == {
        "helpers_online": 0,
        "people_online": 0,
        "typical_wait_seconds": None,
        "basis": "none",
        "samples": 0,
    }


def test_questions_older_than_a_week_do_not_count(alice, mentor, room, clock):
    answered_questions(room, mentor, clock, [60])
    clock.advance(days=8)

    assert availability(alice)["basis"] == "none"


def test_a_helper_inactive_for_more_than_five_minutes_is_not_counted(
    alice, mentor, moderator, room, clock
):
    online(mentor)
    online(moderator)
    clock.advance(minutes=4)
    record_activity(user_id=moderator.pk, now=clock.now())
    assert availability(alice)["helpers_online"] == 2

    clock.advance(minutes=1, seconds=1)  # the mentor: 5 min 1 s since their last input

    assert availability(alice)["helpers_online"] == 1


def test_a_helper_without_an_open_socket_is_not_counted(alice, mentor, room, clock):
    online(mentor)
    offline(mentor)

    assert availability(alice)["helpers_online"] == 0


def test_an_away_helper_is_not_counted(alice, mentor, moderator, room, clock):
    online(mentor)
    online(moderator)
    MentorProfile.objects.create(user=mentor, away_until=clock.now().date() + timedelta(days=2))

    assert availability(alice)["helpers_online"] == 1


def test_a_helper_back_from_away_counts_again(alice, mentor, room, clock):
    online(mentor)
    MentorProfile.objects.create(user=mentor, away_until=clock.now().date() - timedelta(days=1))

    assert availability(alice)["helpers_online"] == 1


def test_a_blocked_helper_is_not_counted(alice, mentor, moderator, room, clock):
    online(mentor)
    online(moderator)
    moderation.place_block(moderator=fresh(moderator), user=mentor, reason="Heated")

    assert availability(alice)["helpers_online"] == 1


def test_a_helper_blocked_only_in_this_room_is_not_counted_here(
    alice, mentor, moderator, room, other_room, clock, settings
):
    settings.LIVECHAT_HELP_ROOMS = ["help-desk", "lounge"]
    online(mentor)
    moderation.place_block(moderator=fresh(moderator), user=mentor, reason="Heated", rooms=[room])

    assert availability(alice)["helpers_online"] == 0
    assert availability(alice, "lounge")["helpers_online"] == 1


def test_people_who_are_not_helpers_are_never_helpers_online(alice, bob, room, clock):
    online(bob)  # a socket and input, but no helper role

    assert availability(alice)["helpers_online"] == 0


def test_it_answers_404_outside_help_rooms(alice, other_room):
    response = json_client(alice).get("/api/rooms/lounge/availability/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
