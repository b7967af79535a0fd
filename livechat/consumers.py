"""The room socket, /ws/rooms/<slug>/ (docs/api.md).

Thin by design: parse a frame, hand it to its registered handler (livechat.frames: every
app registers its own) on a database thread (core.dbthreads), turn a domain error into an
`error` frame. Rules live in the actions, reads in selectors.py. The socket itself answers only
what needs its own state: `typing` (the channel layer) and `resume` (its cursor).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

try:  # the ASGI server's "the peer is gone" on a send (uvicorn; daphne never raises one)
    from uvicorn.protocols.utils import ClientDisconnected
except ImportError:  # pragma: no cover
    ClientDisconnected = OSError  # type: ignore[assignment,misc]

from accounts.roles import is_moderator, public_user
from core import i18n, metrics, tz
from core.dbthreads import on_db_thread
from core.errors import DomainError, Invalid, NotFound, Resync
from core.outage import is_outage, log_outage, unavailable
from core.params import require_cursor
from core.wsframes import PreparedFrame
from core.wsprotocol import DIRECT_WRITE

from . import selectors
from .broadcast import room_group, user_group
from .catchup import latest_event_id
from .delivery import EventCursor
from .events import EventFrames, dumps
from .fanout import PreparedEvent, fanout_for
from .frames import (
    Frame,
    FrameContext,
    connect_hooks,
    disconnect_hooks,
    handler_for,
    parse_frame,
)
from .models import Room
from .payloads import room_ref
from .presence import member_key, store

logger = logging.getLogger(__name__)

# Close codes sent before accept() refuse the handshake (HTTP 403 to the client).
CLOSE_ROOM_NOT_FOUND = 4404
# After an `unavailable` error frame, when the socket cannot go on without the database or
# Redis (its handshake, a resume, a gap to fill): "try again later" (RFC 6455). The client
# reconnects with its backoff and resumes from its last event id.
CLOSE_TRY_AGAIN_LATER = 1013
# The account the socket signed in as is gone (erased, deactivated): its sockets end, and a
# new handshake is refused like any anonymous one.
CLOSE_ACCOUNT_GONE = 4401

# What one socket's own queue holds at most, in characters of frame text (livechat.fanout:
# what could not be written at once; a peer that stopped reading is reset after
# LIVECHAT_WS_STALL_SECONDS). Past it, events are dropped and read again from the log when
# the socket catches up (its cursor has not moved); presence and typing frames are simply
# dropped. So a stalled socket costs at most this plus its write buffer.
OUTBOX_LIMIT_CHARS = 1_000_000
# An outbox entry: (event id, frame text); event id 0 for a presence or typing frame.
OutboxItem = tuple[int, str]


class LeanDispatch(AsyncWebsocketConsumer):
    """A consumer whose dispatch makes no database hop (the chat's sockets all are)."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' AsyncConsumer.dispatch awaits aclose_old_connections() — a hop onto the
        # single sync thread — before *every* handler, fan-out frames included; under load
        # that hop is most of a delivery's cost. These consumers touch the database only
        # through core.dbthreads (Channels' DatabaseSyncToAsync), which closes stale
        # connections itself, so the hop buys nothing here.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        # Every frame in the socket's language and time zone (core.i18n's and core.tz's
        # socket middlewares), its error details included; activated per frame, since
        # nothing else sets them here.
        with (
            i18n.override(self.scope.get("language") or settings.LANGUAGE_CODE),
            timezone.override(tz.zone(self.scope.get("time_zone") or settings.TIME_ZONE)),
        ):
            await handler(message)


class RoomConsumer(LeanDispatch):
    room: Room
    cursor: EventCursor
    closing = False
    # Set once the hello went out: from then on room frames may be written.
    ready = False
    user_id = 0
    # What the fan-out could not write at once, in order, and the task draining it.
    outbox: deque[OutboxItem] | None = None
    outbox_chars = 0
    drainer: asyncio.Task[None] | None = None
    # The server's direct write (core.wsprotocol), when it offers one.
    direct_write: Callable[[PreparedFrame], bool] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.heartbeat: asyncio.Task[None] | None = None
        self.presence_member: str | None = None
        self.accepted = False
        # Live events, resume and gap fills forward one at a time: the heartbeat's catch-up
        # runs beside the channel layer's messages.
        self.delivery_lock = asyncio.Lock()
        if self.user is None or not self.user.is_authenticated:
            await self.close()
            return
        self.user_id = self.user.pk
        extension = self.scope.get("extensions", {}).get(DIRECT_WRITE)
        if extension:
            self.direct_write = extension["write"]
        try:
            await self.join()
        except Exception as error:
            if not is_outage(error):
                raise
            # The database or Redis is down: say so, then close "try again later"; the
            # client's backoff brings it back and its resume fills in what it missed.
            log_outage(error, "socket connect")
            if hasattr(self, "fanout"):
                await self.leave_groups()
            self.presence_member = None
            if self.heartbeat is not None:
                self.heartbeat.cancel()
                self.heartbeat = None
            await self.give_up_for_now()

    async def join(self) -> None:
        try:
            room = await on_db_thread(selectors.get_room)(self.scope["url_route"]["kwargs"]["slug"])
        except NotFound:
            await self.close(code=CLOSE_ROOM_NOT_FOUND)
            return
        self.room = room
        self.context = FrameContext(user=self.user, room=room)
        self.moderator = is_moderator(self.user)
        self.me = public_user(self.user)
        self.group = room_group(room.pk)
        # Join the room's fan-out *before* reading the last event id: an event committed
        # after the read then arrives live, one committed before it is covered by
        # history/resume. Until the hello is out, what arrives waits in the outbox.
        self.fanout = fanout_for(self.channel_layer)
        await self.fanout.join(room, self)
        # The person's own group: notifications and read markers reach all their tabs.
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        await on_db_thread(selectors.refresh_event_cursor)(room)
        self.cursor = EventCursor(joined_at=room.last_event_id)
        await self.accept()
        self.accepted = True

        self.presence_member = member_key(self.channel_name, self.me)
        await store().touch(room.pk, self.presence_member)
        await store().touch_socket(self.user.pk, self.channel_name)
        online = await store().online(room.pk)
        await self.send_frame(
            {
                "type": "hello",
                "room": room_ref(room),
                "user": self.me,
                "last_event_id": room.last_event_id,
                "online": online,
            }
        )
        self.ready = True
        self.start_draining()
        self.heartbeat = asyncio.create_task(self.keep_presence())
        try:
            await self.broadcast_presence(online)
        except Exception as error:
            # The socket works once it said hello; telling the others is best effort (the
            # heartbeat keeps this socket in the list, and their next hello shows it).
            if not is_outage(error):
                raise
            log_outage(error, "presence on connect")
        # Apps that prepare for this person's writes (moderation: the wiki's blocks).
        # After the hello, so the page shows the room without waiting for them.
        for hook in connect_hooks():
            try:
                await on_db_thread(hook)(self.context)
            except Exception as error:
                if is_outage(error):
                    log_outage(error, f"socket-opened hook {hook.__qualname__}")
                else:
                    logger.exception("socket-opened hook %r failed", hook)

    async def disconnect(self, code: int) -> None:
        self.ready = False
        for task in (self.heartbeat, self.drainer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.presence_member is not None:
            # Leave the groups first: that must happen even if presence cannot be updated
            # (its entry then ages out within the TTL).
            await self.leave_groups()
            try:
                await store().leave(self.room.pk, self.presence_member)
                await store().leave_socket(self.user.pk, self.channel_name)
                await self.broadcast_presence(await store().online(self.room.pk))
            except Exception as error:
                if is_outage(error):
                    log_outage(error, "presence update on disconnect")
                else:
                    logger.exception("presence update on disconnect failed")
            # Apps that care when a person's socket closes (the help desk: a claim lapses
            # soon after the claimer's last socket is gone).
            for hook in disconnect_hooks():
                try:
                    await on_db_thread(hook)(self.context)
                except Exception as error:
                    if is_outage(error):
                        log_outage(error, f"socket-closed hook {hook.__qualname__}")
                    else:
                        logger.exception("socket-closed hook %r failed", hook)

    async def keep_presence(self) -> None:
        """Refresh this socket's presence and prune sockets that died without a goodbye."""
        interval = settings.LIVECHAT_PRESENCE_TTL / 3
        # The first beat at a random point of the interval: after a reconnect storm the
        # sockets' refreshes (and catch-up reads) spread out instead of coming together.
        await asyncio.sleep(interval * random.uniform(0.5, 1))
        while True:
            try:
                await store().touch(self.room.pk, self.presence_member or "")
                await store().touch_socket(self.user.pk, self.channel_name)
                if await store().prune(self.room.pk):
                    await self.broadcast_presence(await store().online(self.room.pk))
            except Exception as error:
                # Presence is best effort; a Redis hiccup must not kill the socket.
                if is_outage(error):
                    log_outage(error, "presence refresh")
                else:
                    logger.exception("presence refresh failed")
            await self.catch_up(max_age=interval / 2)
            await asyncio.sleep(interval)

    async def catch_up(self, *, max_age: float) -> None:
        """Forward events committed but never delivered live. A gap is normally noticed
        when the next event arrives; but events published while Redis restarted (or
        while this process' subscription was reconnecting) are lost, and if nothing is
        written after them no later event reveals the gap. The room's newest id is read
        at most once per room and process per ``max_age`` (livechat.catchup)."""
        try:
            latest = await latest_event_id(self.room.pk, max_age=max_age)
        except Exception as error:
            if not is_outage(error):
                raise
            log_outage(error, "catch-up")
            return
        async with self.delivery_lock:
            missing = range(self.cursor.delivered + 1, latest + 1)
            if missing:
                metrics.GAPS_FILLED.inc()
                await self.fill_gap_or_close(missing)

    async def broadcast_presence(self, online: list[dict[str, Any]]) -> None:
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "room.presence",
                "room_id": self.room.pk,
                "frame": dumps({"type": "presence", "online": online}),
            },
        )

    # -- client frames ---------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = parse_frame(text_data)
        except DomainError as error:
            await self.send_error(error)
            return
        try:
            await self.handle(frame)
        except DomainError as error:
            await self.send_error(error, answers=_answers(frame))
        except Exception as error:
            if not is_outage(error):
                raise
            # Nothing was refused: the database or Redis is down. The client keeps the
            # frame and sends it again (same client_id: never twice; docs/api.md).
            log_outage(error, f"frame {frame['type']}")
            await self.send_error(unavailable(), answers=_answers(frame))
            if frame["type"] == "resume":
                # The client waits for its missed events: reconnect and resume later.
                await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def handle(self, frame: Frame) -> None:
        kind = frame["type"]
        if kind == "typing":
            await self.on_typing()
            return
        if kind == "resume":
            after = require_cursor(frame.get("after_event_id"), field="after_event_id")
            async with self.delivery_lock:
                await self.replay(after)
            return
        handler = handler_for(kind)
        if handler is None:
            raise Invalid(_("Unknown frame type %(type)r.") % {"type": kind[:40]})
        started = time.perf_counter()
        # Under the delivery lock: the answer (an `ack`) goes out before the event it
        # announces, which the room's fan-out may have ready first; meanwhile this
        # socket's room frames wait in its outbox.
        async with self.delivery_lock:
            reply = await on_db_thread(handler)(self.context, frame)
            if reply is not None:
                await self.send_frame(reply)
        if kind == "message.send":
            metrics.SEND_LATENCY.observe(time.perf_counter() - started)

    async def on_typing(self) -> None:
        # Ephemeral: never logged, at most one per user per interval, and only to others.
        if await store().typing_allowed(self.room.pk, self.user.pk):
            await self.channel_layer.group_send(
                self.group,
                {
                    "type": "room.typing",
                    "room_id": self.room.pk,
                    "user_id": self.user.pk,
                    "frame": dumps({"type": "typing", "user": self.me}),
                },
            )

    async def replay(self, after: int) -> None:
        limit = settings.LIVECHAT_RESUME_MAX_EVENTS
        try:
            events, more = await on_db_thread(selectors.events_after)(
                room=self.room, after=after, limit=limit
            )
        except Resync:
            await self.send_frame({"type": "resync"})
            return
        if more:
            # Replaying thousands of events costs more than loading the latest history.
            await self.send_frame({"type": "resync"})
            if events:
                self.cursor.advance(events[-1].event_id)
            return
        for event in events:
            if self.cursor.needs_replay(event.event_id):
                await self.send(
                    text_data=EventFrames.of(event).for_viewer(moderator=self.moderator)
                )
            self.cursor.advance(event.event_id)

    # -- the room's fan-out (livechat.fanout) ----------------------------------------------

    def offer_event(self, event: PreparedEvent) -> bool:
        """An event of the room, offered by the fan-out: written at once (True) when it
        is the next one for this socket and nothing is ahead of it, else queued."""
        if self.closing:
            return False
        frame = event.for_viewer(moderator=self.moderator)
        if self.ready and not self.outbox and not self.delivery_lock.locked():
            if self.cursor.is_stale(event.event_id):
                return False
            if event.event_id == self.cursor.delivered + 1 and self.write_now(frame):
                self.cursor.advance(event.event_id)
                return True
        self.enqueue(event.event_id, frame.text)
        return False

    def offer_frame(self, frame: PreparedFrame) -> bool:
        """A presence or typing frame for the room."""
        if self.closing:
            return False
        if self.ready and not self.outbox and self.write_now(frame):
            return True
        self.enqueue(0, frame.text)
        return False

    def write_now(self, frame: PreparedFrame) -> bool:
        return self.direct_write is not None and self.direct_write(frame)

    def enqueue(self, event_id: int, text: str) -> None:
        # Only the text is kept (shared with the other sockets' copies), not the prepared
        # frame's encoded and framed bytes.
        if self.outbox is None:
            self.outbox = deque()
        if self.outbox_chars + len(text) > OUTBOX_LIMIT_CHARS and self.outbox:
            # A peer this far behind: the log has every event, and the cursor, which
            # has not moved, makes the next delivery fill them in from it.
            metrics.OUTBOX_DROPS.inc()
            return
        self.outbox.append((event_id, text))
        self.outbox_chars += len(text)
        self.start_draining()

    def start_draining(self) -> None:
        if self.ready and self.outbox and self.drainer is None:
            self.drainer = asyncio.create_task(self.drain())

    async def drain(self) -> None:
        """Forward the outbox in order, each item with an awaited send."""
        try:
            while self.outbox and not self.closing:
                event_id, text = self.outbox.popleft()
                self.outbox_chars -= len(text)
                async with self.delivery_lock:
                    if event_id:
                        await self.deliver(event_id, text)
                    else:
                        await self.send(text_data=text)
        except Exception:
            logger.exception("forwarding room frames failed")
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
        finally:
            self.drainer = None
            if self.closing and self.outbox:
                self.outbox.clear()
                self.outbox_chars = 0

    async def deliver(self, event_id: int, text: str) -> None:
        if self.cursor.is_stale(event_id):
            return  # already forwarded (live or by a gap fill)
        missing = self.cursor.gap_before(event_id)
        if missing:
            metrics.GAPS_FILLED.inc()
            if not await self.fill_gap_or_close(missing):
                return
        await self.send(text_data=text)
        self.cursor.advance(event_id)

    async def fill_gap_or_close(self, missing: range) -> bool:
        """fill_gap; False (and the socket closing "try again later") when the log cannot
        be read: forwarding what comes after the gap would break the order, and the
        client's resume after reconnecting fills it."""
        try:
            await self.fill_gap(missing)
        except Exception as error:
            if not is_outage(error):
                raise
            log_outage(error, "gap fill")
            await self.give_up_for_now()
            return False
        return True

    async def fill_gap(self, missing: range) -> None:
        """The layer dropped or reordered frames: forward the missing ones from the log."""
        if len(missing) > settings.LIVECHAT_RESUME_MAX_EVENTS:
            await self.send_frame({"type": "resync"})
            self.cursor.advance(missing[-1])
            return
        try:
            events, _ = await on_db_thread(selectors.events_after)(
                room=self.room, after=missing[0] - 1, limit=len(missing)
            )
        except Resync:
            await self.send_frame({"type": "resync"})
            self.cursor.advance(missing[-1])
            return
        for event in events:
            await self.send(text_data=EventFrames.of(event).for_viewer(moderator=self.moderator))
            self.cursor.advance(event.event_id)

    # -- channel-layer messages (the person's own group) ---------------------------------

    async def user_frame(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["frame"])

    async def user_close(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_ACCOUNT_GONE)

    # -- helpers ---------------------------------------------------------------------------

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        # Once this socket closed itself ("try again later"), frames still queued for it
        # (live events, answers to frames already received) have nowhere to go: the ASGI
        # server refuses a send after the close.
        if self.closing:
            return
        if text_data is not None and not close and self.write_now(PreparedFrame(text_data)):
            # Written at once, as uvicorn's send would have (core.wsprotocol), without the
            # ASGI send's coroutine through every middleware: acks, and frames drained
            # from the outbox, were 7 % of a send-bound process's CPU that way.
            metrics.DELIVERIES.inc()
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except ClientDisconnected:
            # The connection was lost while this frame waited (a peer that read nothing
            # is reset: core.wsprotocol). Not an error of this frame: `websocket.disconnect`
            # is queued and runs `disconnect` (presence, groups, heartbeat) next.
            self.closing = True

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if not self.closing:
            await super().close(code=code, reason=reason)
        self.closing = True

    async def send_frame(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "resync":
            metrics.RESYNCS.inc()
        await self.send(text_data=dumps(frame))

    async def send_error(self, error: DomainError, answers: dict[str, Any] | None = None) -> None:
        await self.send_frame({"type": "error", **error.as_dict(), **(answers or {})})

    async def give_up_for_now(self) -> None:
        """An `unavailable` error frame, then close "try again later"."""
        if not self.accepted:
            # A handshake refused outright would look like a 403 (signed out) to the page.
            await self.accept()
            self.accepted = True
        await self.send_error(
            unavailable(
                _(
                    "The chat cannot reach its database or its message service. "
                    "Reconnecting in a few seconds."
                )
            )
        )
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def leave_groups(self) -> None:
        try:
            await self.fanout.leave(self.room.pk, self)
        except Exception as error:
            if not is_outage(error):
                raise
            # The pub/sub layer forgets the channel's groups locally all the same.
            log_outage(error, "leaving the room's fan-out")
        try:
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        except Exception as error:
            if not is_outage(error):
                raise
            log_outage(error, "leaving groups")


def _answers(frame: dict[str, Any]) -> dict[str, Any]:
    """The client_id or message_id an error answers, so the client can match it up."""
    return {key: frame[key] for key in ("client_id", "message_id") if key in frame}
