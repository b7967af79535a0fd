"""Shared counters for rate limits, throttles and the emergency brake, in one round trip.

Django's cache API needs two calls to count in a window (``add`` to create the key with
its expiry, then ``incr``); the guard counts on every message, so with Redis this goes to
the cache's own client: INCR and EXPIRE NX in one pipeline. Django's Redis cache stores
integers as plain integers, so ``cache.get`` reads these counters too.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def incr(key: str, *, ttl: int) -> int:
    """Add one to the counter at ``key`` (created at 0 with ``ttl`` seconds to live)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        with _client(backend).pipeline(transaction=False) as pipe:
            pipe.incr(full_key)
            pipe.expire(full_key, ttl, nx=True)
            count, _ = pipe.execute()
        return int(count)
    backend.add(key, 0, timeout=ttl)
    return int(backend.incr(key))


_clients: dict[int, Any] = {}


def _client(backend: RedisCache) -> Any:
    """One client per backend and process. Django builds a new redis.Redis around its
    pool on every call, which costs more than the round trip itself (profiled)."""
    client = _clients.get(id(backend))
    if client is None:
        client = _clients[id(backend)] = backend._cache.get_client(write=True)
    return client
