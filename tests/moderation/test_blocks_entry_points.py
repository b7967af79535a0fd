"""Every write, through both entry points, against site-wide, partial and expired blocks:
the same guard answers the same way whether a write comes over the socket or the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from livechat import actions
from livechat.models import Message, Notification, Reaction, RoomEvent, Thanks
from moderation import actions as moderation
from moderation.models import Block, Report
from tests.conftest import fresh, json_client

pytestmark = pytest.mark.django_db(transaction=True)

WRITES = ["send", "reply", "edit", "react", "thanks", "report"]


def socket_frame(write: str, own: int, theirs: int) -> dict:
    return {
        "send": {"type": "message.send", "body": "hello", "client_id": "w"},
        "reply": {"type": "message.send", "body": "re", "reply_to": theirs, "client_id": "r"},
        "edit": {"type": "message.edit", "message_id": own, "body": "new", "base_revision": 1},
        "react": {"type": "reaction.toggle", "message_id": theirs, "emoji": "👍"},
        "thanks": {"type": "thanks", "message_id": theirs},
        "report": {"type": "message.report", "message_id": theirs, "reason": "spam"},
    }[write]


def api_call(write: str, own: int, theirs: int) -> tuple[str, str, dict]:
    return {
        "send": ("post", "/api/rooms/help-desk/messages/", {"body": "hello"}),
        "reply": ("post", "/api/rooms/help-desk/messages/", {"body": "re", "reply_to": theirs}),
        "edit": ("patch", f"/api/messages/{own}/", {"body": "new", "base_revision": 1}),
        "react": ("post", f"/api/messages/{theirs}/reactions/", {"emoji": "👍"}),
        "thanks": ("post", f"/api/messages/{theirs}/thanks/", {}),
        "report": ("post", f"/api/messages/{theirs}/report/", {"reason": "spam"}),
    }[write]


def state() -> tuple[int, ...]:
    return (
        Message.objects.count(),
        RoomEvent.objects.count(),
        Reaction.objects.count(),
        Thanks.objects.count(),
        Report.objects.count(),
        Notification.objects.count(),
        Message.objects.filter(revision__gt=1).count(),
    )


def place(kind: str, moderator, user, room, other_room) -> None:
    mod = fresh(moderator)
    if kind == "site":
        moderation.place_block(moderator=mod, user=user, reason="Spam links")
    elif kind == "partial":
        moderation.place_block(moderator=mod, user=user, reason="Spam links", rooms=[room])
    elif kind == "partial elsewhere":
        moderation.place_block(moderator=mod, user=user, reason="Spam links", rooms=[other_room])
    elif kind == "expired":
        block = moderation.place_block(
            moderator=mod, user=user, reason="Spam links", duration=timedelta(minutes=5)
        )
        Block.objects.filter(pk=block.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        from moderation import blocklist

        blocklist.forget(user.pk)


@pytest.fixture
def setup(alice, bob, moderator, room, other_room):
    own = actions.send_message(user=alice, room=room, body="mine").message.pk
    theirs = actions.send_message(user=bob, room=room, body="theirs").message.pk
    return own, theirs


BLOCKING = {"site": True, "partial": True, "partial elsewhere": False, "expired": False}


@pytest.mark.parametrize("kind", list(BLOCKING))
@pytest.mark.parametrize("write", WRITES)
def test_json_path(alice, moderator, room, other_room, setup, kind, write):
    own, theirs = setup
    place(kind, moderator, alice, room, other_room)
    before = state()
    method, url, data = api_call(write, own, theirs)
    response = json_client(alice).send(method, url, data)
    if BLOCKING[kind]:
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "blocked"
        assert "Spam links" in response.json()["error"]["detail"]
        assert state() == before, "a refused write persists nothing"
    else:
        assert response.status_code in (200, 201), response.content
        assert state() != before


@pytest.mark.parametrize("kind", list(BLOCKING))
@pytest.mark.parametrize("write", WRITES)
async def test_socket_path(connect, alice, bob, moderator, room, other_room, setup, kind, write):
    own, theirs = setup
    await database_sync_to_async(place)(kind, moderator, alice, room, other_room)
    before = await database_sync_to_async(state)()
    a = await connect(alice)
    b = await connect(bob)
    await a.send(socket_frame(write, own, theirs))
    if BLOCKING[kind]:
        error = await a.recv_type("error", "ack", "thanked", "reported", "event")
        assert error["type"] == "error" and error["code"] == "blocked", error
        assert "Spam links" in error["detail"]
        assert await b.nothing(), "a refused write broadcasts nothing"
        assert await database_sync_to_async(state)() == before
    else:
        answer = await a.recv_type("error", "ack", "thanked", "reported", "event")
        assert answer["type"] != "error", answer
