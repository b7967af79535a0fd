"""One subscription per room per process: the room fan-out (docs/architecture.md "Fan-out").

Each socket used to be a member of its room's channel-layer group, so an event crossed the
layer once per socket: a queue put, a consumer dispatch and an ASGI ``send`` coroutine for
every socket and every event (0.2–0.6 ms of CPU a delivery; docs/benchmarks.md). Now the
process joins a room's group once, with one channel of its own, while it has a socket in
the room. :class:`RoomFanout` receives each event once, prepares its frames once (the
public one and, when it differs, the moderators'), and offers them to every local socket of
the room. A socket writes the frame straight to its connection when it is the next event
for it (core.wsprotocol's direct write); anything else — a gap to fill, a ``resume`` in
progress, a peer whose buffer is full, a server without the direct write — goes to the
socket's own queue, drained in order by its own task (RoomConsumer).

The room keeps its own cursor too. When an event arrives past a gap (the layer dropped one,
or two processes published in swapped order), the missing events are read from the log
*once* for the room and offered first, instead of once per socket; the late original is
then dropped as already offered.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings

from core import clock, metrics
from core.dbthreads import on_db_thread
from core.errors import Resync
from core.outage import is_outage, log_outage
from core.wsframes import PreparedFrame

from . import selectors
from .broadcast import room_group
from .events import EventFrames
from .models import Room

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """An event's frames, prepared once for every socket of the room in this process."""

    event_id: int
    public: PreparedFrame
    moderator: PreparedFrame | None

    @classmethod
    def of(cls, frames: EventFrames) -> PreparedEvent:
        return cls(
            event_id=frames.event_id,
            public=PreparedFrame(frames.public),
            moderator=PreparedFrame(frames.moderator) if frames.moderator else None,
        )

    def for_viewer(self, *, moderator: bool) -> PreparedFrame:
        return self.moderator if moderator and self.moderator is not None else self.public


class Subscriber(Protocol):
    """A socket of the room in this process (RoomConsumer)."""

    user_id: int

    # Each returns True when the frame was written at once (not queued, not dropped).
    def offer_event(self, event: PreparedEvent) -> bool: ...

    def offer_frame(self, frame: PreparedFrame) -> bool: ...


@dataclass(eq=False)
class LocalRoom:
    room: Room
    sockets: set[Subscriber] = field(default_factory=set)
    # Serialises joining and leaving the room's group.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    subscribed: bool = False
    # The newest event id offered to the sockets, in order; None before the first.
    offered: int | None = None
    # Events that arrived while a gap is being read from the log, in arrival order.
    backlog: deque[PreparedEvent] = field(default_factory=deque)
    filling: bool = False
    # Presence: when the last list went out, and the newest list held back since.
    presence_sent_at: datetime | None = None
    presence_held: str | None = None


class RoomFanout:
    """The process's (more exactly, the event loop's) room subscriptions."""

    def __init__(
        self,
        layer: Any,
        *,
        schedule: Callable[[float, Callable[[], None]], object] | None = None,
    ) -> None:
        self.layer = layer
        # Runs a callback after a delay in seconds (the loop's call_later; tests pass
        # their own and fire it themselves).
        self.schedule = schedule or (
            lambda delay, callback: asyncio.get_running_loop().call_later(delay, callback)
        )
        self.rooms: dict[int, LocalRoom] = {}
        self.channel: str | None = None
        self.receiver: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    # -- sockets --------------------------------------------------------------------------

    async def join(self, room: Room, socket: Subscriber) -> None:
        """Deliver the room's events to ``socket`` from now on. Returns once the process
        is subscribed, so an event committed after the caller's next read arrives live."""
        local = self.rooms.get(room.pk)
        if local is None:
            # Its own copy: the gap fill refreshes it on a database thread.
            local = self.rooms[room.pk] = LocalRoom(room=copy.copy(room))
        local.sockets.add(socket)
        if self.channel is None:
            self.channel = await self.layer.new_channel("fanout.")
        if self.receiver is None or self.receiver.done():
            self.receiver = asyncio.create_task(self.receive())
        async with local.lock:
            # Every time, not only the first: the core Redis layer forgets a group's
            # members after its group_expiry (a day); adding again renews it.
            await self.layer.group_add(room_group(room.pk), self.channel)
            local.subscribed = True

    async def leave(self, room_id: int, socket: Subscriber) -> None:
        local = self.rooms.get(room_id)
        if local is None:
            return
        local.sockets.discard(socket)
        async with local.lock:
            if local.sockets or not local.subscribed:
                return
            # The room stays in ``rooms`` (its lock must outlive this, or a join racing
            # with the discard below could subscribe before it and be unsubscribed by
            # it); only its cursor is forgotten, since events go unseen from now on.
            local.subscribed = False
            local.offered = None
            if self.channel is not None:
                await self.layer.group_discard(room_group(room_id), self.channel)

    # -- the layer ------------------------------------------------------------------------

    async def receive(self) -> None:
        assert self.channel is not None
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # The layer reconnects by itself; events published meanwhile are lost
                # and come back through the rooms' gap fills and the sockets' catch-up.
                if is_outage(error):
                    log_outage(error, "room fan-out")
                else:
                    logger.exception("room fan-out: receiving failed")
                failures += 1
                await asyncio.sleep(min(5.0, 0.1 * 2**failures))
                continue
            failures = 0
            try:
                self.dispatch(message)
            except Exception:
                logger.exception("room fan-out: dispatching %r failed", message.get("type"))

    def dispatch(self, message: dict[str, Any]) -> None:
        local = self.rooms.get(message.get("room_id", -1))
        if local is None or not local.sockets:
            return  # the last socket left while the message was on its way
        kind = message["type"]
        if kind == "room.event":
            self.arrived(
                local,
                PreparedEvent.of(
                    EventFrames(
                        event_id=message["event_id"],
                        public=message["public"],
                        moderator=message["moderator"],
                    )
                ),
            )
        elif kind == "room.presence":
            self.presence(local, message["frame"])
        elif kind == "room.typing":
            frame = PreparedFrame(message["frame"])
            written = 0
            for socket in list(local.sockets):
                if socket.user_id != message["user_id"]:
                    written += socket.offer_frame(frame)
            counted(written)

    # -- presence -------------------------------------------------------------------------

    def presence(self, local: LocalRoom, text: str) -> None:
        """Every join and leave publishes the room's whole online list, so a room of n
        sockets filling up (or emptying: a restart) costs n lists to each of n sockets.
        A room gets at most one list per LIVECHAT_PRESENCE_COALESCE_MS: one arriving
        sooner is held, and the newest held list goes out when the interval ends. The
        lists themselves are unchanged; only their number is bounded."""
        window = timedelta(milliseconds=settings.LIVECHAT_PRESENCE_COALESCE_MS)
        now = clock.now()
        if local.presence_held is None and (
            local.presence_sent_at is None or now - local.presence_sent_at >= window
        ):
            self.send_presence(local, text, now)
            return
        if local.presence_held is None:
            assert local.presence_sent_at is not None
            wait = (local.presence_sent_at + window - now).total_seconds()
            self.schedule(max(0.0, wait), lambda: self.release_presence(local))
        local.presence_held = text

    def release_presence(self, local: LocalRoom) -> None:
        text, local.presence_held = local.presence_held, None
        if text is not None:
            self.send_presence(local, text, clock.now())

    def send_presence(self, local: LocalRoom, text: str, now: datetime) -> None:
        local.presence_sent_at = now
        frame = PreparedFrame(text)
        counted(sum(socket.offer_frame(frame) for socket in list(local.sockets)))

    # -- events in order ------------------------------------------------------------------

    def arrived(self, local: LocalRoom, event: PreparedEvent) -> None:
        if local.filling:
            local.backlog.append(event)
            return
        if local.offered is not None and event.event_id > local.offered + 1:
            missing = range(local.offered + 1, event.event_id)
            if len(missing) <= settings.LIVECHAT_RESUME_MAX_EVENTS:
                local.filling = True
                local.backlog.append(event)
                self.spawn(self.fill(local, missing))
                return
            # Too many to replay: each socket sends its client a `resync` (no read).
        self.offer(local, event)

    def offer(self, local: LocalRoom, event: PreparedEvent) -> None:
        if local.offered is not None and event.event_id <= local.offered:
            return  # offered already, from the log (a swapped or repeated publish)
        local.offered = event.event_id
        counted(sum(socket.offer_event(event) for socket in list(local.sockets)))

    async def fill(self, local: LocalRoom, missing: range) -> None:
        """Offer the events of ``missing`` from the log, then what arrived meanwhile."""
        metrics.GAPS_FILLED.inc()
        try:
            events, _more = await on_db_thread(selectors.events_after)(
                room=local.room, after=missing[0] - 1, limit=len(missing)
            )
            for event in events:
                self.offer(local, PreparedEvent.of(EventFrames.of(event)))
        except Exception as error:
            # Not read: each socket sees the gap and fills it (or closes "try again
            # later", or sends a resync) on its own, as before this fan-out existed.
            if isinstance(error, Resync):
                pass
            elif is_outage(error):
                log_outage(error, "room fan-out gap fill")
            else:
                logger.exception("room fan-out: filling a gap failed")
        finally:
            local.filling = False
            backlog, local.backlog = local.backlog, deque()
            while backlog:
                self.arrived(local, backlog.popleft())
                if local.filling:  # another gap: the rest waits behind it
                    local.backlog.extend(backlog)
                    break

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settled(self) -> None:
        """Wait for the gap fills in flight (tests)."""
        while self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    async def close(self) -> None:
        for task in [*self.tasks, *([self.receiver] if self.receiver else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def counted(written: int) -> None:
    """Frames written directly: the ASGI send that counts the others never saw them."""
    if written:
        metrics.DELIVERIES.inc(written)


# One fan-out per event loop (a server has one; each test has its own) and channel layer.
_fanouts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomFanout] = (
    weakref.WeakKeyDictionary()
)


def fanout_for(layer: Any) -> RoomFanout:
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is None or fanout.layer is not layer:
        if fanout is not None and fanout.receiver is not None:
            fanout.receiver.cancel()  # the settings changed the layer (tests)
        fanout = _fanouts[loop] = RoomFanout(layer)
    return fanout
