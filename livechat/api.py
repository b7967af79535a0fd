"""The JSON API (docs/api.md). Views are thin: parse, call one action or selector, answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from . import actions, selectors
from .errors import ChatError, Forbidden, Invalid
from .guard import moderation
from .presence import online_counts, online_users

View = Callable[..., JsonResponse]


def error_response(error: ChatError) -> JsonResponse:
    return JsonResponse({"error": error.as_dict()}, status=error.status)


def api_view(*methods: str) -> Callable[[View], View]:
    """Session-authenticated JSON view: domain errors become ``{"error": {...}}``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method not in methods:
                response = error_response(
                    Invalid(f"{request.method} is not allowed here; use {' or '.join(methods)}.")
                )
                response.status_code = 405
                response["Allow"] = ", ".join(methods)
                return response
            if not request.user.is_authenticated:
                return error_response(Forbidden("Sign in to use the chat."))
            try:
                return view(request, *args, **kwargs)
            except ChatError as error:
                return error_response(error)

        return wrapper

    return decorate


def json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Invalid("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.")
    return data


def path_id(value: str, *, field: str) -> int:
    # URL converters already ensure digits; this keeps the error sentence consistent.
    return actions.clean_id(int(value), field=field)


@api_view("GET")
def rooms(request: HttpRequest) -> JsonResponse:
    room_list = list(selectors.list_rooms())
    unread = selectors.unread_counts(user=request.user, rooms=room_list)
    online = online_counts([room.pk for room in room_list])
    return JsonResponse(
        {
            "rooms": [
                {
                    "slug": room.slug,
                    "name": room.name,
                    "description": room.description,
                    "online_count": online.get(room.pk, 0),
                    "unread_count": unread.get(room.pk, 0),
                    "last_event_id": room.last_event_id,
                    "help": room.slug in settings.LIVECHAT_HELP_ROOMS,
                }
                for room in room_list
            ]
        }
    )


@api_view("GET", "POST")
def room_messages(request: HttpRequest, slug: str) -> JsonResponse:
    room = selectors.get_room(slug)
    if request.method == "POST":
        data = json_body(request)
        change = actions.send_message(
            user=request.user,
            room=room,
            body=data.get("body"),
            client_id=data.get("client_id"),
            reply_to=data.get("reply_to"),
        )
        return JsonResponse(change.payload, status=201 if change.created else 200)
    page = selectors.history_page(
        room=room,
        viewer=request.user,
        before=selectors.parse_cursor(request.GET.get("before"), field="before"),
        limit=selectors.parse_limit(
            request.GET.get("limit"), default=50, maximum=selectors.MAX_PAGE
        ),
    )
    return JsonResponse(
        {"messages": page.messages, "has_more": page.has_more, "thanked": page.thanked}
    )


@api_view("GET")
def room_events(request: HttpRequest, slug: str) -> JsonResponse:
    room = selectors.get_room(slug)
    after = selectors.parse_cursor(request.GET.get("after"), field="after")
    if after is None:
        raise Invalid("after is required: the last event id you hold (0 for none).")
    page = selectors.events_page(
        room=room,
        viewer=request.user,
        after=after,
        limit=selectors.parse_limit(request.GET.get("limit"), default=500, maximum=1000),
    )
    return JsonResponse(
        {"events": page.events, "last_event_id": page.last_event_id, "has_more": page.has_more}
    )


@api_view("GET", "PATCH")
def message_detail(request: HttpRequest, message_id: str) -> JsonResponse:
    pk = path_id(message_id, field="message_id")
    if request.method == "GET":
        return JsonResponse(selectors.message_for(message_id=pk, viewer=request.user))
    data = json_body(request)
    change = actions.edit_message(
        user=request.user,
        message_id=pk,
        body=data.get("body"),
        base_revision=data.get("base_revision"),
    )
    return JsonResponse(change.payload)


@api_view("GET")
def message_revisions(request: HttpRequest, message_id: str) -> JsonResponse:
    pk = path_id(message_id, field="message_id")
    return JsonResponse({"revisions": selectors.revisions(message_id=pk, viewer=request.user)})


@api_view("POST")
def message_reactions(request: HttpRequest, message_id: str) -> JsonResponse:
    pk = path_id(message_id, field="message_id")
    data = json_body(request)
    change = actions.toggle_reaction(user=request.user, message_id=pk, emoji=data.get("emoji"))
    return JsonResponse(change.payload)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """API clients get the error shape they parse everywhere else, with the reason."""
    from django.views.csrf import csrf_failure as html_failure

    if request.path.startswith("/api/"):
        return error_response(
            Forbidden(
                f"CSRF check failed ({reason}). Send the csrftoken cookie's value in the "
                "X-CSRFToken header."
            )
        )
    return html_failure(request, reason=reason)


@api_view("POST")
def message_hide(request: HttpRequest, message_id: str, hidden: bool = True) -> JsonResponse:
    data = json_body(request)
    change = moderation().hide_message(
        moderator=request.user,
        message_id=path_id(message_id, field="message_id"),
        reason=data.get("reason"),
        hidden=hidden,
    )
    return JsonResponse(change.payload)


@api_view("POST")
def message_report(request: HttpRequest, message_id: str) -> JsonResponse:
    data = json_body(request)
    report = moderation().report_message(
        user=request.user,
        message_id=path_id(message_id, field="message_id"),
        reason=data.get("reason"),
    )
    return JsonResponse({"report": {"id": report.pk, "message_id": report.message_id}}, status=201)


@api_view("POST")
def message_thanks(request: HttpRequest, message_id: str) -> JsonResponse:
    thanks = actions.thank(user=request.user, message_id=path_id(message_id, field="message_id"))
    return JsonResponse({"thanks": {"message_id": thanks.message_id}}, status=201)


@api_view("GET")
def users(request: HttpRequest) -> JsonResponse:
    """@mention completion: ``?prefix=al&room=help-desk``."""
    room = None
    online: list[dict[str, Any]] = []
    if request.GET.get("room"):
        room = selectors.get_room(request.GET["room"])
        online = online_users(room.pk)
    return JsonResponse(
        {
            "users": selectors.complete_usernames(
                prefix=request.GET.get("prefix", ""), room=room, online=online
            )
        }
    )


@api_view("GET")
def notifications(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        selectors.notifications_page(
            user=request.user,
            before=selectors.parse_cursor(request.GET.get("before"), field="before"),
            limit=selectors.parse_limit(request.GET.get("limit"), default=20, maximum=100),
        )
    )


@api_view("POST")
def notifications_read(request: HttpRequest) -> JsonResponse:
    """``{"ids": [...]}`` marks those read; ``{"all": true}`` marks every one."""
    data = json_body(request)
    if data.get("all") is True:
        changed = actions.mark_notifications_read(user=request.user)
    elif "ids" in data:
        changed = actions.mark_notifications_read(user=request.user, ids=data["ids"])
    else:
        raise Invalid('Send {"ids": [...]} or {"all": true}.')
    return JsonResponse({"marked": changed})
