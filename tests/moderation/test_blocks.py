"""Blocks, on every write path: the action, the socket and the JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from core.errors import Forbidden, Invalid
from livechat import actions
from livechat.models import Message, RoomEvent
from moderation import actions as moderation
from moderation.errors import Blocked
from moderation.models import Block, ModerationLog, Report
from tests.conftest import fresh, json_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_message(bob, room):
    return actions.send_message(user=bob, room=room, body="a message to react to").message


@pytest.fixture
def own_message(alice, room):
    return actions.send_message(user=alice, room=room, body="mine").message


def every_write(user, room, own, theirs):
    """Each write a person can make, as a callable."""
    return {
        "send": lambda: actions.send_message(user=user, room=room, body="hello"),
        "reply": lambda: actions.send_message(user=user, room=room, body="re", reply_to=theirs.pk),
        "edit": lambda: actions.edit_message(
            user=user, message_id=own.pk, body="changed", base_revision=1
        ),
        "react": lambda: actions.toggle_reaction(user=user, message_id=theirs.pk, emoji="👍"),
        "report": lambda: moderation.report_message(user=user, message_id=theirs.pk, reason="spam"),
    }


def assert_nothing_written(before_events: int, before_messages: int) -> None:
    assert RoomEvent.objects.count() == before_events
    assert Message.objects.count() == before_messages
    assert not Report.objects.exists()


@pytest.mark.parametrize("write", ["send", "reply", "edit", "react", "report"])
def test_a_site_wide_block_refuses_every_write(
    alice, moderator, room, own_message, their_message, write
):
    moderation.place_block(
        moderator=fresh(moderator), user=alice, reason="Spamming links", duration=timedelta(days=1)
    )
    events, messages = RoomEvent.objects.count(), Message.objects.count()
    with pytest.raises(Blocked) as refused:
        every_write(alice, room, own_message, their_message)[write]()
    assert "Spamming links" in refused.value.detail
    assert "until" in refused.value.detail
    assert "Mod" not in refused.value.detail, "who blocked is not shown"
    assert refused.value.extra["expires_at"].endswith("Z")
    assert_nothing_written(events, messages)


@pytest.mark.parametrize("write", ["send", "reply", "edit", "react", "report"])
def test_a_partial_block_refuses_only_in_its_rooms(
    alice, bob, moderator, room, other_room, own_message, their_message, write
):
    moderation.place_block(moderator=fresh(moderator), user=alice, reason="Off topic", rooms=[room])
    with pytest.raises(Blocked, match="in this room indefinitely"):
        every_write(alice, room, own_message, their_message)[write]()

    own_there = actions.send_message(user=alice, room=other_room, body="fine here").message
    theirs_there = actions.send_message(user=bob, room=other_room, body="theirs").message
    every_write(alice, other_room, own_there, theirs_there)[write]()


def test_an_expired_block_stops_applying_without_a_job(alice, moderator, room, monkeypatch):
    moderation.place_block(
        moderator=fresh(moderator), user=alice, reason="Cool down", duration=timedelta(hours=1)
    )
    with pytest.raises(Blocked):
        actions.send_message(user=alice, room=room, body="x")

    an_hour_later = timezone.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: an_hour_later)
    # Whether the guard reads the block from its cache or from the database.
    assert actions.send_message(user=alice, room=room, body="back").created
    from moderation import blocklist

    blocklist.forget(alice.pk)
    assert actions.send_message(user=alice, room=room, body="still back").created
    assert not Block.objects.active().exists()


def test_a_lifted_block_stops_applying_at_once(alice, moderator, room):
    block = moderation.place_block(moderator=fresh(moderator), user=alice, reason="Oops")
    with pytest.raises(Blocked):
        actions.send_message(user=alice, room=room, body="x")
    moderation.lift_block(moderator=fresh(moderator), block=block, reason="Wrong person")
    assert actions.send_message(user=alice, room=room, body="thanks").created
    block.refresh_from_db()
    assert block.lifted_by == moderator
    assert block.lift_reason == "Wrong person"
    actions_logged = list(
        ModerationLog.objects.order_by("created_at").values_list("action", flat=True)
    )
    assert actions_logged == ["block", "unblock"]


def test_moderators_are_not_exempt_from_blocks(mentor, moderator, room):
    other = fresh(moderator)
    moderation.place_block(moderator=other, user=mentor, reason="Heated")
    with pytest.raises(Blocked):
        actions.send_message(user=fresh(mentor), room=room, body="x")


def test_only_moderators_place_blocks(alice, bob):
    with pytest.raises(Forbidden):
        moderation.place_block(moderator=fresh(bob), user=alice, reason="I don't like them")
    assert not Block.objects.exists()


@pytest.mark.parametrize(
    "kwargs, detail",
    [
        ({"reason": ""}, "Give a reason"),
        ({"reason": "x", "duration": timedelta(0)}, "must be positive"),
        ({"reason": "x", "expires_at": timezone.now() - timedelta(days=1)}, "in the future"),
        ({"reason": "x", "rooms": []}, "at least one room"),
    ],
)
def test_bad_blocks_are_refused_with_the_reason(alice, moderator, kwargs, detail):
    with pytest.raises(Invalid, match=detail):
        moderation.place_block(moderator=fresh(moderator), user=alice, **kwargs)


def test_blocked_users_can_still_read(alice, moderator, room, their_message):
    moderation.place_block(moderator=fresh(moderator), user=alice, reason="Spam")
    client = json_client(alice)
    assert client.get("/api/rooms/help-desk/messages/").status_code == 200
    assert client.get("/api/rooms/help-desk/events/?after=0").status_code == 200


def test_the_json_api_answers_403_blocked(alice, moderator, room):
    moderation.place_block(moderator=fresh(moderator), user=alice, reason="Spam")
    response = json_client(alice).post("/api/rooms/help-desk/messages/", {"body": "hi"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "blocked"
    assert "Spam" in response.json()["error"]["detail"]


@pytest.mark.django_db(transaction=True)
async def test_a_user_blocked_while_connected_is_refused_at_the_next_write(
    connect, alice, bob, moderator, room
):
    a = await connect(alice)
    b = await connect(bob)
    await a.send({"type": "message.send", "body": "before", "client_id": "1"})
    await a.recv_type("ack")
    await b.recv_type("event")

    await database_sync_to_async(moderation.place_block)(
        moderator=await database_sync_to_async(fresh)(moderator), user=alice, reason="Flooding"
    )
    await a.send({"type": "message.send", "body": "after", "client_id": "2"})
    error = await a.recv_type("error")
    assert (error["code"], error["client_id"]) == ("blocked", "2")
    assert "Flooding" in error["detail"]
    assert await b.nothing(), "a refused write broadcasts nothing"
    # Still reading: Bob's messages reach Alice.
    await b.send({"type": "message.send", "body": "still there?"})
    assert (await a.recv_type("event"))["message"]["body"] == "still there?"


def test_the_log_knows_the_wiki_refusing_an_edit():
    """helpdesk.wiki_archive logs the wiki's refusals under this action (it names the code
    without importing moderation's models)."""
    from helpdesk.wiki_archive import REFUSED_ACTION
    from moderation.models import ModerationLog

    assert ModerationLog.Action(REFUSED_ACTION).label == "Wiki refused an edit"
