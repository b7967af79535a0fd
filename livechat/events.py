"""The event log: allocation of contiguous event ids, appending events, and the frames
that carry them. See docs/architecture.md "No event lost"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from .models import Room, RoomEvent
from .serializers import redact_for_public


def allocate_event_id(room_id: int) -> int:
    """Take the room's next event id. Must run inside the write's transaction.

    The UPDATE takes the room row's write lock and holds it until commit, so the room's
    writes are serialised: ids are handed out in commit order and a rolled-back write
    gives its id back. One statement on both PostgreSQL and SQLite (RETURNING).
    """
    table = Room._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_event_id = last_event_id + 1 "  # noqa: S608
            "WHERE id = %s RETURNING last_event_id",
            [room_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"room {room_id} does not exist")
    return int(row[0])


def append_event(
    *, room_id: int, event_id: int, kind: str, payload: dict[str, Any], now: datetime
) -> RoomEvent:
    return RoomEvent.objects.create(
        room_id=room_id, event_id=event_id, kind=kind, payload=payload, created_at=now
    )


def dumps(frame: dict[str, Any]) -> str:
    # Compact, and emoji kept as UTF-8 rather than \u escapes: smaller frames.
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def event_dict(*, event_id: int, kind: str, payload: dict[str, Any], moderator: bool) -> dict:
    message = payload if moderator else redact_for_public(payload)
    return {"type": "event", "event_id": event_id, "kind": kind, "message": message}


@dataclass(frozen=True)
class EventFrames:
    """An event serialised once for everyone: the public frame, and the moderators' frame
    when it differs (a hidden message's text)."""

    event_id: int
    public: str
    moderator: str | None

    @classmethod
    def build(cls, *, event_id: int, kind: str, payload: dict[str, Any]) -> EventFrames:
        public = dumps(event_dict(event_id=event_id, kind=kind, payload=payload, moderator=False))
        moderator = None
        if payload.get("hidden"):
            moderator = dumps(
                event_dict(event_id=event_id, kind=kind, payload=payload, moderator=True)
            )
        return cls(event_id=event_id, public=public, moderator=moderator)

    @classmethod
    def of(cls, event: RoomEvent) -> EventFrames:
        return cls.build(event_id=event.event_id, kind=event.kind, payload=event.payload)

    def for_viewer(self, *, moderator: bool) -> str:
        return self.moderator if moderator and self.moderator is not None else self.public
