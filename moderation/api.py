"""Moderation's JSON endpoints (docs/api.md "Moderation"), registered into livechat's API
from ``ModerationConfig.ready()``. Thin: parse, call one action, answer. Who may do what
is the actions' to say (``require_moderator``); the two reads here ask the same check."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import adopt_role_flags, public_user, with_role_flags
from core.errors import Invalid, NotFound
from core.http import api_view, json_body
from core.params import from_text, parse_cursor, parse_id, parse_limit
from livechat.models import Room
from livechat.payloads import iso, message_payload

from . import actions
from .models import Block, Report

PAGE_SIZE = 50
MAX_PAGE = 100
MAX_ROOMS = 100
# Longer than this is what an indefinite block is for.
MAX_BLOCK_SECONDS = 3650 * 24 * 3600

REPORT_STATUSES = (*Report.Status.values, "all")
BLOCK_STATUSES = (*Block.Status.values, "all")


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
    actions.require_moderator(request.user)
    status = _choice(request.GET.get("status"), field="status", choices=REPORT_STATUSES)
    after = parse_cursor(from_text(request.GET.get("after")), field="after")
    limit = parse_limit(from_text(request.GET.get("limit")), default=PAGE_SIZE, maximum=MAX_PAGE)
    queryset = Report.objects.with_status(status or Report.Status.OPEN).select_related(
        "message__room", "message__author", "reporter", "resolved_by"
    )
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    # A queue: oldest first. Ids grow with time, so the id is the cursor.
    rows = list(queryset.order_by("pk")[: limit + 1])
    page = rows[:limit]
    _load_roles(u for r in page for u in (r.reporter, r.message.author, r.resolved_by))
    return JsonResponse(
        {"reports": [report_payload(r) for r in page], "has_more": len(rows) > limit}
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
        data = json_body(request)
        block = actions.place_block(
            moderator=request.user,
            user=_user(data),
            reason=data.get("reason"),
            **_block_terms(data),
        )
        return JsonResponse({"block": block_payload(block)}, status=201)
    actions.require_moderator(request.user)
    status = _choice(request.GET.get("status"), field="status", choices=BLOCK_STATUSES)
    user_id = from_text(request.GET.get("user"))
    before = parse_cursor(from_text(request.GET.get("before")), field="before")
    limit = parse_limit(from_text(request.GET.get("limit")), default=PAGE_SIZE, maximum=MAX_PAGE)
    queryset = Block.objects.all()
    if status != "all":
        queryset = queryset.with_status(status or Block.Status.ACTIVE)
    if user_id is not None and user_id != "":
        queryset = queryset.filter(user_id=parse_id(user_id, field="user"))
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    # Newest first, as the admin's list; the id is the cursor.
    queryset = queryset.select_related("user", "created_by", "lifted_by").prefetch_related("rooms")
    rows = list(queryset.order_by("-pk")[: limit + 1])
    page = rows[:limit]
    now = timezone.now()
    _load_roles(u for b in page for u in (b.user, b.created_by, b.lifted_by))
    return JsonResponse(
        {"blocks": [block_payload(b, now=now) for b in page], "has_more": len(rows) > limit}
    )


@api_view("POST")
def block_lift(request: HttpRequest, block_id: int) -> JsonResponse:
    data = json_body(request)
    block = actions.lift_block(
        moderator=request.user, block=from_text(block_id), reason=data.get("reason")
    )
    return JsonResponse({"block": block_payload(block)})


# --- what the answers carry ----------------------------------------------------------------


def _person(user: User | None) -> dict[str, object] | None:
    return None if user is None else public_user(user)


def report_payload(report: Report) -> dict[str, Any]:
    """A report as moderators see it: the whole message, hidden text included."""
    return {
        "id": report.pk,
        "status": report.status,
        "outcome": report.outcome or None,
        "reason": report.reason,
        "created_at": iso(report.created_at),
        "reporter": public_user(report.reporter),
        "message": message_payload(report.message),
        "resolved_by": _person(report.resolved_by),
        "resolved_at": iso(report.resolved_at),
        "note": report.resolution_note,
    }


def block_payload(block: Block, *, now: datetime | None = None) -> dict[str, Any]:
    """A block as moderators see it. ``created_by`` is null when an abuse filter placed
    it."""
    return {
        "id": block.pk,
        "user": public_user(block.user),
        "scope": block.scope,
        "rooms": sorted(room.slug for room in block.rooms.all()),
        "reason": block.reason,
        "status": block.status(now),
        "created_at": iso(block.created_at),
        "created_by": _person(block.created_by),
        "expires_at": iso(block.expires_at),
        "lifted_at": iso(block.lifted_at),
        "lifted_by": _person(block.lifted_by),
        "lift_reason": block.lift_reason,
    }


def _load_roles(users: Iterable[User | None]) -> None:
    """Every user's roles in one query rather than one per user (public_user reads them)."""
    by_id: dict[int, list[User]] = {}
    for user in users:
        if user is not None:
            by_id.setdefault(user.pk, []).append(user)
    if not by_id:
        return
    for row in with_role_flags(User.objects.filter(pk__in=by_id)):
        for user in by_id[row.pk]:
            adopt_role_flags(user, row)


# --- client input --------------------------------------------------------------------------


def _choice(value: str | None, *, field: str, choices: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        raise Invalid(
            _("%(field)s must be one of %(choices)s.")
            % {"field": field, "choices": ", ".join(choices)},
            field=field,
        )
    return value


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
