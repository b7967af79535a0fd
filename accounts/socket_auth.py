"""The widget's socket, signed in by a token in its address (``?token=``) when the frame
has no session cookie (accounts.widget_tokens)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from . import widget_tokens


class WidgetTokenAuthMiddleware:
    """Inside Channels' AuthMiddlewareStack: a socket with no session user and a valid
    token in its query string is the token's user."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = scope.get("user")
        if user is not None and not user.is_authenticated:
            query = parse_qs(scope.get("query_string", b"").decode("latin1"))
            token = (query.get("token") or [""])[0]
            if token:
                token_user = await database_sync_to_async(widget_tokens.user_for)(token)
                if token_user is not None:
                    scope = {**scope, "user": token_user}
        return await self.application(scope, receive, send)
