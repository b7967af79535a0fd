"""The help desk's timers (docs/jobs.md): each a thin handler around one action, which
re-checks the question's state, so that a timer run twice changes nothing twice. And the
refresh of roles from the wiki (mentors and their weights feed the help desk's draw)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings

from accounts import wiki_roles
from core.errors import NotFound
from timers.api import register_handler, register_startup, schedule, schedule_once
from wiki.client import configured_wiki

from . import actions
from .models import Question

Step = Question.Step

# One timer, re-armed by its own run every LIVECHAT_WIKI_ROLES_SECONDS.
WIKI_ROLES_KIND = "helpdesk.wiki-roles"
WIKI_ROLES_KEY = "wiki-roles"


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


def refresh_wiki_roles(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    """Roles from the wiki (docs/wiki.md "Roles"), then the next round. An unreachable
    wiki keeps what is stored and waits for the next round, rather than failing the timer
    into quick retries; without a wiki configured the timer stops."""
    wiki = configured_wiki()
    if wiki is None:
        return
    wiki_roles.refresh_wiki_roles(wiki=wiki)
    schedule(
        key=WIKI_ROLES_KEY,
        kind=WIKI_ROLES_KIND,
        due_at=now + timedelta(seconds=settings.LIVECHAT_WIKI_ROLES_SECONDS),
    )


def ensure_wiki_roles(now: datetime) -> bool:
    """Have the refresh scheduled (now) unless it is waiting already, when a wiki is
    configured; say whether this call scheduled it. Every starting timer worker calls it."""
    if configured_wiki() is None:
        return False
    return schedule_once(key=WIKI_ROLES_KEY, kind=WIKI_ROLES_KIND, due_at=now)


def register() -> None:
    for purpose, handler in HANDLERS.items():
        register_handler(f"helpdesk.{purpose}", handler)
    register_handler(WIKI_ROLES_KIND, refresh_wiki_roles)
    register_startup(ensure_wiki_roles)
