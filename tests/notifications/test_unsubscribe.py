"""Unsubscribing per kind, with no sign-in: one click from the mail client (RFC 8058: a
POST to the List-Unsubscribe URL) or the link in the email, after which that kind is never
mailed again and the others still are."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from core.isolate import text as isolated
from livechat import actions
from notifications.models import EmailSettings
from tests.notifications.conftest import SITE
from tests.notifications.test_email_digest import ask, fire, reply

pytestmark = pytest.mark.django_db(transaction=True)


def mailed_reply(asker, mentor, room, clock, inbox, body="An answer."):
    question = ask(asker, room)
    reply(mentor, room, question, body)
    clock.advance(minutes=2)
    fire(clock)
    return inbox.messages[-1]


def test_the_email_offers_one_click_unsubscribe(asker, mentor, room, clock, inbox):
    mail = mailed_reply(asker, mentor, room, clock, inbox)
    assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    # As sent: one https or http URL in angle brackets, no encoded words (RFC 2369).
    raw = mail.raw_header("List-Unsubscribe")
    assert raw.startswith(f"<{SITE}/notifications/unsubscribe/") and raw.endswith("/>")
    assert "=?" not in raw


def test_one_click_post_stops_that_kind_only(asker, mentor, room, clock, inbox):
    mail = mailed_reply(asker, mentor, room, clock, inbox)
    url = mail.header("List-Unsubscribe").strip().strip("<>")
    # What a mail client sends: no cookie, no CSRF token, this one form field.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        urlsplit(url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert EmailSettings.objects.get(user=asker).unsubscribed_kinds == ["reply"]

    inbox.clear()
    question = ask(asker, room, "Another question?")
    reply(mentor, room, question, "Another reply.")
    actions.send_message(user=mentor, room=room, body="@Alice also this")
    clock.advance(minutes=2)
    fire(clock)
    mail = inbox.only()
    assert f"{isolated('Mentor')} mentioned you in {isolated('Help desk')}" in mail.text
    assert "Another reply." not in mail.text


def test_the_link_in_the_text_asks_before_it_unsubscribes(asker, mentor, room, clock, inbox):
    mail = mailed_reply(asker, mentor, room, clock, inbox)
    [link] = mail.links_to("/notifications/unsubscribe/")
    client = Client(enforce_csrf_checks=True)

    page = client.get(link)
    assert page.status_code == 200
    assert "Replies to you and to your questions" in page.content.decode()
    # Opening the link (or a mail scanner fetching it) changed nothing.
    assert EmailSettings.objects.get(user=asker).unsubscribed_kinds == []

    done = client.post(link)
    assert done.status_code == 200
    assert "You will get no more email about these" in done.content.decode()
    assert EmailSettings.objects.get(user=asker).unsubscribed_kinds == ["reply"]

    inbox.clear()
    question = ask(asker, room, "Once more?")
    reply(mentor, room, question, "Not mailed.")
    clock.advance(minutes=2)
    fire(clock)
    assert inbox.messages == []


def test_a_forged_unsubscribe_link_is_refused(asker, mentor, room, clock, inbox):
    mail = mailed_reply(asker, mentor, room, clock, inbox)
    [link] = mail.links_to("/notifications/unsubscribe/")
    forged = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    client = Client()
    assert client.get(forged).status_code == 400
    assert client.post(forged).status_code == 400
    assert client.post("/notifications/unsubscribe/not-a-token/").status_code == 400
    assert EmailSettings.objects.get(user=asker).unsubscribed_kinds == []


def test_a_link_back_to_a_message_does_not_unsubscribe(asker, mentor, room, clock, inbox):
    mail = mailed_reply(asker, mentor, room, clock, inbox)
    [go] = mail.links_to("/notifications/go/")
    token = go.rstrip("/").rsplit("/", 1)[1]
    response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert EmailSettings.objects.get(user=asker).unsubscribed_kinds == []
