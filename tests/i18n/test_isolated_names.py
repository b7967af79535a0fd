"""Names inside translated sentences are isolated (core.isolate): a <bdi> in HTML, FSI…PDI
in attributes and plain text, so a Latin name in an Arabic sentence (or the other way
round) keeps its direction and leaves the sentence's order alone. And the logs' stored
values are shown by their labels (moderation.admin.wire), unknown ones as stored."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.language import set_language
from accounts.roles import MODERATORS
from core import i18n
from core.isolate import FSI, PDI
from livechat import actions as chat
from livechat.models import Notification, Room
from moderation import actions as moderation
from moderation.admin import wire
from notifications import mail as notification_mail
from tests.conftest import fresh, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _arabic(settings: Any) -> None:
    settings.LANGUAGES = [("en", "English"), ("ar", "العربية")]
    settings.LANGUAGE_CODE = "en"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_arabic_email_isolates_the_latin_names():
    room = Room.objects.create(slug="help-desk", name="Help desk")
    alice = make_user("Alice")
    set_language(user=alice, language="ar")
    mentor = make_user("Mentor")
    chat.send_message(user=fresh(mentor), room=room, body="@Alice hello")
    notifications = list(Notification.objects.filter(recipient=alice))
    notification_mail.send_digest(
        user=alice, address="alice@example.org", notifications=notifications
    )
    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    assert '<html lang="ar" dir="rtl">' in html
    assert "<bdi>Alice</bdi>" in html and "<bdi>Mentor</bdi>" in html
    assert f"{FSI}Alice{PDI}" in message.body and f"{FSI}Mentor{PDI}" in message.body
    assert f"{FSI}Mentor{PDI}" in message.subject
    # Never a bare name: every occurrence of it in the text is isolated.
    assert message.body.count("Mentor") == message.body.count(f"{FSI}Mentor{PDI}")


def test_an_arabic_page_isolates_the_name_in_an_attribute():
    alice = make_user("Alice")
    client = Client()
    client.force_login(alice)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    # The account name's title ("Signed in as …", in whatever words the catalog has).
    assert re.search(
        f'<span class="account-name" dir="auto" title="[^"]*{FSI}Alice{PDI}[^"]*"', html
    )


def test_the_arabic_moderation_pages_isolate_names():
    moderator = make_user("Mod", MODERATORS)
    other = make_user("Bob")
    moderation.place_block(
        moderator=fresh(moderator), user=other, reason="Spam", duration=timedelta(days=1)
    )
    client = Client()
    client.force_login(moderator)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in index
    assert "<bdi>Bob</bdi>" in index and "<bdi>Mod</bdi>" in index


# --- The logs' stored values --------------------------------------------------------------


def test_stored_values_are_shown_by_their_labels():
    assert wire.label(wire.ABUSE_OUTCOMES, "throttled") == "under the throttle: no action"
    assert wire.labels(wire.ABUSE_OUTCOMES, ["log", "tag"]) == "logged, tagged for review"
    assert wire.label(wire.ABUSE_ACTIONS, "send") == "sending a message"
    assert wire.label(wire.FILTER_ACTIONS, "disallow") == "Disallow"
    assert wire.detail_items({"scope": "site", "rooms": []}) == [
        ("where", "Whole site"),
        ("rooms", "—"),
    ]


def test_unknown_stored_values_are_shown_as_stored():
    assert wire.label(wire.ABUSE_OUTCOMES, "quarantined") == "quarantined"
    assert wire.labels(wire.ABUSE_OUTCOMES, ["log", "quarantined"]) == "logged, quarantined"
    assert wire.detail_items({"new_key": "new value", "count": 3}) == [
        ("new_key", "new value"),
        ("count", "3"),
    ]


def test_the_labels_are_translated():
    with i18n.override(i18n.QQX):
        assert wire.label(wire.ABUSE_OUTCOMES, "warn") == "(abuse log outcome|warned)"
        assert wire.detail_items({"expires_at": None}) == [
            ("(moderation log detail|expires)", "(none)")
        ]
