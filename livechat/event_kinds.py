"""The chat's own event kinds: every change of a message travels as ``"message": {...}``
(docs/api.md). Registered from ``LivechatConfig.ready()``."""

from __future__ import annotations

from typing import Final

from .events import Payload, Subject, register_subject
from .models import Message
from .payloads import redact_for_public

MESSAGE_CREATED: Final = "message.created"
MESSAGE_EDITED: Final = "message.edited"
MESSAGE_HIDDEN: Final = "message.hidden"
MESSAGE_UNHIDDEN: Final = "message.unhidden"
REACTION_CHANGED: Final = "reaction.changed"


def mark_hidden_since(payloads: list[Payload]) -> None:
    """Replaying an old ``message.created`` must never show a non-moderator the text of
    a message a moderator has hidden since: mark those hidden, in one query."""
    shown = {payload["id"] for payload in payloads if not payload.get("hidden")}
    if not shown:
        return
    hidden = set(Message.objects.filter(pk__in=shown, hidden=True).values_list("pk", flat=True))
    for payload in payloads:
        if payload["id"] in hidden:
            payload["hidden"] = True


MESSAGE = Subject(name="message", public=redact_for_public, refresh=mark_hidden_since)

register_subject(
    MESSAGE,
    kinds=[MESSAGE_CREATED, MESSAGE_EDITED, MESSAGE_HIDDEN, MESSAGE_UNHIDDEN, REACTION_CHANGED],
)
