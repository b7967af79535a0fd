"""Database work of the sockets on a pool of threads (issue 14, docs/architecture.md).

Channels runs every ``database_sync_to_async`` call of a process on one thread, so one
slow send (a lock wait, a cold cache, a long filter) queues every other socket's writes
behind it, and a process tops out at what one thread can do between round trips to the
database (~200 sends/s measured, half of it while the process fans out). The frame
handlers run here instead: ``LIVECHAT_DB_THREADS`` threads, each with its own connection,
closed and health-checked around every call as Channels does.

Nothing the handlers promise depends on the single thread. A room's event ids are taken
by ``UPDATE … RETURNING`` inside the sending transaction, so the row lock orders two sends
to one room whatever their threads, and their ids stay contiguous; publishes that then
reach Redis in swapped order are put back in order by the room's fan-out
(livechat.fanout), as those of two processes always were. With one thread (the default on
SQLite, which has a single writer anyway) this is Channels' own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, TypeVar

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings
from django.db import connections

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.LIVECHAT_DB_THREADS, thread_name_prefix="livechat-db"
            )
        return _executor


def on_db_thread(func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``func`` made awaitable, run on one of the pool's threads."""
    if settings.LIVECHAT_DB_THREADS <= 1:
        return database_sync_to_async(func)
    runner: Any = DatabaseSyncToAsync(func, thread_sensitive=False, executor=_pool())
    return runner


def close_pool() -> None:
    """Close every pool thread's connections and stop the threads (the test session's
    end: a kept connection would stop the test database from being dropped)."""
    global _executor
    with _lock:
        executor, _executor = _executor, None
    if executor is None:
        return
    threads = executor._max_workers
    # Each task waits for all the others, so each runs on a thread of its own.
    barrier = threading.Barrier(threads)

    def close() -> None:
        connections.close_all()
        barrier.wait(timeout=30)

    wait([executor.submit(close) for _ in range(threads)], timeout=60)
    executor.shutdown(wait=True)
