"""The event log: contiguous event ids, appending events, and the one registry of kinds
that says how each kind's object goes on the wire. See docs/architecture.md "No event
lost" and docs/api.md "Events".

An event is a kind (``message.created``, later ``question.claimed``…) plus the object it
changed, stored as that object's wire form (``RoomEvent.payload``). Each kind belongs to
a *subject*, registered once by the app that owns it: the key the object travels under
(``"message"``), what a non-moderator may see of it, and how to bring a replayed object's
visibility up to date. Everything that turns a logged event into a frame — live
delivery, ``resume``, the gap filler, the events API — goes through :func:`event_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from .broadcast import publish_event_on_commit
from .models import Room, RoomEvent

Payload = dict[str, Any]


def _unchanged(payloads: list[Payload]) -> None:
    return None


@dataclass(frozen=True)
class Subject:
    """A kind of object the log carries (a message, a question)."""

    # The key the object travels under in an event frame: {"message": {...}}.
    name: str
    # What a non-moderator may see of the object (the object itself when nothing is
    # withheld). Must return the same dict when nothing changes: that is how a frame
    # knows it needs no moderators' copy.
    public: Callable[[Payload], Payload]
    # Replays of old events: mark, in place and with one query for the whole batch, what
    # changed since they were logged and must now be withheld (a message hidden since).
    refresh: Callable[[list[Payload]], None] = _unchanged


_subjects: dict[str, Subject] = {}
_kinds: dict[str, Subject] = {}


def register_subject(subject: Subject, *, kinds: list[str]) -> None:
    """Register a subject and its event kinds (from an app's ``ready()``)."""
    for kind in kinds:
        if kind in _kinds:
            raise ImproperlyConfigured(f"The event kind {kind!r} is registered twice.")
        _kinds[kind] = subject
    _subjects[subject.name] = subject


# --- writing -------------------------------------------------------------------------------


def allocate_event_id(room_id: int) -> int:
    """Take the room's next event id. Must run inside the write's transaction.

    The UPDATE takes the room row's write lock and holds it until commit, so the room's
    writes are serialised: ids are handed out in commit order and a rolled-back write
    gives its id back. One statement on both PostgreSQL and SQLite (RETURNING).
    """
    table = Room._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_event_id = last_event_id + 1 "
            "WHERE id = %s RETURNING last_event_id",
            [room_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"room {room_id} does not exist")
    return int(row[0])


def log_event(*, room_id: int, event_id: int, kind: str, payload: Payload, now: datetime) -> None:
    """Append the event to the log and publish it after commit (``event_id`` comes from
    :func:`allocate_event_id`, taken earlier in the same transaction)."""
    check_kind(kind)
    RoomEvent.objects.create(
        room_id=room_id, event_id=event_id, kind=kind, payload=payload, created_at=now
    )
    announce_event(room_id=room_id, event_id=event_id, kind=kind, payload=payload)


def check_kind(kind: str) -> None:
    if kind not in _kinds:
        raise ImproperlyConfigured(f"The event kind {kind!r} is not registered.")


def announce_event(*, room_id: int, event_id: int, kind: str, payload: Payload) -> None:
    """Publish a logged event after commit (its row written in the same transaction)."""
    frames = EventFrames.build(event_id=event_id, kind=kind, payload=payload)
    publish_event_on_commit(room_id, frames)


# --- reading -------------------------------------------------------------------------------


def dumps(frame: dict[str, Any]) -> str:
    # Compact, and emoji kept as UTF-8 rather than \u escapes: smaller frames.
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def event_dict(*, event_id: int, kind: str, payload: Payload, moderator: bool) -> dict[str, Any]:
    """The event as the ``event`` frame and the events API carry it, for a moderator or
    for everyone else."""
    frame: dict[str, Any] = {"type": "event", "event_id": event_id, "kind": kind}
    subject = _kinds.get(kind)
    if subject is not None:
        frame[subject.name] = payload if moderator else subject.public(payload)
    return frame


def refresh_visibility(events: list[RoomEvent]) -> list[RoomEvent]:
    """Bring replayed events' objects up to date with what must now be withheld, one
    batch per subject. Payloads are copied first: the rows may be cached elsewhere."""
    by_subject: dict[str, list[Payload]] = {}
    for event in events:
        subject = _kinds.get(event.kind)
        if subject is not None:
            event.payload = dict(event.payload)
            by_subject.setdefault(subject.name, []).append(event.payload)
    for name, payloads in by_subject.items():
        _subjects[name].refresh(payloads)
    return events


@dataclass(frozen=True)
class EventFrames:
    """An event serialised once for everyone: the public frame, and the moderators' frame
    when it differs (a hidden message's text)."""

    event_id: int
    public: str
    moderator: str | None

    @classmethod
    def build(cls, *, event_id: int, kind: str, payload: Payload) -> EventFrames:
        public_dict = event_dict(event_id=event_id, kind=kind, payload=payload, moderator=False)
        subject = _kinds.get(kind)
        moderator = None
        if subject is not None and public_dict[subject.name] is not payload:
            moderator = dumps(
                event_dict(event_id=event_id, kind=kind, payload=payload, moderator=True)
            )
        return cls(event_id=event_id, public=dumps(public_dict), moderator=moderator)

    @classmethod
    def of(cls, event: RoomEvent) -> EventFrames:
        return cls.build(event_id=event.event_id, kind=event.kind, payload=event.payload)

    def for_viewer(self, *, moderator: bool) -> str:
        return self.moderator if moderator and self.moderator is not None else self.public
