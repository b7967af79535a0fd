"""Help while waiting's JSON API (docs/api.md "Suggestions while typing"), registered into
the chat's routes from helpdesk.wiring like the help desk's other endpoints."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils import timezone

from core import clock
from core.http import api_view

from . import selectors, suggestions


@api_view("GET")
def room_suggestions(request: HttpRequest, slug: str) -> JsonResponse:
    room = selectors.help_room(slug)
    return JsonResponse(
        suggestions.suggestions(room=room, viewer=request.user, text=request.GET.get("q"))
    )


@api_view("POST")
def helped(request: HttpRequest, slug: str) -> JsonResponse:
    """ "Yes, this answered it": counted, nothing stored about who."""
    room = selectors.help_room(slug)
    suggestions.count_helped(room=room, today=timezone.localdate(clock.now()))
    return JsonResponse({"counted": True})


def routes() -> list[URLPattern]:
    return [
        path(
            "api/rooms/<slug:slug>/suggestions/",
            room_suggestions,
            name="api-room-suggestions",
        ),
        path(
            "api/rooms/<slug:slug>/suggestions/helped/",
            helped,
            name="api-room-suggestions-helped",
        ),
    ]
