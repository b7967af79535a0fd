"""Which email a notification joins: one email per recipient and group, gathering what
arrives until the group has been quiet for a while.

By default a group is a conversation: the room and the thread root (the message replied
to, or the message itself). The help desk knows better which notifications belong to one
question and registers a function that says so; the first function that answers (not
``None``) decides.
"""

from __future__ import annotations

from collections.abc import Callable

from livechat.models import Notification

Grouping = Callable[[Notification], "str | None"]
_groupings: list[Grouping] = []


def register_grouping(grouping: Grouping) -> None:
    """Add ``grouping(notification) -> str | None``, asked before the default. It runs in
    the transaction that creates the notification, so it may read that transaction's
    rows; keep its answer short (it is part of a timer key, at most 200 characters)."""
    if grouping not in _groupings:
        _groupings.append(grouping)


def default_group(notification: Notification) -> str:
    message = notification.message
    root = message.reply_to_id or message.pk
    return f"room:{notification.room_id}:thread:{root}"


def group_of(notification: Notification) -> str:
    for grouping in _groupings:
        group = grouping(notification)
        if group is not None:
            return group
    return default_group(notification)
