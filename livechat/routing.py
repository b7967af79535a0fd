"""The WebSocket routes: livechat's own room socket, plus what other apps register in
``ready()`` (the help desk: /ws/helpdesk/), as livechat.routes does for HTTP.
config/asgi.py builds its router from :func:`websocket_routes` once apps are ready."""

from __future__ import annotations

from django.urls import URLPattern, path

from .consumers import RoomConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi()),
]

_registered: list[URLPattern] = []


def register_websocket_routes(patterns: list[URLPattern]) -> None:
    _registered.extend(patterns)


def websocket_routes() -> list[URLPattern]:
    return [*websocket_urlpatterns, *_registered]
