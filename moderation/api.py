"""Moderation's JSON endpoints (docs/api.md "Moderation"), registered into livechat's API
from ``ModerationConfig.ready()``. Thin: parse, call one action, answer."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path

from core.http import api_view, json_body
from core.params import from_text, parse_id

from . import actions


@api_view("POST")
def message_hide(request: HttpRequest, message_id: int, hidden: bool = True) -> JsonResponse:
    data = json_body(request)
    change = actions.hide_message(
        moderator=request.user,
        message_id=parse_id(from_text(message_id), field="message_id"),
        reason=data.get("reason"),
        hidden=hidden,
    )
    return JsonResponse(change.payload)


@api_view("POST")
def message_report(request: HttpRequest, message_id: int) -> JsonResponse:
    data = json_body(request)
    report = actions.report_message(
        user=request.user,
        message_id=parse_id(from_text(message_id), field="message_id"),
        reason=data.get("reason"),
    )
    return JsonResponse({"report": {"id": report.pk, "message_id": report.message_id}}, status=201)


def routes() -> list[URLPattern]:
    return [
        path("api/messages/<int:message_id>/hide/", message_hide, name="api-message-hide"),
        path(
            "api/messages/<int:message_id>/unhide/",
            message_hide,
            {"hidden": False},
            name="api-message-unhide",
        ),
        path("api/messages/<int:message_id>/report/", message_report, name="api-message-report"),
    ]
