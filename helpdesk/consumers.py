"""The helpers' socket, /ws/helpdesk/ (docs/helpdesk.md "The helpers' queue").

Mentors and moderators only. It forwards every question change (helpdesk.broadcast) as
a ``question.changed`` frame, keeps the helper counted as online while it is open, takes
the page's ``active`` pings, and answers ``question.claim`` / ``question.unclaim`` /
``question.resolve`` with the same actions the HTTP API calls. No event ids: on every
(re)connect the page refetches the queue, which is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.translation import gettext as _

from accounts.roles import is_helper, public_user
from core import clock
from core.errors import DomainError, Invalid
from livechat.consumers import LeanDispatch
from livechat.events import dumps
from livechat.frames import parse_frame
from livechat.presence import store

from . import actions
from .availability import record_activity
from .broadcast import HELPDESK_GROUP

logger = logging.getLogger(__name__)

QUESTION_ACTIONS: dict[str, Callable[..., actions.QuestionChange]] = {
    "question.claim": actions.claim_question,
    "question.unclaim": actions.unclaim_question,
    "question.resolve": actions.resolve_question,
}


def _ping(user_id: int) -> None:
    record_activity(user_id=user_id, now=clock.now())


def _socket_closed(user: Any) -> None:
    # The claims of a helper with no socket left lapse soon (the timer checks whether
    # another socket of theirs, a room or another tab, is still open).
    actions.claimer_left(user=user, now=clock.now())


class HelpdeskConsumer(LeanDispatch):
    # LeanDispatch, as RoomConsumer: forwarding a frame makes no database hop.

    # -- lifecycle -------------------------------------------------------------------------

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.heartbeat: asyncio.Task[None] | None = None
        self.joined = False
        if self.user is None or not self.user.is_authenticated:
            await self.close()
            return
        # The auth backend loaded the roles with the user; this only queries if it did not.
        if not await database_sync_to_async(is_helper)(self.user):
            await self.close()
            return
        await self.channel_layer.group_add(HELPDESK_GROUP, self.channel_name)
        self.joined = True
        await self.accept()
        await store().touch_socket(self.user.pk, self.channel_name)
        await self.send(text_data=dumps({"type": "hello", "user": public_user(self.user)}))
        self.heartbeat = asyncio.create_task(self.keep_presence())

    async def disconnect(self, code: int) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.heartbeat
        if not self.joined:
            return
        await self.channel_layer.group_discard(HELPDESK_GROUP, self.channel_name)
        try:
            await store().leave_socket(self.user.pk, self.channel_name)
        except Exception:
            logger.exception("presence update on disconnect failed")
        try:
            await database_sync_to_async(_socket_closed)(self.user)
        except Exception:
            logger.exception("scheduling the lapse of claims failed")

    async def keep_presence(self) -> None:
        """Keep this socket counted among the helper's open ones (it ages out otherwise)."""
        interval = settings.LIVECHAT_PRESENCE_TTL / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await store().touch_socket(self.user.pk, self.channel_name)
            except Exception:
                logger.exception("presence refresh failed")

    # -- client frames ---------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame: Any = None
        try:
            frame = parse_frame(text_data)
            await self.handle(frame)
        except DomainError as error:
            answers = {"question_id": frame["question_id"]} if _has_id(frame) else {}
            await self.send(text_data=dumps({"type": "error", **answers, **error.as_dict()}))

    async def handle(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "active":
            await database_sync_to_async(_ping)(self.user.pk)
            return
        action = QUESTION_ACTIONS.get(kind)
        if action is None:
            raise Invalid(_("Unknown frame type %(type)r.") % {"type": kind[:40]})
        change = await database_sync_to_async(action)(
            user=self.user, question_id=frame.get("question_id")
        )
        await self.send(text_data=dumps({"type": "question", "question": change.payload}))

    # -- channel-layer messages ------------------------------------------------------------

    async def question_changed(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["frame"])


def _has_id(frame: Any) -> bool:
    return isinstance(frame, dict) and "question_id" in frame


def register() -> None:
    """Add /ws/helpdesk/ to the socket routes (from the app's ready())."""
    from django.urls import path

    from livechat.routing import register_websocket_routes

    register_websocket_routes([path("ws/helpdesk/", HelpdeskConsumer.as_asgi())])
