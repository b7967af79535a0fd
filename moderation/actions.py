"""Moderation writes: blocks, hiding, reports. Each records itself in the moderation log,
in the same transaction as the change it records. The chat, the JSON API and the admin
call these same functions; none of them composes two writes on its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_moderator
from core import clock
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.params import parse_id
from livechat import actions as chat
from livechat.actions import Change
from livechat.guard import WriteAttempt, check_write
from livechat.models import Message, Room

from . import blocklist
from .models import Block, ModerationLog, Report

REASON_MAX_LENGTH = 1000


def clean_reason(reason: object, *, required: bool = True, field: str = "reason") -> str:
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise Invalid(_("The reason must be text."), field=field)
    text = reason.strip()
    if required and not text:
        raise Invalid(
            _("Give a reason: it is shown to the person and kept in the log."), field=field
        )
    if len(text) > REASON_MAX_LENGTH:
        raise Invalid(
            _("The reason is longer than %(limit)d characters.") % {"limit": REASON_MAX_LENGTH},
            field=field,
        )
    return text


def require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise Forbidden(_("Only moderators can do this."))


def user_named(name: str) -> User | None:
    """The user a moderator means by ``name``. Usernames are case-sensitive; another case
    is accepted only when it is unambiguous."""
    name = name.strip()
    user = User.objects.filter(username=name).first()
    if user is None:
        matches = list(User.objects.filter(username__iexact=name)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


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
        raise Invalid(_("Give a duration or an expiry date, not both."), field="expires_at")
    now = clock.now()
    if duration is not None:
        if duration <= timedelta(0):
            raise Invalid(_("The duration must be positive."), field="duration")
        expires_at = now + duration
    if expires_at is not None and expires_at <= now:
        raise Invalid(_("The expiry must be in the future."), field="expires_at")
    if rooms is not None and not rooms:
        raise Invalid(_("A partial block needs at least one room."), field="rooms")
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


def lift_block(*, moderator: User, block: Block | object, reason: object) -> Block:
    """Lift a block (``block``: the block, or its id as a client sent it)."""
    require_moderator(moderator)
    text = clean_reason(reason)
    with transaction.atomic():
        locked = _locked(Block, block, field="block_id", missing=_("Block %(id)s does not exist."))
        if locked.lifted_at is not None:
            raise Conflict(_("This block was already lifted."))
        locked.lifted_at = clock.now()
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


def _locked(model: type[Any], obj: object, *, field: str, missing: str) -> Any:
    """The row of ``obj`` (a model instance, or an id from a client) locked for update;
    NotFound with the ``missing`` sentence when there is none. Callers check permissions
    first, so that nobody learns from the answer which ids exist."""
    pk = obj.pk if isinstance(obj, model) else parse_id(obj, field=field)
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound(missing % {"id": pk})
    return row


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
        raise NotFound(chat.not_in_room(pk))
    check_write(
        WriteAttempt(user=user, room=message.room, action="report", message=message, text=text)
    )
    try:
        with transaction.atomic():
            return Report.objects.create(message=message, reporter=user, reason=text)
    except IntegrityError:
        raise Conflict(
            _("You have already reported this message; moderators will look at it.")
        ) from None


def resolve_report(
    *, moderator: User, report: Report | object, outcome: object, note: object = ""
) -> Report:
    """Close a report with an outcome and an optional note (``report``: the report, or
    its id as a client sent it). Only the outcome is recorded: hiding the message or
    blocking its author are :func:`hide_and_resolve` and :func:`block_and_resolve`."""
    require_moderator(moderator)
    if outcome not in Report.Outcome.values:
        raise Invalid(
            _("Unknown outcome %(outcome)s; use one of %(choices)s.")
            % {"outcome": repr(outcome), "choices": ", ".join(Report.Outcome.values)},
            field="outcome",
        )
    text = clean_reason(note, required=False, field="note")
    with transaction.atomic():
        locked = _open_report(report)
        locked.status = Report.Status.RESOLVED
        locked.outcome = outcome
        locked.resolved_by = moderator
        locked.resolved_at = clock.now()
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


def hide_and_resolve(*, moderator: User, report: Report | object, note: object) -> Report:
    """Hide the reported message (unless it is hidden already) and resolve the report as
    "hidden", the note being the reason shown to the message's author. Both or neither:
    a report resolved as "hidden" over a visible message would lie."""
    require_moderator(moderator)
    with transaction.atomic():
        locked = _open_report(report)
        hiding = not locked.message.hidden
        text = clean_reason(note, required=hiding, field="note")
        if hiding:
            hide_message(moderator=moderator, message_id=locked.message_id, reason=text)
        return resolve_report(
            moderator=moderator, report=locked, outcome=Report.Outcome.HIDDEN, note=text
        )


def block_and_resolve(
    *,
    moderator: User,
    report: Report | object,
    reason: object,
    user: User | None = None,
    rooms: list[Room] | None = None,
    duration: timedelta | None = None,
    expires_at: datetime | None = None,
) -> tuple[Block, Report]:
    """Block the reported message's author (or ``user``, when the moderator chose someone
    else) as :func:`place_block` does, and resolve the report as "blocked" with the
    reason as its note. One transaction: a report resolved as "blocked" without its block
    would lie, and a block placed over a report that someone else resolved meanwhile
    would be a second answer to one report."""
    require_moderator(moderator)
    with transaction.atomic():
        locked = _open_report(report)
        block = place_block(
            moderator=moderator,
            user=user if user is not None else locked.message.author,
            reason=reason,
            rooms=rooms,
            duration=duration,
            expires_at=expires_at,
        )
        resolved = resolve_report(
            moderator=moderator, report=locked, outcome=Report.Outcome.BLOCKED, note=block.reason
        )
    return block, resolved


def _open_report(report: Report | object) -> Report:
    locked: Report = _locked(
        Report, report, field="report_id", missing=_("Report %(id)s does not exist.")
    )
    if locked.status == Report.Status.RESOLVED:
        raise Conflict(_("This report was already resolved."))
    return locked
