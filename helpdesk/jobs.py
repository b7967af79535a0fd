"""The help desk's timers (docs/jobs.md): each a thin handler around one action, which
re-checks the question's state, so that a timer run twice changes nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from core.errors import NotFound
from timers.api import register_handler

from . import actions
from .models import Question

Step = Question.Step


def _handler(action: Callable[..., Any], **options: Any) -> Callable[..., None]:
    """A timer handler running ``action`` on the timer's question. A question that is gone
    (its room was deleted) leaves nothing to do, rather than a timer retried for days."""

    def run(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        try:
            action(question_id=int(payload["question"]), now=now, **options)
        except NotFound:
            return

    return run


HANDLERS: dict[str, Callable[..., None]] = {
    "everyone": _handler(partial(actions.escalate, step=Step.EVERYONE)),
    "feed": _handler(partial(actions.escalate, step=Step.FEED)),
    "handoff": _handler(partial(actions.escalate, step=Step.HANDOFF)),
    "claim": _handler(actions.lapse_claim),
    "claim-offline": _handler(actions.lapse_claim, offline=True),
    "stale": _handler(actions.mark_stale),
    "reminder": _handler(actions.remind_asker),
}


def register() -> None:
    for purpose, handler in HANDLERS.items():
        register_handler(f"helpdesk.{purpose}", handler)
