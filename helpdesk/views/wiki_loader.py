"""The chat on the wiki's pages (docs/wiki.md, "The chat on the wiki's pages"): the script a
wiki loads as a gadget or from MediaWiki:Common.js, and the indicator it polls. Both are
public: the wiki's readers are not signed in to the chat (the widget signs them in)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from core import clock
from core.errors import NotFound
from core.http import error_response

from .. import selectors

LOADER = "helpdesk/wiki-loader.js"
# Browsers and the wiki's caches may keep the script a while; a deployment changes it rarely.
LOADER_MAX_AGE = 300
STATUS_MAX_AGE = 30
MAX_NAME = 255


def _room_slug(request: HttpRequest) -> str:
    return request.GET.get("room") or settings.LIVECHAT_HELP_ROOMS[0]


@require_safe
def loader_script(request: HttpRequest) -> HttpResponse:
    """The loader, followed by the call that starts it with this chat's address, the help
    room and the words it shows, in the reader's language."""
    origin = request.build_absolute_uri("/").rstrip("/")
    slug = _room_slug(request)
    config = {
        "widgetUrl": origin + reverse("livechat:room-embed", args=[slug]),
        "statusUrl": f"{origin}{reverse('wiki-status')}?room={slug}",
        "strings": {
            "button": _("Help chat"),
            "title": _("Help desk chat"),
            "close": _("Close the help chat"),
        },
    }
    path = finders.find(LOADER)
    with open(path, encoding="utf-8") as source:  # type: ignore[arg-type]
        script = source.read()
    body = f"{script}\nwindow.livechatHelpChat({json.dumps(config)});\n"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=LOADER_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language"])
    return response


@require_safe
def wiki_status(request: HttpRequest) -> HttpResponse:
    """The indicator, for the wiki's origins (CORS): helpers online, and for the wiki's
    helpers the questions waiting."""
    try:
        room = selectors.help_room(_room_slug(request))
    except NotFound as error:
        return _cors(request, error_response(error))
    name = request.GET.get("user", "")[:MAX_NAME]
    status = selectors.wiki_indicator(room=room, wiki_name=name, now=clock.now())
    status.update(_words(status))
    response = JsonResponse(status)
    patch_cache_control(response, public=True, max_age=STATUS_MAX_AGE)
    return _cors(request, response)


def _words(status: dict[str, Any]) -> dict[str, str]:
    """The badge's text and the button's tooltip, in the reader's language."""
    online = status["helpers_online"]
    title = ngettext("%(count)d helper online", "%(count)d helpers online", online) % {
        "count": online
    }
    if status["helper"]:
        waiting = status["waiting"]
        label = ngettext("%(count)d question waiting", "%(count)d questions waiting", waiting) % {
            "count": waiting
        }
        return {"label": label, "title": title}
    if not online:
        return {"label": "", "title": _("No helpers online right now; you can still ask.")}
    return {"label": title, "title": title}


def _cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # Only the wikis allowed to frame the widget read the indicator from their pages.
    origin = request.headers.get("Origin", "")
    if origin in settings.LIVECHAT_EMBED_ORIGINS:
        response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin", "Accept-Language"])
    return response
