"""Every question change, for the helpers' queue: one channel-layer group that each
/ws/helpdesk/ socket joins (helpdesk.consumers). Sent after commit, like every frame:
a queue must never show a change that could still roll back.

The frame is serialised once here, not once per socket. It carries no event id: the
queue API is the truth, and a page refetches it whenever its socket (re)connects, so a
frame the layer drops costs at most one stale row until the next change or reconnect.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from livechat.broadcast import group_send
from livechat.events import dumps

HELPDESK_GROUP = "helpdesk"


def question_frame(*, kind: str, question: dict[str, Any]) -> str:
    return dumps({"type": "question.changed", "kind": kind, "question": question})


def publish_question_on_commit(*, kind: str, question: dict[str, Any]) -> None:
    message = {"type": "question.changed", "frame": question_frame(kind=kind, question=question)}
    # A failure is logged: the queue catches up on the next change or reconnect.
    transaction.on_commit(lambda: group_send(HELPDESK_GROUP, message))
