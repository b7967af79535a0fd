"""The chat's JSON API (docs/api.md). Views are thin: parse, call one action or selector,
answer. Other apps' endpoints (moderation) plug in through livechat.routes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from core import clock
from core.errors import Forbidden, Invalid
from core.http import api_view, error_response, json_body
from core.params import from_text, parse_cursor, parse_id, parse_limit, require_cursor

from . import actions, selectors
from .payloads import room_summary, send_answer
from .presence import online_counts, online_users


def _query(request: HttpRequest, name: str) -> object:
    return from_text(request.GET.get(name))


@api_view("GET")
def rooms(request: HttpRequest) -> JsonResponse:
    room_list = list(selectors.list_rooms())
    unread = selectors.unread_counts(user=request.user, rooms=room_list)
    online = online_counts([room.pk for room in room_list])
    summaries = [
        room_summary(room, online_count=online.get(room.pk, 0), unread_count=unread.get(room.pk, 0))
        for room in room_list
    ]
    return JsonResponse({"rooms": summaries})


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
        # The message, plus where it sits in the log: what the socket's `ack` says.
        answer = {**change.payload, "event_id": send_answer(change)["event_id"]}
        return JsonResponse(answer, status=201 if change.created else 200)
    page = selectors.history_page(
        room=room,
        viewer=request.user,
        before=parse_cursor(_query(request, "before"), field="before"),
        limit=parse_limit(
            _query(request, "limit"),
            default=settings.LIVECHAT_HISTORY_PAGE_SIZE,
            maximum=selectors.MAX_PAGE,
        ),
        # A help room's live view ends at its live window; earlier days are archived.
        since=selectors.live_window_start(room=room, now=clock.now()),
    )
    return JsonResponse(
        {"messages": page.messages, "has_more": page.has_more, "thanked": page.thanked}
    )


@api_view("GET")
def room_events(request: HttpRequest, slug: str) -> JsonResponse:
    room = selectors.get_room(slug)
    page = selectors.events_page(
        room=room,
        viewer=request.user,
        after=require_cursor(_query(request, "after"), field="after"),
        limit=parse_limit(
            _query(request, "limit"),
            default=settings.LIVECHAT_EVENTS_PAGE_SIZE,
            maximum=selectors.MAX_EVENTS_PAGE,
        ),
    )
    return JsonResponse(
        {"events": page.events, "last_event_id": page.last_event_id, "has_more": page.has_more}
    )


@api_view("GET", "PATCH")
def message_detail(request: HttpRequest, message_id: int) -> JsonResponse:
    pk = parse_id(message_id, field="message_id")
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
def message_revisions(request: HttpRequest, message_id: int) -> JsonResponse:
    pk = parse_id(message_id, field="message_id")
    return JsonResponse({"revisions": selectors.revisions(message_id=pk, viewer=request.user)})


@api_view("POST")
def message_reactions(request: HttpRequest, message_id: int) -> JsonResponse:
    data = json_body(request)
    change = actions.toggle_reaction(
        user=request.user,
        message_id=parse_id(message_id, field="message_id"),
        emoji=data.get("emoji"),
    )
    return JsonResponse(change.payload)


@api_view("POST")
def message_thanks(request: HttpRequest, message_id: int) -> JsonResponse:
    thanks = actions.thank(user=request.user, message_id=parse_id(message_id, field="message_id"))
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
            before=parse_cursor(_query(request, "before"), field="before"),
            limit=parse_limit(
                _query(request, "limit"), default=20, maximum=selectors.MAX_NOTIFICATIONS_PAGE
            ),
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
        raise Invalid(_('Send {"ids": [...]} or {"all": true}.'))
    return JsonResponse({"marked": changed})


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """API clients get the error shape they parse everywhere else, with the reason."""
    from django.views.csrf import csrf_failure as html_failure

    if request.path.startswith("/api/"):
        return error_response(
            Forbidden(
                _(
                    "CSRF check failed (%(reason)s). Send the csrftoken cookie's value in the "
                    "X-CSRFToken header."
                )
                % {"reason": reason}
            )
        )
    return html_failure(request, reason=reason)
