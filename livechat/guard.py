"""The one check every write passes before it persists.

The rules (blocks, abuse filters, rate limits) live in the moderation app; livechat reaches
them through ``settings.LIVECHAT_WRITE_GUARD``, resolved lazily, so that the dependency
points one way (moderation -> livechat) and stays visible in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
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
    action: str  # "send", "edit", "react", "read", ...
    text: str | None = None
    old_text: str | None = None
    message: Message | None = None


class Guard(Protocol):
    def __call__(self, attempt: WriteAttempt) -> None:
        """Return to allow; raise a :class:`livechat.errors.ChatError` to refuse."""


@cache
def _guard(path: str) -> Guard:
    return import_string(path)


def check_write(attempt: WriteAttempt) -> None:
    _guard(settings.LIVECHAT_WRITE_GUARD)(attempt)
