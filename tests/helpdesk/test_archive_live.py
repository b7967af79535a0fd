"""The live room and its archive: a help room's history API stops at the live window
(LIVECHAT_LIVE_DAYS calendar days, today included), and the threads of questions resolved
more than 24 hours ago are listed for the page to fold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk import actions as questions

from ..conftest import fresh, json_client
from .helpers import ask, reply, say

pytestmark = pytest.mark.django_db


def at(clock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=UTC))


def history(user, slug: str = "help-desk", **query) -> dict:
    response = json_client(user).get(f"/api/rooms/{slug}/messages/", query)
    assert response.status_code == 200, response.content
    return response.json()


def bodies(data: dict) -> list[str]:
    return [m["body"] for m in data["messages"]]


# --- the live window ------------------------------------------------------------------------


@pytest.fixture
def week(mentor, room, other_room, clock):
    """Messages from 8 days ago to today, in the help room and in the lounge."""
    for moment, body in (
        ("2026-11-02 12:00", "eight days ago"),
        ("2026-11-03 23:59", "seven days ago, late"),
        ("2026-11-04 00:00", "six days ago, at midnight"),
        ("2026-11-07 10:00", "three days ago"),
        ("2026-11-10 09:00", "this morning"),
    ):
        at(clock, moment)
        say(mentor, room, body)
        say(mentor, other_room, body)
    at(clock, "2026-11-10 15:00")


def test_a_help_rooms_history_ends_at_the_live_window(alice, week, settings):
    settings.LIVECHAT_LIVE_DAYS = 7
    data = history(alice)
    # Today and the six days before it: from midnight on 2026-11-04.
    assert bodies(data) == ["six days ago, at midnight", "three days ago", "this morning"]
    assert data["has_more"] is False


def test_paging_back_stops_at_the_live_window(alice, week, settings):
    settings.LIVECHAT_LIVE_DAYS = 7
    newest = history(alice, limit=2)
    assert bodies(newest) == ["three days ago", "this morning"]
    assert newest["has_more"] is True
    older = history(alice, limit=2, before=newest["messages"][0]["id"])
    assert bodies(older) == ["six days ago, at midnight"]
    assert older["has_more"] is False
    below = history(alice, limit=2, before=older["messages"][0]["id"])
    assert bodies(below) == [] and below["has_more"] is False


def test_the_window_follows_the_setting(alice, week, settings):
    settings.LIVECHAT_LIVE_DAYS = 1
    assert bodies(history(alice)) == ["this morning"]
    settings.LIVECHAT_LIVE_DAYS = 0  # no window: the whole history is live
    assert len(bodies(history(alice))) == 5


def test_a_help_room_with_nothing_in_the_window_shows_nothing(alice, mentor, room, clock):
    at(clock, "2026-10-01 10:00")
    say(mentor, room, "long ago")
    at(clock, "2026-11-10 10:00")
    data = history(alice)
    assert data == {"messages": [], "has_more": False, "thanked": []}


def test_rooms_without_an_archive_keep_their_whole_history(alice, week, settings):
    settings.LIVECHAT_LIVE_DAYS = 7
    assert len(bodies(history(alice, "lounge"))) == 5


def test_the_window_costs_no_extra_query(alice, week, settings):
    settings.LIVECHAT_LIVE_DAYS = 7
    client = json_client(alice)
    with CaptureQueriesContext(connection) as lounge:
        client.get("/api/rooms/lounge/messages/")
    with CaptureQueriesContext(connection) as help_desk:
        client.get("/api/rooms/help-desk/messages/")
    # The window's bound is a subquery of the page's query, not a query of its own.
    assert len(help_desk.captured_queries) == len(lounge.captured_queries)


# --- folding --------------------------------------------------------------------------------


def folded(user, slug: str = "help-desk"):
    return json_client(user).get(f"/api/rooms/{slug}/folded/")


def resolved_question(asker, helper, room, clock, *, asked: str, resolved: str):
    at(clock, asked)
    question = ask(asker, room, f"question from {asker.username}")
    clock.advance(minutes=2)
    answer = reply(helper, question, "an answer")
    clock.advance(minutes=1)
    follow_up = say(asker, room, "thanks!")
    at(clock, resolved)
    questions.resolve_question(user=fresh(asker), question_id=question.pk)
    return question, [question.first_message_id, answer.pk, follow_up.pk]


def test_it_lists_questions_resolved_more_than_a_day_ago(alice, mentor, room, clock):
    question, ids = resolved_question(
        alice, mentor, room, clock, asked="2026-11-08 10:00", resolved="2026-11-08 11:00"
    )
    at(clock, "2026-11-09 10:59")
    assert folded(alice).json() == {"threads": []}
    at(clock, "2026-11-09 11:00")
    response = folded(alice)
    assert response.status_code == 200
    assert response.json() == {
        "threads": [
            {
                "question_id": question.pk,
                "message_id": question.first_message_id,
                "message_ids": ids,
                "asker": {"id": alice.pk, "username": "Alice", "roles": []},
                "resolved_at": "2026-11-08T11:00:00Z",
            }
        ]
    }


def test_open_and_reopened_questions_do_not_fold(alice, bob, mentor, room, clock):
    at(clock, "2026-11-08 10:00")
    ask(bob, room, "still open")
    question, _ = resolved_question(
        alice, mentor, room, clock, asked="2026-11-08 10:05", resolved="2026-11-08 11:00"
    )
    at(clock, "2026-11-09 12:00")
    questions.reopen_question(user=fresh(alice), question_id=question.pk)
    assert folded(alice).json() == {"threads": []}


def test_questions_before_the_live_window_are_not_listed(alice, bob, mentor, room, clock, settings):
    settings.LIVECHAT_LIVE_DAYS = 7
    old, _ = resolved_question(
        alice, mentor, room, clock, asked="2026-11-01 10:00", resolved="2026-11-01 11:00"
    )
    recent, _ = resolved_question(
        bob, mentor, room, clock, asked="2026-11-06 10:00", resolved="2026-11-06 11:00"
    )
    at(clock, "2026-11-10 10:00")
    assert [t["question_id"] for t in folded(alice).json()["threads"]] == [recent.pk]
    assert old.pk


def test_folded_threads_cost_a_constant_number_of_queries(
    alice, mentor, room, clock, django_assert_max_num_queries
):
    from ..conftest import make_user

    for n in range(6):
        day = f"2026-11-0{n + 3}"
        resolved_question(
            make_user(f"asker{n}"),
            mentor,
            room,
            clock,
            asked=f"{day} 10:00",
            resolved=f"{day} 11:00",
        )
    at(clock, "2026-11-09 12:00")
    client = json_client(alice)
    # session, user, room, the questions, their messages, their askers
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/rooms/help-desk/folded/").json()["threads"]) == 6


def test_folding_is_for_help_rooms_and_signed_in_people(alice, other_room, room):
    response = folded(alice, "lounge")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    from django.test import Client

    assert Client().get("/api/rooms/help-desk/folded/").status_code == 403
