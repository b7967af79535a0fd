"""The moderation guard: every livechat write calls :func:`check_write` before it persists
(ModerationConfig.ready installs it into livechat.guard), whatever the entry point: socket,
JSON API, admin, management commands.

Order: the account, blocks (nobody is exempt), rate limits (mentors and moderators are),
abuse filters. A refusal raises a DomainError with a sentence for the person refused; it
persists nothing and broadcasts nothing.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import roles_of
from core.errors import Forbidden
from livechat.guard import Verdict, WriteAttempt
from moderation.errors import Blocked

from . import blocklist, ratelimit
from .filters import run_filters

# Writes that post new text into a room count against rate limits and slow mode.
RATE_LIMITED_ACTIONS = frozenset({"send"})


def check_write(attempt: WriteAttempt) -> Verdict | None:
    user = attempt.user
    if not user.is_authenticated or not user.is_active:
        raise Forbidden("You need to be signed in to an active account to write here.")
    check_blocks(attempt)
    if attempt.action in RATE_LIMITED_ACTIONS and not exempt_from_limits(attempt):
        check_rate_limits(attempt)
    return run_filters(attempt)


def check_blocks(attempt: WriteAttempt) -> None:
    block = blocklist.block_for(attempt.user.pk, attempt.room.pk)
    if block is None:
        return
    where = "anywhere in the chat" if block.site_wide else "in this room"
    until = (
        f"until {date_format(timezone.localtime(block.expires_at), 'DATETIME_FORMAT')} UTC"
        if block.expires_at
        else "indefinitely"
    )
    raise Blocked(
        f"You are blocked from writing {where} {until}. Reason: {block.reason}",
        reason=block.reason,
        expires_at=block.expires_at.isoformat().replace("+00:00", "Z")
        if block.expires_at
        else None,
    )


def exempt_from_limits(attempt: WriteAttempt) -> bool:
    return bool(set(roles_of(attempt.user)) & {"mentor", "moderator"}) or attempt.user.is_superuser


def check_rate_limits(attempt: WriteAttempt) -> None:
    user = attempt.user
    age = (timezone.now() - user.date_joined).total_seconds()
    ratelimit.hit_slow_mode(
        user_id=user.pk, room_id=attempt.room.pk, seconds=attempt.room.slow_mode_seconds
    )
    ratelimit.hit_window(user_id=user.pk, limit=ratelimit.limit_for(account_age_seconds=age))
