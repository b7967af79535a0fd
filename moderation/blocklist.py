"""A user's blocks, as the guard reads them on every write.

Most writers have no block, and the guard runs on every message: the active blocks of a
user are cached (Redis when ``REDIS_URL`` is set, so every process shares it) and dropped
by the block actions on commit. Expiry is checked on read against the cached expiry time,
so an expired block stops applying at once with no job and no invalidation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from core import clock

from .models import Block

# Long enough to save the query on nearly every write; bounded in case an invalidation is
# ever lost (a process killed between commit and on_commit).
CACHE_SECONDS = 300


@dataclass(frozen=True)
class ActiveBlock:
    site_wide: bool
    room_ids: frozenset[int]
    reason: str
    expires_at: datetime | None

    def applies(self, room_id: int, now: datetime) -> bool:
        if self.expires_at is not None and self.expires_at <= now:
            return False
        return self.site_wide or room_id in self.room_ids


def _key(user_id: int) -> str:
    return f"moderation:blocks:{user_id}"


def _load(user_id: int) -> list[ActiveBlock]:
    blocks = Block.objects.active().filter(user_id=user_id).prefetch_related("rooms")
    return [_active(block) for block in blocks]


def _active(block: Block) -> ActiveBlock:
    return ActiveBlock(
        site_wide=block.scope == Block.Scope.SITE,
        room_ids=frozenset(room.pk for room in block.rooms.all()),
        reason=block.reason,
        expires_at=block.expires_at,
    )


def active_blocks(user_id: int) -> list[ActiveBlock]:
    blocks = cache.get(_key(user_id))
    if blocks is None:
        blocks = _load(user_id)
        cache.set(_key(user_id), blocks, CACHE_SECONDS)
    return blocks


def block_for(user_id: int, room_id: int) -> ActiveBlock | None:
    """The block that stops this user writing in this room now, if any (the one that
    lasts longest, so the person is told the expiry that matters)."""
    now = clock.now()
    applying = [block for block in active_blocks(user_id) if block.applies(room_id, now)]
    if not applying:
        return None
    return max(applying, key=lambda b: b.expires_at or datetime.max.replace(tzinfo=now.tzinfo))


def blocked_among(user_ids: list[int], room_id: int) -> set[int]:
    """Those of ``user_ids`` a block stops writing in ``room_id`` now: the cached blocks
    in one round trip, the people not cached yet in one query (the help desk asks this of
    every available helper)."""
    now = clock.now()
    cached = cache.get_many([_key(pk) for pk in user_ids])
    missing = [pk for pk in user_ids if _key(pk) not in cached]
    if missing:
        loaded: dict[int, list[ActiveBlock]] = {pk: [] for pk in missing}
        blocks = Block.objects.active().filter(user_id__in=missing).prefetch_related("rooms")
        for block in blocks:
            loaded[block.user_id].append(_active(block))
        cache.set_many({_key(pk): value for pk, value in loaded.items()}, CACHE_SECONDS)
        cached.update({_key(pk): value for pk, value in loaded.items()})
    return {
        pk
        for pk in user_ids
        if any(block.applies(room_id, now) for block in cached.get(_key(pk), []))
    }


def forget(user_id: int) -> None:
    cache.delete(_key(user_id))
