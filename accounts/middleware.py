"""The widget's sign-in without cookies (accounts.widget_tokens, docs/wiki.md "The widget")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import widget_tokens


class WidgetTokenMiddleware:
    """A request with ``Authorization: Bearer <widget token>`` and no session is the
    token's user. Such a request needs no CSRF token: a browser never adds this header on
    its own, so another site cannot make a visitor send it (the reason CSRF checks exist
    for cookies). Goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = widget_tokens.from_header(request.headers.get("Authorization", ""))
        if token is not None and not request.user.is_authenticated:
            user = widget_tokens.user_for(token)
            if user is not None:
                request.user = user
                request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


# The sign-in pages a popup goes through for the widget (docs/wiki.md, "The widget").
POPUP_PREFIX = "/accounts/"


class SignInPopupMiddleware:
    """The sign-in pages keep their opener: the widget's popup ends on a page that hands
    the widget its token through ``window.opener``, and ``Cross-Origin-Opener-Policy:
    same-origin`` (Django's default) on any page of the way would cut that link, since the
    widget's own top page is the wiki's. These pages are never framed and run no other
    site's scripts, so the isolation COOP adds is not needed there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(POPUP_PREFIX):
            # SecurityMiddleware only sets the header when a response has none.
            response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response
