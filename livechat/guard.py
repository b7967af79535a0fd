"""The one check every write passes before it persists.

The rules (blocks, abuse filters, rate limits) live in the moderation app; livechat reaches
them through ``settings.LIVECHAT_WRITE_GUARD``, resolved lazily, so that the dependency
points one way (moderation -> livechat) and stays visible in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Message, Room


@dataclass(frozen=True)
class WriteAttempt:
    """What is about to be written, as the guard sees it."""

    user: User
    room: Room
    action: str  # "send", "edit", "react", "report", ...
    text: str | None = None
    old_text: str | None = None
    message: Message | None = None


@dataclass(frozen=True)
class Verdict:
    """The guard's answer when it allows a write: review tags to store on the message."""

    tags: tuple[str, ...] = ()


ALLOW = Verdict()


class Guard(Protocol):
    def __call__(self, attempt: WriteAttempt) -> Verdict | None:
        """Return to allow; raise a :class:`livechat.errors.ChatError` to refuse."""


@cache
def _guard(path: str) -> Guard:
    return import_string(path)


def moderation() -> ModuleType:
    """The moderation actions (hide, report) that chat entry points offer to their users,
    reached the same way as the guard: by setting, so livechat never imports moderation."""
    return import_module(settings.LIVECHAT_MODERATION_ACTIONS)


def check_write(attempt: WriteAttempt) -> Verdict:
    return _guard(settings.LIVECHAT_WRITE_GUARD)(attempt) or ALLOW
