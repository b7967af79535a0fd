"""Who can help right now, and what an asker may honestly expect.

An available helper is a mentor or moderator with a live socket (any room or the
queue), active — input in the page — within LIVECHAT_HELPER_ACTIVE_SECONDS, not Away and
not blocked. Activity is ephemeral, like presence: kept in the cache (Redis when
``REDIS_URL`` is set, so every process agrees), never in the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from accounts.models import User
from accounts.roles import helper_groups
from livechat.guard import blocked_among
from livechat.presence import users_online

from .models import MentorProfile


def _activity_key(user_id: int) -> str:
    return f"helpdesk:active:{user_id}"


def record_activity(*, user_id: int, now: datetime) -> None:
    """The helper did something in a page (typed, clicked, sent)."""
    cache.set(_activity_key(user_id), now.timestamp(), settings.LIVECHAT_HELPER_ACTIVE_SECONDS)


def helper_ids() -> list[int]:
    """Every mentor and moderator (a short list: one query)."""
    return list(
        User.objects.filter(
            Q(groups__name__in=helper_groups()) | Q(is_superuser=True), is_active=True
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def away_ids(*, user_ids: list[int], now: datetime) -> set[int]:
    return set(
        MentorProfile.objects.filter(user_id__in=user_ids, away_until__gte=now.date()).values_list(
            "user_id", flat=True
        )
    )


def available_helper_ids(*, now: datetime, room_id: int | None = None) -> set[int]:
    """The helpers available now (blocked ones left out: site-wide, or in ``room_id``)."""
    candidates = helper_ids()
    if not candidates:
        return set()
    online = users_online(candidates)
    if not online:
        return set()
    cutoff = (now - timedelta(seconds=settings.LIVECHAT_HELPER_ACTIVE_SECONDS)).timestamp()
    seen = cache.get_many([_activity_key(pk) for pk in online])
    active = {pk for pk in online if seen.get(_activity_key(pk), 0) >= cutoff}
    if not active:
        return set()
    active -= away_ids(user_ids=list(active), now=now)
    return active - blocked_among(sorted(active), room_id or 0)


def is_available(*, user_id: int, now: datetime) -> bool:
    return user_id in available_helper_ids(now=now)
