"""Publishing to the channel layer. Only called after commit: a frame never announces a
change that could still roll back."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING, Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from core import metrics

if TYPE_CHECKING:
    from .events import EventFrames

logger = logging.getLogger(__name__)


def room_group(room_id: int) -> str:
    return f"room-{room_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop that handed this thread its work (a socket's frame on a
    database thread, an HTTP view on Channels' thread), if there is one."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != (
        os.getpid()
    ):
        return None
    if loop.is_closed() or not loop.is_running() or asyncio._get_running_loop() is loop:
        return None
    return loop


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send to a channel-layer group, logging (never raising) a failure: called after
    commit, when the change is already safe in the database."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = _calling_loop()
        if loop is not None:
            # What async_to_sync does, without its per-call machinery (a new executor
            # context and task for every publish: measured 7% of a busy process's time).
            # The thread still waits, so one thread's publishes keep their order.
            asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).result()
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:
        # The change is committed and in the event log; a client that misses this frame
        # notices the gap in event ids (or reconnects) and fetches it. Publishing must
        # not turn a successful write into an error.
        metrics.PUBLISH_FAILURES.inc()
        logger.exception("publishing to %s failed", group)


def publish_event_on_commit(room_id: int, frames: EventFrames) -> None:
    message = {
        "type": "room.event",
        # The room's fan-out in each process (livechat.fanout) finds its sockets by it.
        "room_id": room_id,
        "event_id": frames.event_id,
        "public": frames.public,
        "moderator": frames.moderator,
    }
    transaction.on_commit(lambda: group_send(room_group(room_id), message))


def publish_to_user_on_commit(user_id: int, frame: str) -> None:
    """A frame for every open socket of one person (notifications, read markers)."""
    message = {"type": "user.frame", "frame": frame}
    transaction.on_commit(lambda: group_send(user_group(user_id), message))


def close_user_sockets_on_commit(user_id: int) -> None:
    """End every open socket of one person once the change commits (an account erased or
    deactivated: the socket was signed in as it was when it opened)."""
    message = {"type": "user.close"}
    transaction.on_commit(lambda: group_send(user_group(user_id), message))
