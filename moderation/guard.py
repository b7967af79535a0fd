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
from django.utils.translation import gettext as _

from accounts.roles import is_unlimited
from core import clock, tz
from core.errors import Forbidden
from livechat.guard import Verdict, WriteAttempt
from livechat.payloads import iso
from moderation.errors import Blocked

from . import blocklist, ratelimit, wiki_blocks
from .filters import run_filters

# Writes that post new text into a room count against rate limits and slow mode.
RATE_LIMITED_ACTIONS = frozenset({"send"})


def check_write(attempt: WriteAttempt) -> Verdict | None:
    user = attempt.user
    if not user.is_authenticated or not user.is_active:
        raise Forbidden(_("You need to be signed in to an active account to write here."))
    check_blocks(attempt)
    if attempt.action in RATE_LIMITED_ACTIONS and not exempt_from_limits(attempt):
        check_rate_limits(attempt)
    return run_filters(attempt)


def check_blocks(attempt: WriteAttempt) -> None:
    """The chat's own blocks first (its moderators' word), then the wiki's, for wiki
    accounts (moderation.wiki_blocks: cached, no request while fresh)."""
    block = blocklist.block_for(attempt.user.pk, attempt.room.pk)
    if block is not None:
        raise Blocked(
            block_sentence(block),
            reason=block.reason,
            expires_at=iso(block.expires_at),
            source="chat",
        )
    wiki_block = wiki_blocks.block_for(attempt.user)
    if wiki_block is not None:
        raise Blocked(
            wiki_block_sentence(wiki_block),
            reason=wiki_block.reason,
            expires_at=iso(wiki_block.expires_at),
            source="wiki",
        )


def blocked_among(user_ids: list[int], room_id: int) -> set[int]:
    """Those of ``user_ids`` blocked from writing in ``room_id`` now, by the chat or by
    the wiki (livechat.guard.blocked_among: the help desk's availability)."""
    return blocklist.blocked_among(user_ids, room_id) | wiki_blocks.blocked_among(user_ids)


def block_sentence(block: blocklist.ActiveBlock) -> str:
    """What a blocked person is told: one whole sentence per case, so each language can
    word it as it needs (no "where" and "until" pieces glued together)."""
    values = {"reason": block.reason}
    if block.expires_at is None:
        if block.site_wide:
            sentence = _(
                "You are blocked from writing anywhere in the chat indefinitely. Reason: %(reason)s"
            )
        else:
            sentence = _(
                "You are blocked from writing in this room indefinitely. Reason: %(reason)s"
            )
        return sentence % values
    values["until"] = date_format(timezone.localtime(block.expires_at), "DATETIME_FORMAT")
    # The reader's zone (core.tz) as Django writes it: "KST", "CET", "UTC"...
    values["zone"] = tz.abbreviation(block.expires_at)
    if block.site_wide:
        sentence = _(
            "You are blocked from writing anywhere in the chat until %(until)s %(zone)s. "
            "Reason: %(reason)s"
        )
    else:
        sentence = _(
            "You are blocked from writing in this room until %(until)s %(zone)s. Reason: %(reason)s"
        )
    return sentence % values


def wiki_block_sentence(block: wiki_blocks.WikiBlockHere) -> str:
    """What someone blocked on the wiki is told: that the block is the wiki's (the chat's
    moderators cannot lift it), why, and until when."""
    values = {"reason": block.reason}
    if block.expires_at is None:
        if block.site_wide:
            sentence = _(
                "You are blocked on the wiki indefinitely, so you cannot write in the chat "
                "either. Reason given on the wiki: %(reason)s"
            )
        else:
            sentence = _(
                "The wiki blocks you from editing its help desk indefinitely, so you cannot "
                "write in the chat either. Reason given on the wiki: %(reason)s"
            )
        return sentence % values
    values["until"] = date_format(timezone.localtime(block.expires_at), "DATETIME_FORMAT")
    # The reader's zone (core.tz) as Django writes it: "KST", "CET", "UTC"...
    values["zone"] = tz.abbreviation(block.expires_at)
    if block.site_wide:
        sentence = _(
            "You are blocked on the wiki until %(until)s %(zone)s, so you cannot write in the chat "
            "either. Reason given on the wiki: %(reason)s"
        )
    else:
        sentence = _(
            "The wiki blocks you from editing its help desk until %(until)s %(zone)s, so you "
            "cannot write in the chat either. Reason given on the wiki: %(reason)s"
        )
    return sentence % values


def exempt_from_limits(attempt: WriteAttempt) -> bool:
    return is_unlimited(attempt.user)


def check_rate_limits(attempt: WriteAttempt) -> None:
    user = attempt.user
    age = (clock.now() - user.date_joined).total_seconds()
    ratelimit.hit_slow_mode(
        user_id=user.pk, room_id=attempt.room.pk, seconds=attempt.room.slow_mode_seconds
    )
    ratelimit.hit_window(user_id=user.pk, limit=ratelimit.limit_for(account_age_seconds=age))
