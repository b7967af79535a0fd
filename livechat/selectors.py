"""Reads. Every list here costs a constant number of queries, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Collate, Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import adopt_role_flags, is_moderator, public_user, with_role_flags
from accounts.usernames import MAX_LENGTH as USERNAME_MAX_LENGTH
from accounts.usernames import mention_form
from core.errors import Invalid, NotFound, Resync

from .events import event_dict, refresh_visibility
from .models import (
    Message,
    MessageRevision,
    Notification,
    ReadMarker,
    Room,
    RoomEvent,
    Thanks,
)
from .notifications import notification_payload
from .payloads import iso, message_payload, redact_for_public

# The largest pages a client may ask for; the defaults are settings
# (LIVECHAT_HISTORY_PAGE_SIZE, LIVECHAT_EVENTS_PAGE_SIZE), checked against these.
MAX_PAGE = 100
MAX_EVENTS_PAGE = 1000
MAX_NOTIFICATIONS_PAGE = 100
# Above any message id: the "before" of the newest page (bigint's maximum).
MAX_MESSAGE_ID = 2**63 - 1


def get_room(slug: str) -> Room:
    room = Room.objects.filter(slug=slug).first()
    if room is None:
        raise NotFound(_("There is no room called “%(slug)s”.") % {"slug": slug})
    return room


def refresh_event_cursor(room: Room) -> Room:
    """Re-read the room's newest and oldest kept event ids (they move with every write)."""
    room.refresh_from_db(fields=["last_event_id", "pruned_through_event_id"])
    return room


def list_rooms() -> QuerySet[Room]:
    return Room.objects.order_by("name")


def unread_counts(*, user: User, rooms: list[Room], cap: int = 100) -> dict[int, int]:
    """Unread messages per room, by others, after the user's read marker; counted up to
    ``cap`` so that a room with a million unread messages stays cheap ("99+")."""
    markers = dict(
        ReadMarker.objects.filter(user=user, room__in=rooms).values_list(
            "room_id", "last_read_message_id"
        )
    )
    counts: dict[int, int] = {}
    for room in rooms:
        # One bounded index range scan per room: the room list is short by nature.
        after = markers.get(room.pk, 0)
        counts[room.pk] = (
            Message.objects.filter(room=room, id__gt=after)
            .exclude(author=user)
            .values("id")[:cap]
            .count()
        )
    return counts


def last_read_message_id(*, user: User, room: Room) -> int:
    marker = ReadMarker.objects.filter(user=user, room=room).values_list(
        "last_read_message_id", flat=True
    )
    return marker.first() or 0


def _messages_with_authors() -> QuerySet[Message]:
    return with_role_flags(Message.objects.select_related("author", "room"), user_field="author")


def _payload_for(message: Message, viewer: User) -> dict[str, Any]:
    adopt_role_flags(message.author, message, user_field="author")
    payload = message_payload(message)
    return payload if is_moderator(viewer) else redact_for_public(payload)


@dataclass(frozen=True)
class HistoryPage:
    messages: list[dict[str, Any]]
    has_more: bool
    # Ids of the page's messages the viewer has thanked (thanks are once per person).
    thanked: list[int]


def live_window_start(*, room: Room, now: datetime) -> datetime | None:
    """Where a help room's live view begins: midnight (in the current time zone) of the
    first of its last LIVECHAT_LIVE_DAYS days, today included. Earlier days are in the
    room's archive (helpdesk.archive). None for other rooms, whose whole history stays
    live, and when LIVECHAT_LIVE_DAYS is 0."""
    days = settings.LIVECHAT_LIVE_DAYS
    if days <= 0 or room.slug not in settings.LIVECHAT_HELP_ROOMS:
        return None
    first_day = timezone.localdate(now) - timedelta(days=days - 1)
    return timezone.make_aware(datetime.combine(first_day, time.min))


def history_page(
    *,
    room: Room,
    viewer: User,
    before: int | None = None,
    limit: int | None = None,
    since: datetime | None = None,
) -> HistoryPage:
    """Messages older than ``before`` (newest first in the query, oldest first in the
    answer), and none written before ``since`` (the live window: live_window_start).
    Keyset pagination on (room, id): as fast at depth 1,000,000 as at the top."""
    size = limit or settings.LIVECHAT_HISTORY_PAGE_SIZE
    upper = before if before is not None else MAX_MESSAGE_ID
    where = ["(room_id, id) < (%s, %s)", "room_id >= %s"]
    params: list[Any] = [room.pk, upper, room.pk]
    if since is not None:
        # The window's first message, found through the (room_id, created_at, id)
        # index, bounds the scan in the same statement (no query of its own). Filtering
        # on created_at instead would walk the room's whole older history on the
        # window's last page, looking for rows that are not there. The row comparison
        # keeps the planner on the (room_id, id) index; with room_id equal, the plain
        # id bounds then start the backward scan at the cursor and stop it at the
        # window's first message (a lower bound written as a row comparison does not
        # stop a backward scan: measured in bench/archive_search_bench.py, 30-50 ms
        # against 0.2 ms at 1M messages).
        window_start = (
            "id >= COALESCE((SELECT w.id FROM livechat_message w "
            "WHERE w.room_id = %s AND w.created_at >= %s "
            "ORDER BY w.created_at, w.id LIMIT 1), %s)"
        )
        where = ["(room_id, id) < (%s, %s)", "room_id = %s", "id < %s", window_start]
        bound = connection.ops.adapt_datetimefield_value(since)
        params = [room.pk, upper, room.pk, upper, room.pk, bound, MAX_MESSAGE_ID]
    # The page's ids first, as one range of the (room_id, id) index: above (room, -inf)
    # and below (room, before), newest first, so PostgreSQL starts a backward index-only
    # scan exactly at the cursor and stops after the page. The messages and their authors
    # are then joined for those ids only. Plainer forms were measured slower on a
    # 1M-message room (docs/benchmarks.md): `room_id = ? AND id < ?` let the planner walk
    # the primary key past every newer message of other rooms (25 ms), adding
    # `room_id = ?` to the row comparison started the scan at the room's first entry
    # (15 ms at depth), and joining authors in the same scan let a row misestimate sort
    # the whole room (18 ms).
    page_ids = (
        # Constant SQL, values as parameters.
        Message.objects.extra(
            # Unqualified: inside the IN subquery Django aliases the table.
            where=where,
            params=params,
        )
        .order_by("-room_id", "-id")
        .values("id")[: size + 1]
    )
    rows = list(_messages_with_authors().filter(pk__in=page_ids).order_by("-id"))
    has_more = len(rows) > size
    rows = rows[:size]
    rows.reverse()
    thanked = list(
        Thanks.objects.filter(user=viewer, message__in=[m.pk for m in rows])
        .order_by("message_id")
        .values_list("message_id", flat=True)
    )
    return HistoryPage(
        messages=[_payload_for(m, viewer) for m in rows], has_more=has_more, thanked=thanked
    )


@dataclass(frozen=True)
class EventsPage:
    events: list[dict[str, Any]]
    last_event_id: int
    has_more: bool


def events_after(*, room: Room, after: int, limit: int) -> tuple[list[RoomEvent], bool]:
    """Logged events with ids after ``after``, oldest first. Raises :class:`Resync` when
    some of them are gone (pruned) or when ``after`` lies in the room's future (a client
    that outlived a database restore)."""
    if after > room.last_event_id:
        # The room object may predate the newest commit: look again before refusing.
        room.refresh_from_db(fields=["last_event_id", "pruned_through_event_id"])
    if after < room.pruned_through_event_id or after > room.last_event_id:
        raise Resync(
            _("The events after this point are no longer available; load the history again.")
        )
    rows = list(
        RoomEvent.objects.filter(room=room, event_id__gt=after).order_by("event_id")[: limit + 1]
    )
    return refresh_visibility(rows[:limit]), len(rows) > limit


def events_page(*, room: Room, viewer: User, after: int, limit: int | None = None) -> EventsPage:
    """The polling fallback: only what changed after ``after``."""
    size = limit or settings.LIVECHAT_EVENTS_PAGE_SIZE
    rows, has_more = events_after(room=room, after=after, limit=size)
    moderator = is_moderator(viewer)
    events = [
        event_dict(event_id=e.event_id, kind=e.kind, payload=e.payload, moderator=moderator)
        for e in rows
    ]
    for event in events:
        del event["type"]
    last = rows[-1].event_id if rows else after
    return EventsPage(events=events, last_event_id=last, has_more=has_more)


def get_message(*, message_id: int) -> Message:
    message = _messages_with_authors().filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("Message %(id)d does not exist.") % {"id": message_id})
    return message


def message_for(*, message_id: int, viewer: User) -> dict[str, Any]:
    return _payload_for(get_message(message_id=message_id), viewer)


def revisions(*, message_id: int, viewer: User) -> list[dict[str, Any]]:
    message = get_message(message_id=message_id)
    if message.hidden and not is_moderator(viewer):
        # Hidden text, and every earlier version of it, is for moderators only.
        return []
    rows = MessageRevision.objects.filter(message=message).select_related("editor")
    return [
        {
            "number": r.number,
            "body": r.body,
            "html": r.html,
            "created_at": iso(r.created_at),
            "editor": {"id": r.editor_id, "username": r.editor.get_username()},
        }
        for r in rows.order_by("number")
    ]


# --- people and notifications ---------------------------------------------------------------

USER_SEARCH_LIMIT = 10
# How far back "people who wrote in this room recently" looks, in messages.
RECENT_WRITERS_WINDOW = 500


def _name_key() -> Any:
    """upper(username), in the C collation on PostgreSQL: its index (accounts 0003) then
    serves both the LIKE prefix and the ORDER BY, stopping after ten rows."""
    key = Upper("username")
    return Collate(key, "C") if connection.vendor == "postgresql" else key


def _users_with_prefix(prefix: str) -> QuerySet[User]:
    return (
        with_role_flags(User.objects.filter(is_active=True))
        .annotate(name_key=_name_key())
        .filter(name_key__startswith=prefix.upper())
        .order_by("name_key")
    )


def complete_usernames(
    *,
    prefix: str,
    room: Room | None,
    online: list[dict[str, Any]],
    limit: int = USER_SEARCH_LIMIT,
) -> list[dict[str, Any]]:
    """@mention completion: users whose name starts with ``prefix`` (any case): first the
    people online in the room, then its recent writers, then everyone else by name.
    At most three small indexed queries, whatever the number of users."""
    # What the composer holds after "@": "John_Sm" or "[John Sm" both ask for "John Sm".
    cleaned = " ".join(prefix.strip().lstrip("@").lstrip("[").replace("_", " ").split())
    if not cleaned:
        return []
    if len(cleaned) > USERNAME_MAX_LENGTH:
        raise Invalid(_("prefix is too long."), field="prefix")
    wanted = cleaned.upper()
    chosen: dict[int, dict[str, Any]] = {}
    for user in sorted(online, key=lambda u: u["username"].casefold()):
        if user["username"].upper().startswith(wanted):
            chosen.setdefault(
                user["id"], {**user, "mention": mention_form(user["username"]), "online": True}
            )
    if room is not None and len(chosen) < limit:
        recent = (
            Message.objects.filter(room=room)
            .order_by("-id")
            .values("author_id")[:RECENT_WRITERS_WINDOW]
        )
        for user in _users_with_prefix(cleaned).filter(pk__in=recent)[:limit]:
            chosen.setdefault(user.pk, _completion(user))
    if len(chosen) < limit:
        for user in _users_with_prefix(cleaned)[: limit + len(chosen)]:
            chosen.setdefault(user.pk, _completion(user))
    return list(chosen.values())[:limit]


def _completion(user: User) -> dict[str, Any]:
    adopt_role_flags(user, user)
    # The text the page inserts: it always reads back as this user (accounts.usernames).
    return {**public_user(user), "mention": mention_form(user.username), "online": False}


def notifications_page(*, user: User, before: int | None, limit: int) -> dict[str, Any]:
    queryset = Notification.objects.filter(recipient=user).select_related(
        "actor", "message", "message__room"
    )
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.order_by("-id")[: limit + 1])
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {
        "notifications": [notification_payload(n) for n in rows[:limit]],
        "unread_count": unread,
        "has_more": len(rows) > limit,
    }
