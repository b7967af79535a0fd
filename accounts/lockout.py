"""Sign-in throttling's answers (django-axes, settings AXES_*; docs/security.md): the
lock-out page, and the account name failures are counted against."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .usernames import normalize_username

# django-axes keeps the name in a 255-character column.
_MAX_NAME = 255


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in tried, as the wiki writes names: ``alice`` and ``Alice`` count
    as one account, and a name too long to store is cut rather than failing the page."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "")
    return normalize_username(str(raw))[:_MAX_NAME]


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with a page that says what happened and when to try again (the same for the
    admin's sign-in); ``Retry-After`` says it to programs."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
