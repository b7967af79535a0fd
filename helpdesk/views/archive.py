"""The help rooms' archives (docs/archives.md): the months and days, a day's transcript,
search, message permalinks; and the live room's folded threads (JSON).

Read-only pages for anyone signed in, like the rooms themselves. A bad date or a room
without an archive is a 404 that says what was wrong."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core import clock
from core.errors import Invalid, NotFound
from core.http import api_view
from core.params import from_text, parse_cursor

from .. import archive

Page = Callable[..., HttpResponse]


def _archive_page(view: Page) -> Page:
    """Signed-in readers only; a NotFound becomes a 404 page carrying its sentence."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            return render(
                request, "helpdesk/archive_not_found.html", {"detail": error.detail}, status=404
            )

    return wrapper


@_archive_page
def archive_index(request: HttpRequest, slug: str) -> HttpResponse:
    room = archive.archive_room(slug)
    month = archive.parse_month(request.GET.get("month"))
    index = archive.month_index(room=room, month=month)
    return render(request, "helpdesk/archive_index.html", {"room": room, "index": index})


@_archive_page
def archive_day(request: HttpRequest, slug: str, day: str) -> HttpResponse:
    room = archive.archive_room(slug)
    now = clock.now()
    transcript = archive.day_transcript(
        room=room, day=archive.parse_day(day, now=now), viewer=request.user, now=now
    )
    return render(request, "helpdesk/archive_day.html", {"room": room, "transcript": transcript})


@_archive_page
def archive_message(request: HttpRequest, slug: str, message_id: int) -> HttpResponse:
    """A message's permalink: its day's transcript, at its anchor."""
    room = archive.archive_room(slug)
    day = archive.message_day(room=room, message_id=message_id, viewer=request.user)
    url = reverse("helpdesk:archive-day", args=[room.slug, day.isoformat()])
    return redirect(f"{url}#m-{message_id}")


@_archive_page
def archive_search(request: HttpRequest, slug: str) -> HttpResponse:
    room = archive.archive_room(slug)
    text = request.GET.get("q", "")
    context: dict[str, Any] = {"room": room, "q": text}
    if text.strip():
        try:
            before = parse_cursor(from_text(request.GET.get("before") or None), field="before")
            context["found"] = archive.search(room=room, text=text, before=before)
            context["paged"] = before is not None
        except Invalid as error:
            context["error"] = error.detail
    return render(request, "helpdesk/archive_search.html", context)


@api_view("GET")
def folded_threads(request: HttpRequest, slug: str) -> JsonResponse:
    """``{"threads": [{question_id, message_id, message_ids, asker, resolved_at}]}``:
    the live room's resolved questions to show folded (helpdesk.archive.FOLD_AFTER)."""
    room = archive.archive_room(slug)
    return JsonResponse({"threads": archive.folded_threads(room=room, now=clock.now())})
