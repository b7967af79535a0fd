"""Rate limits: messages per user per window (stricter for new accounts), and per-room
slow mode. Counters live in the cache, which is Redis whenever ``REDIS_URL`` is set, so
every server process counts against the same budget.

The limiter never silently switches off: if its store fails, the write is refused (and
the failure logged) rather than let through uncounted.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock
from moderation.errors import RateLimited

from . import counters

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    count: int
    window: int  # seconds


def limit_for(*, account_age_seconds: float) -> Limit:
    if account_age_seconds < settings.LIVECHAT_NEW_ACCOUNT_SECONDS:
        return Limit(*settings.LIVECHAT_RATE_LIMIT_NEW)
    return Limit(*settings.LIVECHAT_RATE_LIMIT)


def _store_failed(error: Exception) -> RateLimited:
    logger.error("rate limiter store failed: %s", error)
    return RateLimited(
        _("Sending is paused for a moment; try again in a few seconds."), retry_after=5
    )


def _wait_sentence(wait: int) -> str:
    return ngettext("Wait %(wait)d second.", "Wait %(wait)d seconds.", wait) % {"wait": wait}


def hit_window(*, user_id: int, limit: Limit, now: float | None = None) -> None:
    """Count one write in the user's current fixed window; refuse past the limit. The
    window is read from the project's clock, so tests know how long is left of it."""
    now = clock.now().timestamp() if now is None else now
    window_start = int(now // limit.window) * limit.window
    key = f"moderation:rate:{user_id}:{limit.window}:{window_start}"
    try:
        count = counters.incr(key, ttl=limit.window + 1)
    except Exception as error:  # any store failure refuses, see module doc
        raise _store_failed(error) from error
    if count > limit.count:
        wait = max(1, math.ceil(window_start + limit.window - now))
        # Two whole sentences, each with its own number to agree with.
        too_fast = ngettext(
            "You are sending messages too fast: at most %(count)d every %(window)d second.",
            "You are sending messages too fast: at most %(count)d every %(window)d seconds.",
            limit.window,
        ) % {"count": limit.count, "window": limit.window}
        raise RateLimited(f"{too_fast} {_wait_sentence(wait)}", retry_after=wait)


def hit_slow_mode(*, user_id: int, room_id: int, seconds: int, now: float | None = None) -> None:
    """Slow mode: one message per ``seconds`` per user in the room."""
    if seconds <= 0:
        return
    now = time.time() if now is None else now
    key = f"moderation:slow:{room_id}:{user_id}"
    try:
        if cache.add(key, now, timeout=seconds):
            return
        last = cache.get(key)
    except Exception as error:  # any store failure refuses, see module doc
        raise _store_failed(error) from error
    wait = max(1, math.ceil((last or now) + seconds - now))
    slow = ngettext(
        "This room is in slow mode: one message every %(seconds)d second.",
        "This room is in slow mode: one message every %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}
    raise RateLimited(f"{slow} {_wait_sentence(wait)}", retry_after=wait)
