"""Moderation's JSON endpoints (docs/api.md "Moderation"), registered into livechat's API
from ``ModerationConfig.ready()``. Thin: parse, call one action or selector, answer. Who may
do what is the actions' to say (``require_moderator``); the selectors ask the same check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from core.errors import Invalid, NotFound
from core.http import api_view, json_body
from core.params import from_text, parse_choice, parse_cursor, parse_id, parse_limit
from livechat.models import Room

from . import actions, selectors
from .models import Block, Report
from .payloads import block_payload, report_payload

PAGE_SIZE = 50
MAX_PAGE = 100
MAX_ROOMS = 100
# Longer than this is what an indefinite block is for.
MAX_BLOCK_SECONDS = 3650 * 24 * 3600

REPORT_STATUSES = (*Report.Status.values, "all")
BLOCK_STATUSES = (*Block.Status.values, "all")


def _query(request: HttpRequest, name: str) -> object:
    return from_text(request.GET.get(name))


# --- messages: hiding, reporting -----------------------------------------------------------


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


# --- the report queue ----------------------------------------------------------------------


@api_view("GET")
def reports(request: HttpRequest) -> JsonResponse:
    page = selectors.report_queue(
        viewer=request.user,
        status=parse_choice(_query(request, "status"), field="status", choices=REPORT_STATUSES),
        after=parse_cursor(_query(request, "after"), field="after"),
        limit=parse_limit(_query(request, "limit"), default=PAGE_SIZE, maximum=MAX_PAGE),
    )
    return JsonResponse(
        {"reports": [report_payload(r) for r in page.rows], "has_more": page.has_more}
    )


@api_view("POST")
def report_resolve(request: HttpRequest, report_id: int) -> JsonResponse:
    data = json_body(request)
    report = actions.resolve_report(
        moderator=request.user,
        report=from_text(report_id),
        outcome=data.get("outcome"),
        note=data.get("note"),
    )
    return JsonResponse({"report": report_payload(report)})


@api_view("POST")
def report_hide(request: HttpRequest, report_id: int) -> JsonResponse:
    data = json_body(request)
    report = actions.hide_and_resolve(
        moderator=request.user, report=from_text(report_id), note=data.get("note")
    )
    return JsonResponse({"report": report_payload(report)})


@api_view("POST")
def report_block(request: HttpRequest, report_id: int) -> JsonResponse:
    data = json_body(request)
    block, report = actions.block_and_resolve(
        moderator=request.user,
        report=from_text(report_id),
        reason=data.get("reason"),
        **_block_terms(data),
    )
    return JsonResponse(
        {"block": block_payload(block), "report": report_payload(report)}, status=201
    )


# --- blocks --------------------------------------------------------------------------------


@api_view("GET", "POST")
def blocks(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        # Who may block, before what they sent: a newcomer learns nothing from the checks
        # of a form they cannot use (tests/test_authz_matrix.py).
        actions.require_moderator(request.user)
        data = json_body(request)
        block = actions.place_block(
            moderator=request.user,
            user=_user(data),
            reason=data.get("reason"),
            **_block_terms(data),
        )
        return JsonResponse({"block": block_payload(block)}, status=201)
    user = _query(request, "user")
    page = selectors.block_list(
        viewer=request.user,
        status=parse_choice(_query(request, "status"), field="status", choices=BLOCK_STATUSES),
        user_id=None if user in (None, "") else parse_id(user, field="user"),
        before=parse_cursor(_query(request, "before"), field="before"),
        limit=parse_limit(_query(request, "limit"), default=PAGE_SIZE, maximum=MAX_PAGE),
    )
    now = clock.now()
    return JsonResponse(
        {"blocks": [block_payload(b, now=now) for b in page.rows], "has_more": page.has_more}
    )


@api_view("POST")
def block_lift(request: HttpRequest, block_id: int) -> JsonResponse:
    data = json_body(request)
    block = actions.lift_block(
        moderator=request.user, block=from_text(block_id), reason=data.get("reason")
    )
    return JsonResponse({"block": block_payload(block)})


# --- client input --------------------------------------------------------------------------


def _user(data: dict[str, Any]) -> User:
    """Who to block: ``user_id``, or else ``username`` (as the admin's form finds it)."""
    if data.get("user_id") is not None:
        pk = parse_id(data["user_id"], field="user_id")
        user = User.objects.filter(pk=pk).first()
        if user is None:
            raise NotFound(_("There is no user with id %(id)s.") % {"id": pk}, field="user_id")
        return user
    name = data.get("username")
    if not isinstance(name, str) or not name.strip():
        raise Invalid(_("Give user_id or username: who to block."), field="user_id")
    user = actions.user_named(name)
    if user is None:
        raise NotFound(
            _("There is no user called “%(name)s”.") % {"name": name.strip()}, field="username"
        )
    return user


def _block_terms(data: dict[str, Any]) -> dict[str, Any]:
    """Where and how long: ``rooms`` (slugs; absent for a site-wide block), and
    ``duration_seconds`` or ``expires_at`` (neither for an indefinite block)."""
    return {
        "rooms": _rooms(data.get("rooms")),
        "duration": _duration(data.get("duration_seconds")),
        "expires_at": _expires_at(data.get("expires_at")),
    }


def _rooms(value: object) -> list[Room] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not value
        or len(value) > MAX_ROOMS
        or not all(isinstance(slug, str) for slug in value)
    ):
        raise Invalid(
            _(
                "rooms must be a list of 1 to %(maximum)d room slugs; leave it out for a "
                "site-wide block."
            )
            % {"maximum": MAX_ROOMS},
            field="rooms",
        )
    found = {room.slug: room for room in Room.objects.filter(slug__in=value)}
    missing = [slug for slug in value if slug not in found]
    if missing:
        raise NotFound(
            _("There is no room called “%(slug)s”.") % {"slug": missing[0]}, field="rooms"
        )
    return [found[slug] for slug in dict.fromkeys(value)]


def _duration(value: object) -> timedelta | None:
    if value is None:
        return None
    seconds = parse_id(value, field="duration_seconds")
    if seconds > MAX_BLOCK_SECONDS:
        raise Invalid(
            _(
                "duration_seconds may be at most %(maximum)d (ten years); leave it out for an "
                "indefinite block."
            )
            % {"maximum": MAX_BLOCK_SECONDS},
            field="duration_seconds",
        )
    return timedelta(seconds=seconds)


def _expires_at(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        when = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None:
        raise Invalid(
            _("expires_at must be a time in ISO 8601, such as 2026-12-01T12:00:00Z."),
            field="expires_at",
        )
    # Times on the wire are UTC; one without an offset is read as UTC too.
    return when if timezone.is_aware(when) else when.replace(tzinfo=UTC)


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
        path("api/reports/", reports, name="api-reports"),
        path("api/reports/<int:report_id>/resolve/", report_resolve, name="api-report-resolve"),
        path("api/reports/<int:report_id>/hide/", report_hide, name="api-report-hide"),
        path("api/reports/<int:report_id>/block/", report_block, name="api-report-block"),
        path("api/blocks/", blocks, name="api-blocks"),
        path("api/blocks/<int:block_id>/lift/", block_lift, name="api-block-lift"),
    ]
