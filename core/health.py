"""/healthz and /readyz (docs/operations.md "Health").

``/healthz``: the process is alive and answers; nothing else is touched (no database), so
a restart is never triggered by an outage elsewhere.
``/readyz``: this process can serve: the database, the cache (Redis when configured), a
round trip through the channel layer, and the timers' queue keeping up. Each check has
its own short timeout; all run at once. 200 when every check is ok, else 503, and the JSON
names what is wrong.

Answered by a middleware at the top of the stack, before the host check, the HTTPS
redirect and the sessions: probes come from the orchestrator over plain HTTP with
whatever ``Host`` it uses, and must not need the database to reach the view.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

Check = Callable[[], Awaitable[dict[str, Any]]]


# -- the checks -----------------------------------------------------------------------------


def _in_thread(function: Callable[[], dict[str, Any]]) -> Check:
    """A blocking check in a worker thread of its own, never the shared sync thread that
    serves views: a hung database must not hold up the requests queued behind it."""

    def run_and_close() -> dict[str, Any]:
        try:
            return function()
        finally:
            # The thread's own connections, opened for the check, closed after it.
            connections.close_all()

    async def check() -> dict[str, Any]:
        return await sync_to_async(run_and_close, thread_sensitive=False)()

    return check


def _database() -> dict[str, Any]:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _cache() -> dict[str, Any]:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError(_("the cache did not return what was just stored"))
    cache.delete(key)
    return {}


async def _channel_layer() -> dict[str, Any]:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError(_("no channel layer is configured"))
    channel = await layer.new_channel("readyz.")
    nonce = uuid.uuid4().hex
    try:
        await layer.send(channel, {"type": "readyz.ping", "nonce": nonce})
        message = await layer.receive(channel)
        if message.get("nonce") != nonce:
            raise RuntimeError(_("the channel layer returned another message"))
    finally:
        await _release(layer, channel)
    return {}


async def _release(layer: Any, channel: str) -> None:
    # Channels has no "delete channel": a layer drops a channel's subscription or queue
    # when a receive on it is cancelled (the pub/sub layer would otherwise stay subscribed
    # to every probe's channel).
    task = asyncio.ensure_future(layer.receive(channel))
    for _step in range(5):
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def _timers() -> dict[str, Any]:
    from core import clock
    from timers.worker import backlog

    now = clock.now()
    late = backlog(now=now)
    oldest = late["oldest_due_at"]
    lag = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    detail = {"lag_seconds": round(lag, 1), "overdue": late["overdue"], "parked": late["parked"]}
    limit = settings.LIVECHAT_READY_MAX_TIMER_LAG
    if limit and lag > limit:
        raise _Failed(
            _(
                "the oldest due timer is %(lag)d s late (limit %(limit)d s): "
                "is `manage.py run_timers` running?"
            )
            % {"lag": lag, "limit": limit},
            detail,
        )
    return detail


class _Failed(Exception):
    def __init__(self, error: str, detail: dict[str, Any]) -> None:
        super().__init__(error)
        self.detail = detail


CHECKS: dict[str, Check] = {
    "database": _in_thread(_database),
    "cache": _in_thread(_cache),
    "channel_layer": _channel_layer,
    "timers": _in_thread(_timers),
}


async def _run(name: str, check: Check, timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(check(), timeout)
        result: dict[str, Any] = {"ok": True, **detail}
    except TimeoutError:
        result = {"ok": False, "error": _("no answer within %(timeout)g s") % {"timeout": timeout}}
    except _Failed as failure:
        result = {"ok": False, "error": str(failure), **failure.detail}
    except Exception as error:
        # The kind of error and its first line: enough to tell "connection refused" from
        # "authentication failed", without a traceback in a public answer.
        text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        result = {"ok": False, "error": f"{type(error).__name__}: {text}".rstrip(": ")}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


async def readiness() -> tuple[bool, dict[str, Any]]:
    timeout = settings.LIVECHAT_READY_CHECK_TIMEOUT
    names = list(CHECKS)
    results = await asyncio.gather(*(_run(name, CHECKS[name], timeout) for name in names))
    checks = dict(zip(names, results, strict=True))
    ok = all(result["ok"] for result in results)
    return ok, checks


# -- the middleware -------------------------------------------------------------------------


def _healthz() -> JsonResponse:
    return _json({"status": "ok"}, 200)


def _readyz(ok: bool, checks: dict[str, Any]) -> JsonResponse:
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if ok else "unavailable", "failing": failing, "checks": checks}
    response = _json(body, 200 if ok else 503)
    if failing:
        # One line that says what fails, in place of Django's bare "Service Unavailable".
        logger.warning(
            "not ready: %s",
            "; ".join(f"{name}: {checks[name].get('error', '')}" for name in failing),
            extra={"failing": failing},
        )
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _json(body: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


class HealthMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        if request.method in ("GET", "HEAD"):
            if request.path == HEALTH_PATH:
                return _healthz()
            if request.path == READY_PATH:
                return _readyz(*async_to_sync(readiness)())
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in ("GET", "HEAD"):
            if request.path == HEALTH_PATH:
                return _healthz()
            if request.path == READY_PATH:
                return _readyz(*await readiness())
        return await self.get_response(request)
