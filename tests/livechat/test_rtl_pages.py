"""Right to left in the server's HTML: <html dir> follows the language (pages, emails, the
moderation admin), and what people typed is marked dir="auto" and names isolated in <bdi>,
so each keeps its own direction whatever the page's. The mirrored layout itself is pinned
in Chromium (tests/e2e/test_rtl.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests.helpdesk.helpers import say

pytestmark = pytest.mark.django_db

ARABIC = "كيف أضيف مصدرًا؟"


@pytest.fixture
def arabic(settings: Any) -> None:
    """Arabic among the languages, whether or not its catalog has shipped yet."""
    settings.LANGUAGES = [("en", "English"), ("ar", "العربية")]


def get(user, path: str, language: str = "en") -> str:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def html_tag(html: str) -> str:
    match = re.search(r"<html[^>]*>", html)
    assert match, "no <html> tag"
    return match.group(0)


def test_it_lays_the_room_out_left_to_right_in_english(alice, room):
    assert html_tag(get(alice, "/rooms/help-desk/")) == '<html lang="en" dir="ltr">'


def test_it_lays_the_room_out_right_to_left_in_arabic(arabic, alice, room):
    assert html_tag(get(alice, "/rooms/help-desk/", "ar")) == '<html lang="ar" dir="rtl">'


def test_the_message_box_and_the_signed_in_name_keep_their_own_direction(alice, room):
    html = get(alice, "/rooms/help-desk/")

    assert re.search(r'<textarea id="composer-input" dir="auto"', html)
    assert re.search(r'<span class="account-name" dir="auto"[^>]*>Alice</span>', html)


def test_the_widgets_open_in_a_new_tab_arrow_turns_round(arabic, alice, room):
    html = get(alice, "/rooms/help-desk/embed/", "ar")

    assert html_tag(html) == '<html lang="ar" dir="rtl">'
    assert '<span class="icon-mirror" aria-hidden="true">↗</span>' in html


def test_an_archived_message_takes_its_own_direction(arabic, settings, alice, mentor, room, clock):
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    clock.set(datetime(2026, 11, 5, 9, 30, tzinfo=UTC))
    say(alice, room, ARABIC)
    clock.set(datetime(2026, 11, 6, 9, 30, tzinfo=UTC))

    transcript = get(alice, "/rooms/help-desk/archive/2026-11-05/", "ar")
    assert html_tag(transcript) == '<html lang="ar" dir="rtl">'
    assert re.search(rf'<div class="msg-body" dir="auto"><p>{ARABIC}</p>', transcript)
    assert '<bdi class="msg-author">Alice</bdi>' in transcript


def test_the_moderation_pages_follow_the_language_and_isolate_the_text(
    arabic, alice, moderator, room
):
    message = say(alice, room, "Hello from an English message")

    html = get(moderator, f"/admin/livechat/message/{message.pk}/change/", "ar")

    assert 'dir="rtl"' in html_tag(html)
    assert '<div class="mod-text" dir="auto">Hello from an English message</div>' in html
    assert "<dd><bdi>Alice</bdi> ·" in html


@pytest.mark.parametrize("template", ["digest", "verify"])
@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_emails_follow_the_readers_language(template, language, direction):
    item = SimpleNamespace(sentence="Mia replied", excerpt=ARABIC, link="https://example/1")
    context = {
        "user": SimpleNamespace(username="Nina"),
        "items": [item],
        "count": 1,
        "room": "Help desk",
        "stops": [],
        "settings_link": "https://example/settings",
        "address": "nina@example.org",
        "link": "https://example/verify",
        "hours": 24,
        "language": language,
    }
    with translation.override(language):
        html = render_to_string(f"notifications/email/{template}.html", context)

    assert html_tag(html) == f'<html lang="{language}" dir="{direction}">'
    if template == "digest":
        assert f'<q dir="auto">{ARABIC}</q>' in html
