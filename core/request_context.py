"""A request id for every HTTP request and a socket id for every WebSocket, carried by
context variables into every log line written while serving them (docs/operations.md
"Logs").

The HTTP id is the caller's ``X-Request-ID`` when it looks like an id (a proxy's, so
that the proxy's log and ours share it), else a fresh one; the response echoes it. A
socket gets a fresh id when it connects; every frame it handles logs with it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from . import metrics

request_id: ContextVar[str] = ContextVar("request_id", default="")
socket_id: ContextVar[str] = ContextVar("socket_id", default="")
access_log = logging.getLogger("livechat.access")

HEADER = "X-Request-ID"
# Letters, digits and the separators ids use (UUIDs, AWS's "Root=1-…", nginx's hex): an id
# taken from outside goes into logs as is, so nothing that could forge a log line or a field.
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")


def new_id() -> str:
    return uuid.uuid4().hex


def incoming_id(value: str | None) -> str:
    if value and SANE_ID.fullmatch(value):
        return value
    return new_id()


class RequestIdMiddleware:
    """First in MIDDLEWARE: everything after it, errors included, logs with the id."""

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
        token = self._start(request)
        try:
            return self._finish(request, self.get_response(request))
        finally:
            request_id.reset(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        token = self._start(request)
        try:
            return self._finish(request, await self.get_response(request))
        finally:
            request_id.reset(token)

    def _start(self, request: HttpRequest) -> Any:
        value = incoming_id(request.headers.get(HEADER))
        request.request_id = value  # type: ignore[attr-defined]
        request.started_at = time.perf_counter()  # type: ignore[attr-defined]
        return request_id.set(value)

    def _finish(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response[HEADER] = request.request_id  # type: ignore[attr-defined]
        if settings.LIVECHAT_ACCESS_LOG:
            elapsed = time.perf_counter() - request.started_at  # type: ignore[attr-defined]
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
        return response


class SocketContextMiddleware:
    """ASGI middleware for the WebSocket stack: a socket id for its log lines, and the
    open-sockets gauge and the deliveries counter, counted where the frames pass."""

    def __init__(self, inner: Callable[..., Awaitable[None]]) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        sid = new_id()[:16]
        scope["socket_id"] = sid
        token = socket_id.set(sid)
        accepted = False

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal accepted
            kind = message.get("type")
            if kind == "websocket.send":
                metrics.DELIVERIES.inc()
            elif kind == "websocket.accept" and not accepted:
                accepted = True
                metrics.OPEN_SOCKETS.inc()
            await send(message)

        try:
            await self.inner(scope, receive, counting_send)
        finally:
            if accepted:
                metrics.OPEN_SOCKETS.dec()
            socket_id.reset(token)


class ContextFilter(logging.Filter):
    """Puts ``request_id`` and ``socket_id`` on every record (empty outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.socket_id = socket_id.get()
        return True
