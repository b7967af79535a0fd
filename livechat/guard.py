"""The one check every write passes before it persists.

The rules (blocks, abuse filters, rate limits) live in the moderation app, which installs
its guard here in its ``ready()`` (:func:`install_guard`): the dependency points one way
(moderation -> livechat) and livechat never names moderation. Without a guard installed,
writes are refused: a chat whose moderation failed to load must not run unguarded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

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
        """Return to allow; raise a :class:`core.errors.DomainError` to refuse."""


_installed: list[Guard] = []


def install_guard(guard: Guard) -> None:
    """Make ``guard`` the check of every write (once, from an app's ``ready()``)."""
    if _installed and _installed[0] is not guard:
        raise ImproperlyConfigured("A write guard is already installed.")
    _installed[:] = [guard]


def check_write(attempt: WriteAttempt) -> Verdict:
    if not _installed:
        raise ImproperlyConfigured("No write guard is installed; is moderation in INSTALLED_APPS?")
    return _installed[0](attempt) or ALLOW


# "Which of these people are blocked here?" without attempting a write: the help desk
# counts blocked helpers as unavailable. Installed by the app that owns blocks
# (moderation); with none installed, nobody is.
BlockedAmong = Callable[[list[int], int], set[int]]
_blocked_among: list[BlockedAmong] = []


def install_block_check(check: BlockedAmong) -> None:
    _blocked_among[:] = [check]


def blocked_among(user_ids: list[int], room_id: int) -> set[int]:
    return _blocked_among[0](user_ids, room_id) if _blocked_among and user_ids else set()
