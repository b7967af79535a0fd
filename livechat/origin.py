"""WebSocket Origin check.

Browsers send cookies with a cross-site WebSocket handshake, and CSRF protection does not
cover sockets, so the handshake must prove it comes from our own pages. Channels'
``AllowedHostsOriginValidator`` compares host names only, so a page on the same host but
another port (another application) would pass. This validator requires the full origin
(scheme, host and port) to be the one the request was made to, with that host in
``ALLOWED_HOSTS``, or to be listed in ``CSRF_TRUSTED_ORIGINS``. A missing or ``null``
Origin is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": "80", "https": "443"}


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                return value.decode("latin1")
            except UnicodeDecodeError:
                return None
    return None


def normalise_origin(origin: str) -> str | None:
    """``scheme://host:port`` with the default port made explicit, or None if invalid."""
    parts = urlsplit(origin.strip().lower())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.hostname}:{port or DEFAULT_PORTS[parts.scheme]}"


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = _header(scope, b"origin")
    if not origin:
        return False
    normalised = normalise_origin(origin)
    if normalised is None:
        return False
    trusted = {normalise_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS}
    if normalised in trusted:
        return True
    host = _header(scope, b"host")
    if not host:
        return False
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return normalised == normalise_origin(f"{scheme}://{host}")


class SameOriginValidator:
    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
