"""What the chat says on the wire (docs/api.md): the message, the room, the answer to a
send. Built here once and used by the socket, the JSON API and the page alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from accounts.roles import public_user

from .models import Message, Room

if TYPE_CHECKING:
    from .actions import Change


def iso(value: Any) -> str | None:
    """ISO 8601 in UTC with a trailing Z, as every time on the wire."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def message_payload(message: Message) -> dict[str, Any]:
    """The whole message, as a moderator sees it. Callers that show it to others pass it
    through :func:`redact_for_public` (hidden text is for moderators only).

    A message erased at its author's request (accounts.erasure, docs/privacy.md) has no
    text left, for anyone, and says so with ``"erased": true`` (absent otherwise): the
    page shows "removed at the author's request" in the reader's language. An empty
    body means exactly that, since no write can leave a message empty."""
    payload = {
        "id": message.pk,
        "room": message.room.slug,
        "author": public_user(message.author),
        "body": message.body,
        "html": message.html,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "revision": message.revision,
        "hidden": message.hidden,
        "reply_to": message.reply_to_id,
        "client_id": message.client_id,
        "reactions": message.reactions,
        "mentions": message.mentions,
    }
    if not message.body:
        payload["erased"] = True
    return payload


def redact_for_public(payload: dict[str, Any]) -> dict[str, Any]:
    """A hidden message keeps its id, author and times but loses its text."""
    if not payload.get("hidden"):
        return payload
    return {**payload, "body": "", "html": ""}


def room_ref(room: Room) -> dict[str, Any]:
    """A room as the socket's `hello` and the page's config name it."""
    return {"slug": room.slug, "name": room.name}


def room_summary(room: Room, *, online_count: int, unread_count: int) -> dict[str, Any]:
    """A room in the room list (``GET /api/rooms/``)."""
    return {
        **room_ref(room),
        "description": room.description,
        "online_count": online_count,
        "unread_count": unread_count,
        "last_event_id": room.last_event_id,
        "help": room.slug in settings.LIVECHAT_HELP_ROOMS,
    }


def send_answer(change: Change) -> dict[str, Any]:
    """What the sender of a message is told: the socket's `ack` and, merged into the
    message, the HTTP answer. ``event_id`` is the event that announced the message, so
    the sender knows where it sits in the room's log."""
    return {
        "client_id": change.message.client_id,
        "message_id": change.message.pk,
        "event_id": change.event_id,
    }
