"""Candidate server-side changes, applied as patches at import time so that they can be
measured with the same scripts without editing the server code (which other people own).

Serve ``bench.variants:application`` instead of ``config.asgi:application`` with
``BENCH_VARIANT`` set to a comma-separated list of:

(``async_publish`` and ``send_pool``, measured in docs/benchmarks.md section 2, became the
code in issue 14: ``livechat.broadcast`` and ``core.dbthreads``.)

- ``gc_log``: log every garbage collection of the oldest generation that takes longer
  than 10 ms (its duration and what it collected), to see whether the server's occasional
  latency spikes are collector pauses.
- ``gc_freeze``: move everything allocated while starting up (Django, the apps, the
  templates) out of the collector's sight (``gc.freeze()``), so that a full collection
  walks only what serving created. The thresholds stay: raised (50,000 for the youngest
  generation), the connections that Django opens per HTTP request under ASGI (each request
  runs on a thread of its own) waited so long for the collector that PostgreSQL ran out of
  connection slots during the benchmark's sign-ins.

- ``gc_rare_full``: full collections ten times rarer (the oldest generation's threshold
  at 100 collections of the middle one instead of 10); the young generations, where the
  per-request connections die, are collected as often as before.

- ``loop_lag``: log, once a second, how late the event loop ran a callback due every
  10 ms at worst (and the GIL's switch interval), to tell the loop's own stalls from the
  clients' queueing.

- ``gil_1ms``: the interpreter's switch interval at 1 ms instead of 5 ms, so that the
  event loop waits less for the lock while a database thread renders or checks a send.

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


def _patch_gc_log() -> None:
    import gc
    import time

    started: list[float] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            took_ms = (time.perf_counter() - started[0]) * 1000
            if took_ms > 10:
                logger.warning(
                    "gc pause %.1f ms (generation 2, %s collected)", took_ms, info["collected"]
                )

    gc.callbacks.append(watch)


def _patch_gc_freeze() -> None:
    import gc

    gc.collect()
    gc.freeze()


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


def _patch_loop_lag() -> None:
    import sys
    import time

    state = {"worst": 0.0, "since": time.perf_counter(), "started": False}

    def tick(due: float) -> None:
        now = time.perf_counter()
        state["worst"] = max(state["worst"], now - due)
        if now - state["since"] >= 1.0:
            if state["worst"] > 0.005:
                logger.warning(
                    "loop lag: worst %.1f ms in the last second (switch interval %.1f ms)",
                    state["worst"] * 1000,
                    sys.getswitchinterval() * 1000,
                )
            state["worst"], state["since"] = 0.0, now
        asyncio.get_running_loop().call_later(0.01, tick, now + 0.01)

    original = application

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not state["started"]:
            state["started"] = True
            asyncio.get_running_loop().call_later(0.01, tick, time.perf_counter() + 0.01)
        await original(scope, receive, send)

    globals()["application"] = app


if "gc_rare_full" in VARIANTS:
    import gc

    young, middle, _oldest = gc.get_threshold()
    gc.set_threshold(young, middle, 100)
if "gil_1ms" in VARIANTS:
    import sys

    sys.setswitchinterval(0.001)
if "loop_lag" in VARIANTS:
    _patch_loop_lag()
if "blocking_pool" in VARIANTS:
    _patch_blocking_pool()
if "gc_freeze" in VARIANTS:
    _patch_gc_freeze()
if "gc_log" in VARIANTS:
    _patch_gc_log()
