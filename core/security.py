"""Security headers and the client's address (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, for sign-in throttling (django-axes): the peer the
    ASGI server reports. Behind a proxy, uvicorn puts the client's address there from the
    ``X-Forwarded-For`` of the proxies it trusts (``--forwarded-allow-ips``); headers are
    never read here, so a client cannot choose its own address by writing one."""
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{name}=({' '.join(allow)})" for name, allow in sorted(features.items()))


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response: the browser features no page of the chat
    uses (LIVECHAT_PERMISSIONS_POLICY) are off for it and for anything it frames."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.LIVECHAT_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
