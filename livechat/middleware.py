"""Framing policy for every page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class FrameAncestorsMiddleware:
    """Pages refuse to be framed (CSP frame-ancestors 'none', alongside X-Frame-Options for
    old browsers), unless a view set its own policy: the embed widget lists the wiki's
    origins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = "frame-ancestors 'none'"
        return response
