"""The public feed of questions waiting for a reply (helpdesk.feed): Atom at
/helpdesk/feed/ and JSON Feed 1.1 at /helpdesk/feed.json. No sign-in; nothing hidden."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed, get_tag_uri
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from livechat.payloads import iso

from ..feed import FeedEntry, feed_entries

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Relay bots poll; a minute of caching costs them nothing (the feed moves in minutes).
MAX_AGE = 60


def _title() -> str:
    return _("Questions waiting at the wiki help desk")


def _description() -> str:
    minutes = settings.LIVECHAT_ESCALATE_FEED_MINUTES
    return ngettext(
        "Questions that waited %(minutes)d minute in the help desk's chat without a "
        "helper's reply. Follow a link to answer in the room.",
        "Questions that waited %(minutes)d minutes in the help desk's chat without a "
        "helper's reply. Follow a link to answer in the room.",
        minutes,
    ) % {"minutes": minutes}


def _entry_link(request: HttpRequest, entry: FeedEntry) -> str:
    room = reverse("livechat:room", args=[entry.room_slug])
    return request.build_absolute_uri(f"{room}#message-{entry.message_id}")


def _entry_id(link: str, entry: FeedEntry) -> str:
    # A tag URI (RFC 4151) from the link and the day it was asked: stable for ever,
    # whatever happens to the question later.
    return get_tag_uri(link, entry.asked_at)


def _updated(entries: list[FeedEntry]) -> datetime | None:
    return max((entry.updated_at for entry in entries), default=None)


def _respond(
    request: HttpRequest, content: bytes, content_type: str, updated: datetime | None
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    response["ETag"] = etag
    last_modified = int(updated.timestamp()) if updated else None
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    # A bot that sends back the ETag or the time it has gets a 304 and no body.
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )


@require_safe
def atom_feed(request: HttpRequest) -> HttpResponse:
    entries = feed_entries()
    feed = Atom1Feed(
        title=_title(),
        link=request.build_absolute_uri(reverse("livechat:room-list")),
        description=_description(),
        subtitle=_description(),
        language=get_language(),
        feed_url=request.build_absolute_uri(reverse("helpdesk:feed")),
        author_name=_("Wiki help desk"),
    )
    for entry in entries:
        link = _entry_link(request, entry)
        feed.add_item(
            title=entry.title,
            link=link,
            unique_id=_entry_id(link, entry),
            # Atom's summary is HTML here (type="html"): the asker's words are escaped.
            description=format_html(
                "<blockquote><p>{}</p></blockquote><p>{}</p>",
                linebreaksbr(entry.excerpt, autoescape=True),
                entry.status,
            ),
            pubdate=entry.entered_at,
            updateddate=entry.updated_at,
            categories=[entry.room_slug],
        )
    content = feed.writeString("utf-8").encode()
    return _respond(request, content, feed.content_type, _updated(entries))


def _json_item(request: HttpRequest, entry: FeedEntry) -> dict[str, Any]:
    link = _entry_link(request, entry)
    return {
        "id": _entry_id(link, entry),
        "url": link,
        "title": entry.title,
        "content_text": f"{entry.excerpt}\n\n{entry.status}",
        "summary": entry.status,
        "date_published": iso(entry.entered_at),
        "date_modified": iso(entry.updated_at),
        "tags": [entry.room_slug],
        # JSON Feed's extension: the facts a bot may want without parsing sentences.
        "_helpdesk": {
            "question": entry.question_id,
            "message": entry.message_id,
            "room": entry.room_slug,
            "state": entry.state,
            "asked_at": iso(entry.asked_at),
            "first_reply_at": iso(entry.first_reply_at),
            "wait_seconds": entry.wait_seconds,
        },
    }


@require_safe
def json_feed(request: HttpRequest) -> HttpResponse:
    entries = feed_entries()
    feed = {
        "version": JSON_FEED_VERSION,
        "title": _title(),
        "home_page_url": request.build_absolute_uri(reverse("livechat:room-list")),
        "feed_url": request.build_absolute_uri(reverse("helpdesk:feed-json")),
        "description": _description(),
        "language": get_language(),
        "authors": [{"name": _("Wiki help desk")}],
        "items": [_json_item(request, entry) for entry in entries],
    }
    content = json.dumps(feed, ensure_ascii=False, indent=1).encode()
    return _respond(request, content, "application/feed+json; charset=utf-8", _updated(entries))
