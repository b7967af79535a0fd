"""The public feed: questions that waited half an hour without a reply, as Atom and as
JSON Feed 1.1, for anyone (relay bots) without signing in."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from helpdesk.feed import FEED_SIZE, excerpt, feed_entries
from helpdesk.models import Question
from livechat.models import Message, Room
from moderation.actions import hide_message

from ..conftest import fresh, make_user
from .helpers import ask, fire, reload, reply

ATOM = "{http://www.w3.org/2005/Atom}"
NOON = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


def atom(client: Client | None = None) -> ET.Element:
    response = (client or Client()).get("/helpdesk/feed/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def json_feed() -> dict[str, Any]:
    response = Client().get("/helpdesk/feed.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    return json.loads(response.content)


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


@pytest.fixture
def waiting(room: Room, alice: User, clock: Any) -> Question:
    """Alice's question, asked at noon and left without a reply for half an hour."""
    clock.set(NOON)
    question = ask(alice, room, "How do I cite a book?\nI tried the template.\n\nThird\nFourth")
    clock.advance(minutes=30)
    fire()
    return reload(question)


def test_a_question_enters_the_feed_at_30_minutes_not_before(
    room: Room, alice: User, clock: Any
) -> None:
    clock.set(NOON)
    question = ask(alice, room, "How do I cite a book?")
    clock.advance(minutes=29, seconds=59)
    fire()
    assert entries(atom()) == []
    assert json_feed()["items"] == []

    clock.advance(seconds=1)
    fire()

    assert reload(question).feed_at == NOON + timedelta(minutes=30)
    assert len(entries(atom())) == 1
    assert [item["_helpdesk"]["question"] for item in json_feed()["items"]] == [question.pk]


def test_a_question_answered_in_time_never_enters(
    room: Room, alice: User, mentor: User, clock: Any
) -> None:
    clock.set(NOON)
    question = ask(alice, room)
    clock.advance(minutes=10)
    reply(mentor, question)
    clock.advance(minutes=30)
    fire()
    assert feed_entries() == []


def test_the_atom_entry_has_the_first_lines_the_room_the_wait_and_the_link(
    waiting: Question,
) -> None:
    feed = atom()

    assert feed.findtext(f"{ATOM}title") == "Questions waiting at the wiki help desk"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/helpdesk/feed/"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Wiki help desk"
    [entry] = entries(feed)
    assert entry.findtext(f"{ATOM}title") == "How do I cite a book?"
    link = f"http://testserver/rooms/help-desk/#message-{waiting.first_message_id}"
    assert entry.find(f"{ATOM}link").get("href") == link
    assert entry.findtext(f"{ATOM}id").startswith("tag:testserver,2026-03-16:")
    assert entry.findtext(f"{ATOM}published") == "2026-03-16T12:30:00+00:00"
    assert entry.findtext(f"{ATOM}updated") == "2026-03-16T12:30:00+00:00"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "How do I cite a book?<br>I tried the template.<br>Third" in summary.text
    assert "Fourth" not in summary.text  # the first lines only
    assert "No reply after 30 minutes in Help desk." in summary.text
    # Never the asker's name.
    assert "Alice" not in ET.tostring(feed, encoding="unicode")


def test_the_json_feed_is_json_feed_1_1(waiting: Question) -> None:
    feed = json_feed()

    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver/helpdesk/feed.json"
    assert feed["title"] == "Questions waiting at the wiki help desk"
    [item] = feed["items"]
    assert item["url"] == f"http://testserver/rooms/help-desk/#message-{waiting.first_message_id}"
    assert item["title"] == "How do I cite a book?"
    assert item["content_text"] == (
        "How do I cite a book?\nI tried the template.\nThird\n\n"
        "No reply after 30 minutes in Help desk."
    )
    assert item["date_published"] == "2026-03-16T12:30:00Z"
    assert item["_helpdesk"] == {
        "question": waiting.pk,
        "message": waiting.first_message_id,
        "room": "help-desk",
        "state": "waiting",
        "asked_at": "2026-03-16T12:00:00Z",
        "first_reply_at": None,
        "wait_seconds": 1800,
    }
    assert "Alice" not in json.dumps(feed)


def test_an_answered_question_stays_with_its_state_and_a_new_update_time(
    waiting: Question, mentor: User, clock: Any
) -> None:
    clock.advance(minutes=12)  # 42 minutes after it was asked
    reply(mentor, waiting)

    [item] = json_feed()["items"]
    [entry] = entries(atom())

    assert item["title"] == "Answered: How do I cite a book?"
    assert item["summary"] == "Answered after 42 minutes in Help desk."
    assert item["_helpdesk"]["state"] == "answered"
    assert item["date_published"] == "2026-03-16T12:30:00Z"
    assert item["date_modified"] == "2026-03-16T12:42:00Z"
    assert entry.findtext(f"{ATOM}updated") == "2026-03-16T12:42:00+00:00"
    # The same entry: a bot that posts new ids posts it once.
    assert entry.findtext(f"{ATOM}id") == item["id"]


def test_a_question_whose_first_message_is_hidden_is_left_out(
    waiting: Question, alice: User, room: Room, moderator: User, clock: Any
) -> None:
    other = ask(make_user("Carol"), room, "Where is the sandbox?")
    clock.advance(minutes=30)
    fire()
    assert len(feed_entries()) == 2

    hide_message(moderator=fresh(moderator), message_id=waiting.first_message_id, reason="spam")

    assert [entry.question_id for entry in feed_entries()] == [other.pk]
    assert len(entries(atom())) == 1
    assert "How do I cite" not in json.dumps(json_feed())


def test_the_newest_entries_come_first(room: Room, clock: Any) -> None:
    clock.set(NOON)
    first = ask(make_user("Carol"), room, "First?")
    clock.advance(minutes=5)
    second = ask(make_user("Dave"), room, "Second?")
    clock.advance(minutes=25)
    fire()
    clock.advance(minutes=5)
    fire()
    assert reload(first).feed_at < reload(second).feed_at

    assert [item["_helpdesk"]["question"] for item in json_feed()["items"]] == [
        second.pk,
        first.pk,
    ]


def test_a_bot_that_has_the_feed_gets_304(waiting: Question) -> None:
    client = Client()
    first = client.get("/helpdesk/feed/")
    assert "max-age=60" in first["Cache-Control"]

    again = client.get("/helpdesk/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    since = client.get("/helpdesk/feed.json", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304
    assert since.status_code == 304


def test_writes_are_refused(room: Room) -> None:
    assert Client().post("/helpdesk/feed/").status_code == 405
    assert Client().post("/helpdesk/feed.json").status_code == 405


def test_an_excerpt_is_the_first_lines_at_most_280_characters() -> None:
    assert excerpt("\n  one  \n\ntwo\nthree\nfour") == "one\ntwo\nthree"
    long = excerpt("x" * 500)
    assert len(long) == 280
    assert long.endswith("…")


# --- queries ----------------------------------------------------------------------------------


def _in_feed(room: Room, count: int) -> None:
    for index in range(count):
        asker = make_user(f"asker{index}")
        at = NOON - timedelta(hours=index)
        message = Message.objects.create(
            room=room, author=asker, body="Help?", html="", created_at=at, created_event_id=0
        )
        Question.objects.create(
            room=room,
            asker=asker,
            first_message=message,
            asked_at=at,
            last_asker_at=at,
            updated_at=at + timedelta(minutes=30),
            feed_at=at + timedelta(minutes=30),
            step=Question.Step.FEED,
        )


@pytest.mark.parametrize("count", [5, FEED_SIZE + 10])
@pytest.mark.parametrize("path", ["/helpdesk/feed/", "/helpdesk/feed.json"])
def test_the_feed_takes_one_query(room: Room, count: int, path: str) -> None:
    _in_feed(room, count)
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    assert len(queries.captured_queries) == 1
    body = response.content.decode()
    assert body.count("#message-") == min(count, FEED_SIZE)
