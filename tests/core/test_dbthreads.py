"""The sockets' database threads (core.dbthreads): calls run side by side on the pool's own
threads, so one slow write does not hold up the others."""

from __future__ import annotations

import asyncio
import threading

from core import dbthreads


async def test_calls_run_side_by_side_on_the_pools_threads(settings):
    settings.LIVECHAT_DB_THREADS = 3
    dbthreads.close_pool()  # a pool of the size set above
    arrived = threading.Barrier(3)

    def slow_write() -> str:
        # Each call waits for the other two: on a single thread this would time out.
        arrived.wait(timeout=10)
        return threading.current_thread().name

    try:
        names = await asyncio.gather(*(dbthreads.on_db_thread(slow_write)() for _ in range(3)))
    finally:
        dbthreads.close_pool()
    assert len(set(names)) == 3
    assert all(name.startswith("livechat-db") for name in names)


async def test_one_thread_is_channels_own(settings):
    settings.LIVECHAT_DB_THREADS = 1
    first = await dbthreads.on_db_thread(threading.get_ident)()
    second = await dbthreads.on_db_thread(threading.get_ident)()
    assert first == second != threading.get_ident()
    assert not threading.current_thread().name.startswith("livechat-db")
