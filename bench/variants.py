"""Candidate server-side changes, applied as patches at import time so that they can be
measured with the same scripts without editing the server code (which other people own).

Serve ``bench.variants:application`` instead of ``config.asgi:application`` with
``BENCH_VARIANT`` set to a comma-separated list of:

- ``async_publish``: the after-commit publish hands ``group_send`` to the server's event
  loop and returns, instead of blocking the one database thread until the loop has run
  it (``async_to_sync``). Under fan-out load the loop is busy, so every send otherwise
  waits for it while holding the only thread that runs database work.
- ``send_pool``: run ``send_message`` on a thread pool (``thread_sensitive=False``) rather
  than on the single shared sync thread, so that sends from different sockets overlap
  their database round trips (each pool thread has its own connection).

- ``blocking_pool``: the presence store's Redis client on a ``BlockingConnectionPool``
  (callers wait for a free connection) instead of redis-py 8's default pool, which
  raises ``MaxConnectionsError`` past 100 concurrent commands: a mass disconnect (or
  connect) of a few hundred sockets then fails their presence updates and group
  discards, and refuses handshakes with HTTP 500.

These are experiments for docs/benchmarks.md, not code to deploy as is.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from config.asgi import application  # noqa: F401  (re-exported for the ASGI server)

logger = logging.getLogger(__name__)
VARIANTS = {v.strip() for v in os.environ.get("BENCH_VARIANT", "").split(",") if v.strip()}


def _patch_async_publish() -> None:
    from asgiref.sync import SyncToAsync
    from channels.layers import get_channel_layer

    from livechat import broadcast

    blocking_group_send = broadcast.group_send

    def group_send_soon(group: str, message: dict[str, Any]) -> None:
        loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
        layer = get_channel_layer()
        if loop is None or layer is None or not loop.is_running():
            blocking_group_send(group, message)  # not under an ASGI server: as before
            return
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        future.add_done_callback(_log_failure)

    broadcast.group_send = group_send_soon


def _log_failure(future: Any) -> None:
    if future.exception() is not None:
        logger.error("publishing failed", exc_info=future.exception())


def _patch_send_pool() -> None:
    from channels.db import database_sync_to_async

    from livechat import consumers, socket_frames

    original = consumers.database_sync_to_async

    def choose(fn: Any, *args: Any, **kwargs: Any) -> Any:
        # Only the send frame: connect-time reads and other frames keep the shared thread.
        if fn is socket_frames.send:
            return database_sync_to_async(fn, thread_sensitive=False)
        return original(fn, *args, **kwargs)

    consumers.database_sync_to_async = choose  # type: ignore[assignment]


def _patch_blocking_pool() -> None:
    import weakref

    import redis.asyncio

    from livechat.presence import RedisPresence

    clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()

    def client(self: RedisPresence) -> Any:
        loop = asyncio.get_running_loop()
        if loop not in clients:
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                self.url, decode_responses=True, max_connections=50, timeout=20
            )
            clients[loop] = redis.asyncio.Redis(connection_pool=pool)
        return clients[loop]

    RedisPresence._client = client  # type: ignore[method-assign]


if "blocking_pool" in VARIANTS:
    _patch_blocking_pool()
if "async_publish" in VARIANTS:
    _patch_async_publish()
if "send_pool" in VARIANTS:
    _patch_send_pool()
