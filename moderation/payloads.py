"""Moderation's wire objects: a report and a block as moderators see them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from accounts.models import User
from accounts.roles import adopt_role_flags, public_user, with_role_flags
from livechat.payloads import iso, message_payload

from .models import Block, Report


def _person(user: User | None) -> dict[str, object] | None:
    return None if user is None else public_user(user)


def report_payload(report: Report) -> dict[str, Any]:
    """A report as moderators see it: the whole message, hidden text included."""
    return {
        "id": report.pk,
        "status": report.status,
        "outcome": report.outcome or None,
        "reason": report.reason,
        "created_at": iso(report.created_at),
        "reporter": public_user(report.reporter),
        "message": message_payload(report.message),
        "resolved_by": _person(report.resolved_by),
        "resolved_at": iso(report.resolved_at),
        "note": report.resolution_note,
    }


def block_payload(block: Block, *, now: datetime | None = None) -> dict[str, Any]:
    """A block as moderators see it. ``created_by`` is null when an abuse filter placed
    it."""
    return {
        "id": block.pk,
        "user": public_user(block.user),
        "scope": block.scope,
        "rooms": sorted(room.slug for room in block.rooms.all()),
        "reason": block.reason,
        "status": block.status(now),
        "created_at": iso(block.created_at),
        "created_by": _person(block.created_by),
        "expires_at": iso(block.expires_at),
        "lifted_at": iso(block.lifted_at),
        "lifted_by": _person(block.lifted_by),
        "lift_reason": block.lift_reason,
    }


def load_roles(users: Iterable[User | None]) -> None:
    """Every user's roles in one query rather than one per user (public_user reads them)."""
    by_id: dict[int, list[User]] = {}
    for user in users:
        if user is not None:
            by_id.setdefault(user.pk, []).append(user)
    if not by_id:
        return
    for row in with_role_flags(User.objects.filter(pk__in=by_id)):
        for user in by_id[row.pk]:
            adopt_role_flags(user, row)
