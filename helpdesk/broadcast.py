"""Every question change, for the helpers' queue: one channel-layer group that each
/ws/helpdesk/ socket joins (helpdesk.consumers). Sent after commit, like every frame:
a queue must never show a change that could still roll back.

The frame is serialised once here, not once per socket. It carries no event id: the
queue API is the truth, and a page refetches it whenever its socket (re)connects, so a
frame the layer drops costs at most one stale row until the next change or reconnect.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from livechat.events import dumps

logger = logging.getLogger(__name__)

HELPDESK_GROUP = "helpdesk"


def question_frame(*, kind: str, question: dict[str, Any]) -> str:
    return dumps({"type": "question.changed", "kind": kind, "question": question})


def _send(message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(HELPDESK_GROUP, message)
    except Exception:
        # The change is committed and in its room's log; the queue catches up on the
        # next change or reconnect. Publishing must not turn a write into an error.
        logger.exception("publishing to the helpers' queue failed")


def publish_question_on_commit(*, kind: str, question: dict[str, Any]) -> None:
    message = {"type": "question.changed", "frame": question_frame(kind=kind, question=question)}
    transaction.on_commit(lambda: _send(message))
