"""Who is online in a room, and the typing throttle: ephemeral state, kept out of the
event log and out of the database.

With ``REDIS_URL`` set the state lives in Redis, so every server process sees the same
online list; otherwise in this process's memory (development, one process).

Each socket is one entry, scored by when it last refreshed. Several tabs of one user are
several entries but one person in :func:`PresenceStore.online`. A socket whose process was
killed never says goodbye; its entry stops being refreshed and is pruned once it is older
than ``LIVECHAT_PRESENCE_TTL`` by whichever live socket refreshes next.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from typing import Any, Protocol

from django.conf import settings


def ttl() -> float:
    return float(settings.LIVECHAT_PRESENCE_TTL)


def distinct_users(members: list[str]) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for member in members:
        user = json.loads(member)["u"]
        seen.setdefault(user["id"], user)
    return sorted(seen.values(), key=lambda user: user["username"].casefold())


def member_key(channel_name: str, user: dict[str, Any]) -> str:
    return json.dumps({"c": channel_name, "u": user}, sort_keys=True, ensure_ascii=False)


class PresenceStore(Protocol):
    async def touch(self, room_id: int, member: str) -> None: ...
    async def leave(self, room_id: int, member: str) -> None: ...
    async def online(self, room_id: int) -> list[dict[str, Any]]: ...
    async def prune(self, room_id: int) -> int: ...
    async def typing_allowed(self, room_id: int, user_id: int) -> bool: ...
    def online_counts(self, room_ids: list[int]) -> dict[int, int]: ...
    def online_now(self, room_id: int) -> list[dict[str, Any]]: ...
    # A person's open sockets, in any room or page: "has this person the chat open?"
    async def touch_socket(self, user_id: int, channel: str) -> None: ...
    async def leave_socket(self, user_id: int, channel: str) -> None: ...
    def users_online(self, user_ids: list[int]) -> set[int]: ...


class MemoryPresence:
    def __init__(self) -> None:
        self.rooms: dict[int, dict[str, float]] = {}
        self.typing: dict[tuple[int, int], float] = {}
        self.sockets: dict[int, dict[str, float]] = {}

    async def touch(self, room_id: int, member: str) -> None:
        self.rooms.setdefault(room_id, {})[member] = time.time()

    async def leave(self, room_id: int, member: str) -> None:
        self.rooms.get(room_id, {}).pop(member, None)

    def _live(self, room_id: int) -> list[str]:
        cutoff = time.time() - ttl()
        return [m for m, seen in list(self.rooms.get(room_id, {}).items()) if seen >= cutoff]

    async def online(self, room_id: int) -> list[dict[str, Any]]:
        return distinct_users(self._live(room_id))

    async def prune(self, room_id: int) -> int:
        entries = self.rooms.get(room_id, {})
        cutoff = time.time() - ttl()
        stale = [m for m, seen in list(entries.items()) if seen < cutoff]
        for member in stale:
            entries.pop(member, None)
        return len(stale)

    async def typing_allowed(self, room_id: int, user_id: int) -> bool:
        now = time.monotonic()
        key = (room_id, user_id)
        if self.typing.get(key, 0.0) > now:
            return False
        self.typing[key] = now + settings.LIVECHAT_TYPING_INTERVAL_MS / 1000
        return True

    def online_counts(self, room_ids: list[int]) -> dict[int, int]:
        return {room_id: len(distinct_users(self._live(room_id))) for room_id in room_ids}

    def online_now(self, room_id: int) -> list[dict[str, Any]]:
        return distinct_users(self._live(room_id))

    async def touch_socket(self, user_id: int, channel: str) -> None:
        self.sockets.setdefault(user_id, {})[channel] = time.time()

    async def leave_socket(self, user_id: int, channel: str) -> None:
        self.sockets.get(user_id, {}).pop(channel, None)

    def users_online(self, user_ids: list[int]) -> set[int]:
        cutoff = time.time() - ttl()
        return {
            user_id
            for user_id in user_ids
            if any(seen >= cutoff for seen in list(self.sockets.get(user_id, {}).values()))
        }


class RedisPresence:
    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        # redis.asyncio pools are bound to the event loop that created them.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._sync: Any = None

    def _client(self) -> Any:
        import redis.asyncio

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            # A blocking pool: when thousands of sockets join or leave at once (a deploy,
            # a network blip) callers wait their turn for a connection. redis-py's default
            # pool raises MaxConnectionsError past 100 instead, and a failed disconnect
            # then skipped leaving its groups (measured with bench/idle_sockets.py).
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                self.url, decode_responses=True, max_connections=50, timeout=20
            )
            client = redis.asyncio.Redis(connection_pool=pool)
            self._clients[loop] = client
        return client

    def _key(self, room_id: int) -> str:
        return f"{self.prefix}:presence:{room_id}"

    async def touch(self, room_id: int, member: str) -> None:
        client = self._client()
        key = self._key(room_id)
        async with client.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {member: time.time()})
            # A room nobody refreshes disappears by itself.
            pipe.expire(key, int(ttl() * 2) + 1)
            await pipe.execute()

    async def leave(self, room_id: int, member: str) -> None:
        await self._client().zrem(self._key(room_id), member)

    async def online(self, room_id: int) -> list[dict[str, Any]]:
        members = await self._client().zrangebyscore(
            self._key(room_id), time.time() - ttl(), "+inf"
        )
        return distinct_users(members)

    async def prune(self, room_id: int) -> int:
        return int(
            await self._client().zremrangebyscore(
                self._key(room_id), "-inf", f"({time.time() - ttl()}"
            )
        )

    async def typing_allowed(self, room_id: int, user_id: int) -> bool:
        key = f"{self.prefix}:typing:{room_id}:{user_id}"
        interval = settings.LIVECHAT_TYPING_INTERVAL_MS
        return bool(await self._client().set(key, "1", px=interval, nx=True))

    def online_counts(self, room_ids: list[int]) -> dict[int, int]:
        cutoff = time.time() - ttl()
        with self._sync_client().pipeline(transaction=False) as pipe:
            for room_id in room_ids:
                pipe.zrangebyscore(self._key(room_id), cutoff, "+inf")
            results = pipe.execute()
        return {
            room_id: len(distinct_users(members))
            for room_id, members in zip(room_ids, results, strict=True)
        }

    def online_now(self, room_id: int) -> list[dict[str, Any]]:
        members = self._sync_client().zrangebyscore(self._key(room_id), time.time() - ttl(), "+inf")
        return distinct_users(members)

    def _socket_key(self, user_id: int) -> str:
        return f"{self.prefix}:sockets:{user_id}"

    async def touch_socket(self, user_id: int, channel: str) -> None:
        key = self._socket_key(user_id)
        async with self._client().pipeline(transaction=False) as pipe:
            pipe.zadd(key, {channel: time.time()})
            pipe.expire(key, int(ttl() * 2) + 1)
            await pipe.execute()

    async def leave_socket(self, user_id: int, channel: str) -> None:
        await self._client().zrem(self._socket_key(user_id), channel)

    def users_online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        cutoff = time.time() - ttl()
        with self._sync_client().pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zcount(self._socket_key(user_id), cutoff, "+inf")
            counts = pipe.execute()
        return {user_id for user_id, count in zip(user_ids, counts, strict=True) if count}

    def _sync_client(self) -> Any:
        import redis

        if self._sync is None:
            self._sync = redis.Redis.from_url(self.url, decode_responses=True)
        return self._sync


_store: PresenceStore | None = None
_store_config: tuple[str, str] | None = None


def store() -> PresenceStore:
    """The configured store (rebuilt when the settings change, as tests do)."""
    global _store, _store_config
    config = (settings.REDIS_URL, settings.LIVECHAT_REDIS_PREFIX)
    if _store is None or config != _store_config:
        _store = RedisPresence(*config) if config[0] else MemoryPresence()
        _store_config = config
    return _store


def online_counts(room_ids: list[int]) -> dict[int, int]:
    return store().online_counts(room_ids)


def online_users(room_id: int) -> list[dict[str, Any]]:
    """The people online in a room, for sync callers (the completion API)."""
    return store().online_now(room_id)


def users_online(user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` with at least one open socket (any room, any page)."""
    return store().users_online(user_ids)


def user_online(user_id: int) -> bool:
    return bool(store().users_online([user_id]))
