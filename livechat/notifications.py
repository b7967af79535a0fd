"""Notifications: mentions, replies and thanks, for one person each, delivered live to
every open socket of the recipient (their user group) after commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from accounts.models import User
from accounts.roles import public_user

from .broadcast import publish_to_user_on_commit
from .events import dumps
from .models import Message, Notification
from .payloads import iso

EXCERPT_LENGTH = 120

# Called with every notification created, inside the transaction that created it: the
# notifications app schedules its email there (livechat does not name it).
Listener = Callable[[Notification], None]
_listeners: list[Listener] = []


def register_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def notification_payload(notification: Notification) -> dict[str, Any]:
    message = notification.message
    excerpt = "" if message.hidden else message.body[:EXCERPT_LENGTH]
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "actor": public_user(notification.actor),
        "message": message.pk,
        "excerpt": excerpt,
        "room": message.room.slug,
        "room_name": message.room.name,
        "created_at": iso(notification.created_at),
        "read": notification.read_at is not None,
    }


def notify(
    *, recipients: dict[int, str], actor: User, message: Message, now: datetime
) -> list[Notification]:
    """Create one notification per recipient (user id -> kind), never for the actor
    themselves, in the caller's transaction; each goes out live after commit."""
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            actor=actor,
            message=message,
            room_id=message.room_id,
            created_at=now,
        )
        for user_id, kind in recipients.items()
        if user_id != actor.pk
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    for notification in created:
        if notification.pk is None:  # backends without RETURNING on bulk insert
            continue
        frame = dumps({"type": "notification", "notification": notification_payload(notification)})
        publish_to_user_on_commit(notification.recipient_id, frame)
        for listener in _listeners:
            listener(notification)
    return created
