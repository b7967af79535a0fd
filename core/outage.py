"""When the database or Redis cannot be reached: a clear answer that says "try again".

A write during an outage is not refused, it is postponed: HTTP answers 503 with
``{"error": {"code": "unavailable", "detail", "retry_after"}}`` and ``Retry-After``; the
socket answers an ``error`` frame with the same code and ``retry_after`` (and, when it
cannot go on, closes with 1013 "try again later" so that the client reconnects and
resumes). Never a bare 500 page, never a socket dropped without a word (docs/api.md,
docs/operations.md "Faults").

What counts as an outage: the database's OperationalError and InterfaceError (connection
refused or lost, a server restarting, a failover; also a deadlock or a lock timeout, which
a retry resolves as well) and Redis' connection and timeout errors (the channel layer,
the cache, presence, the rate-limit counters).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import redis.exceptions
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import Unavailable

logger = logging.getLogger(__name__)

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,  # BusyLoadingError (a restarting Redis) included
    redis.exceptions.TimeoutError,
)


def is_outage(error: BaseException | None) -> bool:
    """True for a lost database or Redis, also when wrapped in another exception."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def retry_after() -> int:
    """Seconds a client should wait before trying again."""
    return int(getattr(settings, "LIVECHAT_UNAVAILABLE_RETRY_SECONDS", 5))


def unavailable(detail: str | None = None) -> Unavailable:
    return Unavailable(
        detail or _("The chat cannot save this right now. Try again in a few seconds."),
        retry_after=retry_after(),
    )


def log_outage(error: BaseException, where: str) -> None:
    # One line, no traceback: during an outage every request would print the same one.
    logger.warning("%s: database or Redis unavailable: %s: %s", where, type(error).__name__, error)


def unavailable_response(request: HttpRequest | None = None) -> HttpResponse:
    """503 with Retry-After: JSON for the API (and any client asking for JSON), a short
    page for a person otherwise."""
    seconds = retry_after()
    if request is None or wants_json(request):
        response: HttpResponse = JsonResponse({"error": unavailable().as_dict()}, status=503)
    else:
        # A page of its own, not base.html: the shell reads the signed-in user, which is
        # exactly what the database cannot give now.
        response = HttpResponse(
            render_to_string("unavailable.html", {"retry_after": seconds}), status=503
        )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or request.content_type == "application/json"
        or "application/json" in request.headers.get("Accept", "")
    )


@receiver(got_request_exception, dispatch_uid="core.outage.mark_request")
def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django sends this inside its handler's ``except``, wherever the error was raised
    (a view or a middleware: the session, the user, the language). The exception is
    still the current one here; the response is built later, by OutageMiddleware."""
    error = sys.exc_info()[1]
    if request is not None and is_outage(error):
        request._livechat_outage = error  # type: ignore[attr-defined]


class OutageMiddleware:
    """Outermost but one: turns the 500 that an outage left behind into a 503 that says
    "try again", for every URL. Django converts an error into a response at each
    middleware, so this one sees a 500 response, not the exception: the
    ``got_request_exception`` receiver above marks the request with the outage."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, "_livechat_outage", None)
        if error is not None and response.status_code >= 500:
            log_outage(error, request.path)
            return unavailable_response(request)
        return response


class SocketOutageMiddleware:
    """The WebSocket's backstop: an outage that escapes the consumer — its handshake's
    session and user, read before any consumer runs — still ends with an ``error`` frame
    (``unavailable``) and a close "try again later" (1013), never a dropped socket or a
    refused handshake the page would take for a sign-out."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        state = {"accepted": False, "closed": False}

        async def tracking_send(message: dict[str, Any]) -> None:
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if not is_outage(error) or state["closed"]:
                raise
            log_outage(error, "socket")
            with translation.override(scope.get("language") or settings.LANGUAGE_CODE):
                frame = {
                    "type": "error",
                    **unavailable(
                        _(
                            "The chat cannot reach its database or its message service. "
                            "Reconnecting in a few seconds."
                        )
                    ).as_dict(),
                }
            if not state["accepted"]:
                await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps(frame)})
            await send({"type": "websocket.close", "code": 1013})
