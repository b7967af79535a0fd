"""The reader's time zone, for the dates and times the server writes (docs/translating.md,
"Dates and times"): the person's saved choice (``User.time_zone``), then the zone their
browser told us (the ``tz`` cookie, set by ``static/livechat/timezone.js``), then
``TIME_ZONE``. The page's scripts format times with the browser's ``Intl`` and need none
of this; it is for what templates and Python format (``|date``, ``date_format``) under
Django's activated zone.

A zone is a name of the IANA database as ``zoneinfo`` knows it (``Asia/Seoul``); anything
else (a cookie is the reader's to write) is ignored and the next rule decides."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.utils import timezone

COOKIE = "tz"
# Longer than any IANA name; a longer cookie is not even looked up.
MAX_LENGTH = 64


@cache
def zone_names() -> frozenset[str]:
    """Every zone name ``zoneinfo`` knows (read once: the database is a file tree)."""
    return frozenset(zoneinfo.available_timezones())


def valid(name: str | None) -> str | None:
    """``name`` when it names a zone ``zoneinfo`` knows, else None."""
    if not name or len(name) > MAX_LENGTH:
        return None
    name = name.strip()
    return name if name in zone_names() else None


def choose(*, saved: str | None, cookie: str | None) -> str:
    """The zone's name, by the first rule that gives a valid one: the person's saved
    choice (blank: automatic), the browser's (the cookie), ``TIME_ZONE``."""
    return valid(saved) or valid(cookie) or settings.TIME_ZONE


def for_mail(user: Any) -> str:
    """The zone a person's mail is written in: their saved choice, else UTC (mail has no
    browser to ask; the mail says which zone its times are in)."""
    return valid(getattr(user, "time_zone", "")) or "UTC"


def zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


def abbreviation(moment: datetime | None = None) -> str:
    """The active zone's name as Django's ``|date:"T"`` writes it at ``moment`` (now by
    default): ``KST``, ``CET``/``CEST``, ``UTC``, or an offset (``+0530``, ``-03``) for
    zones whose database has no letters."""
    from django.utils.dateformat import format as date_format

    moment = timezone.localtime(moment or timezone.now())
    return date_format(moment, "T")


def choices() -> list[str]:
    """The zones a person may pick, sorted (the settings page's menu)."""
    return sorted(zone_names())


@contextmanager
def override(name: str) -> Iterator[None]:
    """``timezone.override`` by name (mail, written outside any request)."""
    with timezone.override(zone(name)):
        yield


# --- HTTP ---------------------------------------------------------------------------------


class TimeZoneMiddleware:
    """Activates the reader's zone (:func:`choose`) for the request. Goes after the
    language middleware: like it, it reads the person's choice from ``request.user``,
    which the language middleware has already loaded (no query of its own) except when
    ``?uselang=`` decided the language; then the user is read here only if the session
    says someone is signed in, which costs what any signed-in page costs anyway."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cookie = request.COOKIES.get(COOKIE)
        name = choose(
            saved=_saved_zone(getattr(request, "user", None)),
            cookie=unquote(cookie) if cookie else None,
        )
        timezone.activate(zone(name))
        request.time_zone = name
        try:
            return self.get_response(request)
        finally:
            # The zone is per request: a worker's next request starts from TIME_ZONE.
            timezone.deactivate()


def _saved_zone(user: Any) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "time_zone", "") or None


# --- Sockets ------------------------------------------------------------------------------


class SocketTimeZoneMiddleware:
    """The socket's zone, by the same rules from its handshake (the person's choice, the
    handshake's ``tz`` cookie), stored as ``scope["time_zone"]``; the consumers activate it
    around every frame they handle with the language (livechat.consumers.LeanDispatch), so
    a block refusal on the socket names the reader's zone as the page does. Goes inside
    the auth middleware (it reads ``scope["user"]``)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        cookie = _handshake_cookies(scope).get(COOKIE)
        name = choose(
            saved=_saved_zone(scope.get("user")), cookie=unquote(cookie) if cookie else None
        )
        return await self.application({**scope, "time_zone": name}, receive, send)


def _handshake_cookies(scope: dict[str, Any]) -> dict[str, str]:
    for key, value in scope.get("headers") or []:
        if key == b"cookie":
            return parse_cookie(value.decode("latin1"))
    return {}
