"""The helpers' queue page, /helpdesk/ (docs/helpdesk.md "The helpers' queue").

A shell like the room page: its script loads GET /api/helpdesk/queue/ and follows
/ws/helpdesk/. The page itself carries only what the script cannot fetch cheaply: the
viewer, the help rooms' names, and the helper's own settings with the mentors who could
be their backup (the settings form)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import ensure_csrf_cookie

from accounts.roles import is_helper, is_moderator, public_user
from core import clock
from core.errors import Invalid
from livechat.payloads import iso

from .. import selectors
from ..mentor_actions import MAX_AWAY_DAYS, MAX_MUTE_MINUTES, weight_set_on_wiki
from ..models import MentorProfile
from ..selectors import QUEUE_FILTERS, parse_queue_filter

# The mute choices the settings form offers (minutes); 0 unmutes.
MUTE_CHOICES = (30, 60, 120, 240, 480, MAX_MUTE_MINUTES)
# More mentors than this and the backup is typed, not picked (the list would not help).
MAX_BACKUP_CHOICES = 500


@login_required
@ensure_csrf_cookie
def queue_page(request: HttpRequest) -> HttpResponse:
    if not is_helper(request.user):
        return render(
            request,
            "helpdesk/queue.html",
            {"error": _("Only mentors and moderators can see the helpers' queue.")},
            status=403,
        )
    try:
        state = parse_queue_filter(request.GET.get("state"))
    except Invalid:
        state = "unresolved"  # a mistyped link still shows the queue
    user = request.user
    today = clock.now().date()
    profile = selectors.helper_profile(user=user)
    config = {
        "user": public_user(user),
        "moderator": is_moderator(user),
        "state": state,
        "filters": list(QUEUE_FILTERS),
        "rooms": selectors.help_room_names(),
        "claimMinutes": settings.LIVECHAT_CLAIM_MINUTES,
        "mutedUntil": iso(profile.muted_until) if profile else None,
    }
    context: dict[str, Any] = {
        "config": config,
        "state": state,
        "profile": profile,
        "weights": MentorProfile.Weight.choices,
        "weight": profile.weight if profile else MentorProfile.Weight.MEDIUM,
        # Read-only when the wiki's mentor list sets it (it would be overwritten).
        "weight_from_wiki": weight_set_on_wiki(user),
        "mentors": selectors.backup_choices(user=user, limit=MAX_BACKUP_CHOICES),
        "mute_choices": [(minutes, _mute_label(minutes)) for minutes in MUTE_CHOICES],
        "away_min": today.isoformat(),
        "away_max": (today + timedelta(days=MAX_AWAY_DAYS)).isoformat(),
    }
    return render(request, "helpdesk/queue.html", context)


def _mute_label(minutes: int) -> str:
    if minutes < 60:
        return ngettext("For %(count)d minute", "For %(count)d minutes", minutes) % {
            "count": minutes
        }
    hours = minutes // 60
    return ngettext("For %(count)d hour", "For %(count)d hours", hours) % {"count": hours}
