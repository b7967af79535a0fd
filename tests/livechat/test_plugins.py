"""Apps plug into the chat: socket frames, JSON routes and the write guard are registered,
not reached through settings strings."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from livechat import actions, frames, guard
from livechat.frames import FrameContext


def test_the_chat_and_moderation_register_their_frames():
    assert {
        "message.send",
        "message.edit",
        "reaction.toggle",
        "read",
        "thanks",
        "typing",
        "resume",
    } <= frames.registered()
    assert {"message.hide", "message.unhide", "message.report"} <= frames.registered()


def test_a_frame_type_cannot_be_registered_twice():
    with pytest.raises(ImproperlyConfigured):
        frames.register_frame("message.send", lambda ctx, data: None)
    with pytest.raises(ImproperlyConfigured):
        frames.register_frame("resume", lambda ctx, data: None)


def test_moderation_routes_live_in_the_chat_namespace():
    assert reverse("livechat:api-message-hide", args=[5]) == "/api/messages/5/hide/"
    assert reverse("livechat:api-message-report", args=[5]) == "/api/messages/5/report/"


@pytest.mark.django_db(transaction=True)
async def test_a_registered_frame_answers_the_sender(
    connect, alice, room, monkeypatch: pytest.MonkeyPatch
):
    seen: list[tuple[str, str]] = []

    def ping(ctx: FrameContext, data: dict[str, Any]) -> dict[str, Any]:
        seen.append((ctx.user.get_username(), ctx.room.slug))
        return {"type": "pong", "echo": data.get("echo")}

    monkeypatch.setitem(frames._handlers, "test.ping", ping)
    socket = await connect(alice)
    await socket.send({"type": "test.ping", "echo": 42})
    assert await socket.recv_type("pong") == {"type": "pong", "echo": 42}
    assert seen == [("Alice", "help-desk")]


@pytest.mark.django_db
def test_without_a_guard_every_write_is_refused(alice, room, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(guard, "_installed", [])
    with pytest.raises(ImproperlyConfigured):
        actions.send_message(user=alice, room=room, body="unguarded")
    assert not room.messages.exists()
