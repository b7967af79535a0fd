"""HTML pages. The room page is a shell: its script loads history over the JSON API and
follows the room over the socket."""

from __future__ import annotations

from typing import Any

from csp.constants import SELF
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie

from accounts import widget_tokens
from accounts.models import User
from accounts.roles import is_helper, public_user
from core.errors import NotFound

from . import selectors
from .formatting import EMOJI_SHORTCODES
from .models import Room
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


def _room_or_404(slug: str) -> Room:
    try:
        return selectors.get_room(slug)
    except NotFound as error:
        raise Http404(error.detail) from None


def _token_user(request: HttpRequest) -> User | None:
    """The user of a widget token posted by the widget's frame. Only a frame may post one
    (``Sec-Fetch-Dest``, which pages cannot forge): another site's page could otherwise
    open the chat signed in as someone else by posting its own token. Browsers too old to
    send the header are taken at their word, as the form is useless to them anyway."""
    if request.method != "POST" or request.headers.get("Sec-Fetch-Dest", "iframe") != "iframe":
        return None
    return widget_tokens.user_for(request.POST.get("token", ""))


def _room_context(request: HttpRequest, slug: str, *, embedded: bool) -> dict[str, Any]:
    room = _room_or_404(slug)
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
@csrf_exempt  # the token form, which a frame without cookies posts: see _token_user
@ensure_csrf_cookie
def room_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The help-panel widget: the same conversation in a ~360×600 panel, meant for an
    iframe on the wiki. Only LIVECHAT_EMBED_ORIGINS may frame it (CSP frame-ancestors);
    every other page refuses to be framed at all (frame-ancestors 'none').

    Signed out, it offers to sign in: wikis refuse to be framed, so through a popup, which
    hands the frame a token (accounts.widget_tokens) that the frame posts here when the
    browser gives it no cookies (docs/wiki.md, "The widget")."""
    token_user = _token_user(request)
    if token_user is not None:
        request.user = token_user
    if request.user.is_authenticated:
        context = _room_context(request, slug, embedded=True)
        if token_user is not None:
            context["config"].update(
                token=widget_tokens.issue(token_user),
                tokenRefreshUrl=reverse("widget-token"),
                tokenSeconds=settings.LIVECHAT_WIDGET_TOKEN_SECONDS,
            )
        response = render(request, "livechat/embed.html", context)
    else:
        response = render(
            request,
            "livechat/embed_signin.html",
            {
                "room": _room_or_404(slug),
                "token_rejected": request.method == "POST",
                "popup_url": reverse("widget-sign-in"),
            },
        )
    # The page's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY, django-csp)
    # with the wiki's origins as the only ones that may frame it.
    response._csp_replace = {  # type: ignore[attr-defined]
        "frame-ancestors": [SELF, *settings.LIVECHAT_EMBED_ORIGINS]
    }
    return response
