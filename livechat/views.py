"""HTML pages. The room page is a shell: its script loads history over the JSON API and
follows the room over the socket."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import ensure_csrf_cookie

from accounts.roles import is_helper, public_user
from core.errors import NotFound

from . import selectors
from .formatting import EMOJI_SHORTCODES
from .payloads import room_ref


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    rooms = list(selectors.list_rooms())
    unread = selectors.unread_counts(user=request.user, rooms=rooms)
    return render(
        request,
        "livechat/room_list.html",
        {"rooms": [(room, unread.get(room.pk, 0)) for room in rooms]},
    )


def _room_context(request: HttpRequest, slug: str, *, embedded: bool) -> dict[str, Any]:
    try:
        room = selectors.get_room(slug)
    except NotFound as error:
        raise Http404(error.detail) from None
    # A help room shows what to expect above the message box (the help desk's banner,
    # templates/helpdesk/room_banner.html), from the availability API it registered.
    help_room = room.slug in settings.LIVECHAT_HELP_ROOMS
    config = {
        "room": room_ref(room),
        "user": public_user(request.user),
        # Superusers answer questions too, without a helper role in their payload.
        "helper": is_helper(request.user),
        "maxLength": settings.LIVECHAT_MAX_MESSAGE_LENGTH,
        "emoji": ["👍", "❤️", "😂", "🎉", "🤔", "🙏"],
        "shortcodes": EMOJI_SHORTCODES,
        "embedded": embedded,
        # Where the "new" divider goes on entry: the first message after this one.
        "lastReadMessageId": selectors.last_read_message_id(user=request.user, room=room),
        "helpRooms": settings.LIVECHAT_HELP_ROOMS,
        "help": help_room,
        "availabilityUrl": reverse("livechat:api-room-availability", args=[room.slug])
        if help_room
        else None,
        # The page asks for history pages of the size the server is configured for.
        "historyPageSize": settings.LIVECHAT_HISTORY_PAGE_SIZE,
    }
    return {"room": room, "rooms": selectors.list_rooms(), "config": config}


@login_required
@ensure_csrf_cookie
def room_page(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "livechat/room.html", _room_context(request, slug, embedded=False))


@xframe_options_exempt
@login_required
@ensure_csrf_cookie
def room_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The help-panel widget: the same conversation in a ~360×600 panel, meant for an
    iframe on the wiki. Only LIVECHAT_EMBED_ORIGINS may frame it (CSP frame-ancestors);
    every other page refuses to be framed at all (livechat.middleware)."""
    response = render(request, "livechat/embed.html", _room_context(request, slug, embedded=True))
    ancestors = " ".join(["'self'", *settings.LIVECHAT_EMBED_ORIGINS])
    response["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return response
