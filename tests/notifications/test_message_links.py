"""The signed link back to a message: it opens the message in its room and marks the
recipient's notifications about it read; a link we did not sign is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from livechat.models import Notification
from notifications import tokens
from tests.notifications.test_email_digest import ask, fire, reply

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_link_opens_the_message_and_marks_it_read(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    answer = reply(mentor, room, question, "An answer.")
    clock.advance(minutes=2)
    fire(clock)
    [link] = inbox.only().links_to("/notifications/go/")

    response = Client().get(link)
    assert response.status_code == 302
    assert response["Location"] == f"/rooms/help-desk/#message-{answer.pk}"
    assert Notification.objects.get(recipient=asker, message=answer).read_at is not None

    # Again (the person clicks twice): the same place, nothing else changes.
    assert Client().get(link)["Location"] == f"/rooms/help-desk/#message-{answer.pk}"


def test_the_html_part_links_to_the_same_places(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    reply(mentor, room, question, "One.")
    reply(mentor, room, question, "Two.")
    clock.advance(minutes=2)
    fire(clock)
    mail = inbox.only()
    for link in mail.links_to("/notifications/go/"):
        assert f'href="http://testserver{link}"' in mail.html


def test_a_forged_link_is_refused(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    answer = reply(mentor, room, question, "An answer.")
    # Signed with another key, or for another purpose, or not signed at all.
    other_purpose = tokens.make(tokens.UNSUBSCRIBE_SALT, {"u": asker.pk, "m": answer.pk})
    unsigned = "eyJ1IjoxLCJtIjoxfQ"
    for token in [other_purpose, unsigned, "x:y:z"]:
        response = Client().get(f"/notifications/go/{token}/")
        assert response.status_code == 400, token
        assert "This link is not valid." in response.content.decode()
    assert Notification.objects.get(recipient=asker, message=answer).read_at is None


def test_a_link_to_a_deleted_message_says_so(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    answer = reply(mentor, room, question, "An answer.")
    token = tokens.make(tokens.MESSAGE_SALT, {"u": asker.pk, "m": answer.pk})
    answer.delete()
    response = Client().get(f"/notifications/go/{token}/")
    assert response.status_code == 404
    assert "That message no longer exists." in response.content.decode()
