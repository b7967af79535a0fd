"""Moderation writes: blocks, hiding, reports. Each records itself in the moderation log,
in the same transaction as the change it records."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_moderator
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.params import parse_id
from livechat import actions as chat
from livechat.actions import Change
from livechat.guard import WriteAttempt, check_write
from livechat.models import Message, Room

from . import blocklist
from .models import Block, ModerationLog, Report

REASON_MAX_LENGTH = 1000


def clean_reason(reason: object, *, required: bool = True) -> str:
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise Invalid("The reason must be text.")
    text = reason.strip()
    if required and not text:
        raise Invalid("Give a reason: it is shown to the person and kept in the log.")
    if len(text) > REASON_MAX_LENGTH:
        raise Invalid(f"The reason is longer than {REASON_MAX_LENGTH} characters.")
    return text


def require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise Forbidden("Only moderators can do this.")


def log(
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    target_user: User | None = None,
    message: Message | None = None,
    **details: Any,
) -> ModerationLog:
    return ModerationLog.objects.create(
        actor=actor,
        action=action,
        reason=reason,
        target_user=target_user,
        message=message,
        details=details,
    )


# --- blocks --------------------------------------------------------------------------------


def place_block(
    *,
    moderator: User | None,
    user: User,
    reason: object,
    rooms: list[Room] | None = None,
    duration: timedelta | None = None,
    expires_at: datetime | None = None,
    by_filter: str | None = None,
) -> Block:
    """Block ``user`` from writing: site-wide, or only in ``rooms`` (a partial block);
    until ``expires_at`` (or for ``duration``), or indefinitely. ``moderator`` is None
    when an abuse filter places the block (``by_filter`` names it)."""
    if moderator is not None:
        require_moderator(moderator)
    text = clean_reason(reason)
    if duration is not None and expires_at is not None:
        raise Invalid("Give a duration or an expiry date, not both.")
    now = timezone.now()
    if duration is not None:
        if duration <= timedelta(0):
            raise Invalid("The duration must be positive.")
        expires_at = now + duration
    if expires_at is not None and expires_at <= now:
        raise Invalid("The expiry must be in the future.")
    if rooms is not None and not rooms:
        raise Invalid("A partial block needs at least one room.")
    scope = Block.Scope.ROOMS if rooms else Block.Scope.SITE
    with transaction.atomic():
        block = Block.objects.create(
            user=user,
            scope=scope,
            reason=text,
            expires_at=expires_at,
            created_by=moderator,
            created_at=now,
        )
        if rooms:
            block.rooms.set(rooms)
        log(
            actor=moderator,
            action=ModerationLog.Action.BLOCK,
            reason=text,
            target_user=user,
            block_id=block.pk,
            scope=scope,
            rooms=[room.slug for room in rooms or []],
            expires_at=expires_at.isoformat() if expires_at else None,
            by_filter=by_filter,
        )
        _forget_blocks(user.pk)
    return block


def lift_block(*, moderator: User, block: Block, reason: object) -> Block:
    require_moderator(moderator)
    text = clean_reason(reason)
    with transaction.atomic():
        locked = Block.objects.select_for_update().get(pk=block.pk)
        if locked.lifted_at is not None:
            raise Conflict("This block was already lifted.")
        locked.lifted_at = timezone.now()
        locked.lifted_by = moderator
        locked.lift_reason = text
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        log(
            actor=moderator,
            action=ModerationLog.Action.UNBLOCK,
            reason=text,
            target_user=locked.user,
            block_id=locked.pk,
        )
        _forget_blocks(locked.user_id)
    return locked


def _forget_blocks(user_id: int) -> None:
    # Now, for this process's next read, and again after commit, in case another process
    # re-read the old state from the database in between.
    blocklist.forget(user_id)
    transaction.on_commit(lambda: blocklist.forget(user_id))


# --- hiding --------------------------------------------------------------------------------


def hide_message(
    *,
    moderator: User,
    message_id: object,
    reason: object,
    hidden: bool = True,
    room: Room | None = None,
) -> Change:
    """Hide (or unhide) a message, with the reason in the moderation log. The change goes
    out live as `message.hidden` / `message.unhidden`."""
    require_moderator(moderator)
    text = clean_reason(reason)
    with transaction.atomic():
        change = chat.set_hidden(user=moderator, message_id=message_id, hidden=hidden, room=room)
        log(
            actor=moderator,
            action=ModerationLog.Action.HIDE if hidden else ModerationLog.Action.UNHIDE,
            reason=text,
            target_user=change.message.author,
            message=change.message,
        )
    return change


# --- reports -------------------------------------------------------------------------------


def report_message(
    *, user: User, message_id: object, reason: object, room: Room | None = None
) -> Report:
    """Anyone who can write may report a message once (while their report is open)."""
    pk = parse_id(message_id, field="message_id")
    text = clean_reason(reason)
    queryset = Message.objects.select_related("room")
    if room is not None:
        queryset = queryset.filter(room=room)
    message = queryset.filter(pk=pk).first()
    if message is None:
        raise NotFound(f"Message {pk} does not exist in this room.")
    check_write(
        WriteAttempt(user=user, room=message.room, action="report", message=message, text=text)
    )
    try:
        with transaction.atomic():
            return Report.objects.create(message=message, reporter=user, reason=text)
    except IntegrityError:
        raise Conflict(
            "You have already reported this message; moderators will look at it."
        ) from None


def resolve_report(*, moderator: User, report: Report, outcome: str, note: object = "") -> Report:
    require_moderator(moderator)
    if outcome not in Report.Outcome.values:
        raise Invalid(
            f"Unknown outcome {outcome!r}; use one of {', '.join(Report.Outcome.values)}."
        )
    text = clean_reason(note, required=False)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status == Report.Status.RESOLVED:
            raise Conflict("This report was already resolved.")
        locked.status = Report.Status.RESOLVED
        locked.outcome = outcome
        locked.resolved_by = moderator
        locked.resolved_at = timezone.now()
        locked.resolution_note = text
        locked.save()
        log(
            actor=moderator,
            action=ModerationLog.Action.REPORT_RESOLVE,
            reason=text,
            target_user=locked.message.author,
            message=locked.message,
            report_id=locked.pk,
            outcome=outcome,
        )
    return locked
