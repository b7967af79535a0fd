"""Query counts are pinned for the archive's pages: a day costs the same with two
messages as with sixty and a dozen questions, the index the same for one month as for a
year of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helpdesk import actions as questions
from livechat import actions as chat
from livechat.models import Room

from ..conftest import fresh, make_user
from .helpers import ask, reply, say

pytestmark = pytest.mark.django_db

# session, user (with roles), room, the day's messages with authors and roles, their
# questions, the previous day, the next day.
DAY_QUERIES = 7
# session, user, room, the first and last message, the months between, the month's days.
INDEX_QUERIES = 6


def at(clock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=UTC))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def busy_day(room, mentor, moderator, clock, *, askers: int) -> None:
    """``askers`` questions with replies, reactions, a reply chain and hidden messages,
    from several people with different roles."""
    at(clock, "2026-11-04 10:00")
    say(mentor, room, "the day before")
    at(clock, "2026-11-05 08:00")
    helpers = [mentor, moderator, make_user(f"helper-{askers}", "Mentors")]
    for n in range(askers):
        asker = make_user(f"asker-{askers}-{n}")
        question = ask(asker, room, f"question {n}")
        clock.advance(minutes=3)
        answer = reply(helpers[n % 3], question, f"answer {n}")
        chat.toggle_reaction(user=fresh(asker), message_id=answer.pk, emoji="👍")
        follow = say(asker, room, f"follow-up {n}", reply_to=answer.pk)
        if n % 2:
            questions.resolve_question(user=fresh(asker), question_id=question.pk)
        if n % 4 == 3:
            chat.set_hidden(user=fresh(moderator), message_id=follow.pk, hidden=True)
        clock.advance(minutes=7)
    at(clock, "2026-11-07 10:00")
    say(mentor, room, "the day after")


@pytest.mark.parametrize("viewer", ["alice", "moderator"])
def test_a_day_costs_the_same_whatever_its_messages_and_questions(
    request, settings, mentor, moderator, room, clock, django_assert_max_num_queries, viewer
):
    other = Room.objects.create(slug="help-2", name="Second help room")
    settings.LIVECHAT_HELP_ROOMS = ["help-desk", "help-2"]
    busy_day(room, mentor, moderator, clock, askers=1)
    busy_day(other, mentor, moderator, clock, askers=20)
    # Moderators' pages also carry the hidden messages' placeholders.
    client = client_for(request.getfixturevalue(viewer))
    few = queries_for(client, "/rooms/help-desk/archive/2026-11-05/")
    many = queries_for(client, "/rooms/help-2/archive/2026-11-05/")
    assert few == many
    with django_assert_max_num_queries(DAY_QUERIES):
        client.get("/rooms/help-2/archive/2026-11-05/")


def test_the_day_page_really_shows_the_busy_day(alice, mentor, moderator, room, clock):
    busy_day(room, mentor, moderator, clock, askers=8)
    html = client_for(alice).get("/rooms/help-desk/archive/2026-11-05/").content.decode()
    assert html.count('class="badge archive-state') == 8
    assert html.count("follow-up") == 6  # two of the eight are hidden


def test_the_index_costs_the_same_for_one_month_or_many(
    alice, mentor, room, clock, django_assert_max_num_queries
):
    at(clock, "2026-11-05 10:00")
    say(mentor, room, "one month")
    client = client_for(alice)
    one = queries_for(client, "/rooms/help-desk/archive/")
    for month in range(1, 11):
        at(clock, f"2025-{month:02d}-15 10:00")
        say(mentor, room, "another month")
    many = queries_for(client, "/rooms/help-desk/archive/")
    assert one <= many == INDEX_QUERIES
    with django_assert_max_num_queries(INDEX_QUERIES):
        client.get("/rooms/help-desk/archive/?month=2025-03")
