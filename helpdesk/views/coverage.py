"""The coverage page and its JSON (docs/coverage.md): for mentors and moderators only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import is_helper
from core import clock
from core.errors import DomainError, Forbidden
from core.http import api_view
from core.params import from_text
from livechat.models import Room

from .. import coverage


def _require_helper(request: HttpRequest) -> None:
    if not is_helper(request.user):
        raise Forbidden(_("Only mentors and moderators can see the help desk's coverage."))


def _parameters(request: HttpRequest, rooms: list[Room]) -> tuple[Room | None, int]:
    # The room is a slug, never a number: a room called "2024" stays text.
    room = coverage.parse_room(request.GET.get("room"), rooms=rooms)
    return room, coverage.parse_days(from_text(request.GET.get("days")))


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "periods": coverage.PERIODS,
        "selected_room": request.GET.get("room", ""),
        "selected_days": request.GET.get("days", str(coverage.DEFAULT_DAYS)),
    }
    try:
        _require_helper(request)
        rooms = coverage.help_rooms()
        context["rooms"] = rooms
        room, days = _parameters(request, rooms)
    except DomainError as error:
        context["error"] = error.detail
        return render(request, "helpdesk/coverage.html", context, status=error.status)
    now = clock.now()
    coverage.ensure_sampling(now=now)
    data = coverage.coverage(room=room, days=days, now=now)
    context.update(
        data=data,
        room=room,
        days=days,
        selected_days=str(days),
        median=coverage.describe_duration(data["first_reply"]["median_seconds"]),
        p90=coverage.describe_duration(data["first_reply"]["p90_seconds"]),
        within=[_within_row(row) for row in data["within"]],
        feed_minutes=settings.LIVECHAT_ESCALATE_FEED_MINUTES,
    )
    return render(request, "helpdesk/coverage.html", context)


@api_view("GET")
def coverage_json(request: HttpRequest) -> JsonResponse:
    _require_helper(request)
    rooms = coverage.help_rooms()
    room, days = _parameters(request, rooms)
    now = clock.now()
    coverage.ensure_sampling(now=now)
    data = coverage.coverage(room=room, days=days, now=now)
    data["rooms"] = [{"slug": room.slug, "name": room.name} for room in rooms]
    return JsonResponse(data)


def _within_row(row: dict[str, Any]) -> dict[str, Any]:
    share = row["share"]
    return {
        **row,
        "label": _("Within %(duration)s")
        % {"duration": coverage.describe_duration(row["seconds"])},
        "percent": None if share is None else round(share * 100),
        "of": ngettext(
            "%(answered)d of %(count)d question",
            "%(answered)d of %(count)d questions",
            row["eligible"],
        )
        % {"answered": row["answered"], "count": row["eligible"]},
    }
