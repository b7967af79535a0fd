"""The wire format of a message (docs/api.md), built once per change."""

from __future__ import annotations

from typing import Any

from accounts.roles import public_user

from .models import Message


def iso(value: Any) -> str | None:
    """ISO 8601 in UTC with a trailing Z, as every time on the wire."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def message_payload(message: Message) -> dict[str, Any]:
    """The whole message, as a moderator sees it. Callers that show it to others pass it
    through :func:`redact_for_public` (hidden text is for moderators only)."""
    return {
        "id": message.pk,
        "room": message.room.slug,
        "author": public_user(message.author),
        "body": message.body,
        "html": message.html,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "revision": message.revision,
        "hidden": message.hidden,
        "reply_to": message.reply_to_id,
        "client_id": message.client_id,
        "reactions": message.reactions,
        "mentions": message.mentions,
    }


def redact_for_public(payload: dict[str, Any]) -> dict[str, Any]:
    """A hidden message keeps its id, author and times but loses its text."""
    if not payload.get("hidden"):
        return payload
    return {**payload, "body": "", "html": ""}
