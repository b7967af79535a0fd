"""Shared steps of the help-desk tests."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync

from accounts.models import User
from core import clock
from helpdesk.availability import record_activity
from helpdesk.models import Question
from livechat import actions as chat
from livechat.models import Room
from livechat.presence import store
from timers.api import fire_due_timers

from ..conftest import fresh


def ask(user: User, room: Room, body: str = "How do I cite a source?", **kw: Any) -> Question:
    change = chat.send_message(user=fresh(user), room=room, body=body, **kw)
    return Question.objects.get(links__message=change.message)


def say(user: User, room: Room, body: str, **kw: Any) -> Any:
    return chat.send_message(user=fresh(user), room=room, body=body, **kw).message


def reply(helper: User, question: Question, body: str = "Use the cite button.") -> Any:
    return say(helper, question.room, body, reply_to=question.first_message_id)


def fire() -> int:
    return fire_due_timers(now=clock.now())


def online(user: User, channel: str | None = None, *, active: bool = True) -> None:
    """The person has a socket open (and, for a helper, was active just now)."""
    async_to_sync(store().touch_socket)(user.pk, channel or f"test-{user.pk}")
    if active:
        record_activity(user_id=user.pk, now=clock.now())


def offline(user: User, channel: str | None = None) -> None:
    async_to_sync(store().leave_socket)(user.pk, channel or f"test-{user.pk}")


def reload(question: Question) -> Question:
    return Question.objects.get(pk=question.pk)
