"""The asker who left: a claim and the replies to their question come as one email, two
quiet minutes after the last, read back from a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import pytest

from helpdesk import actions
from livechat import actions as chat
from tests.conftest import fresh, make_user

# The notification tests' real SMTP server (its `inbox` fixture is autouse: every test
# here mails through it).
from tests.notifications.conftest import Inbox, inbox, smtp_server, verify  # noqa: F401

from .helpers import fire

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asker(db):
    user = make_user("Alice", email="alice@example.org")
    verify(user)
    return user


def test_a_claim_and_two_answers_make_one_email(asker, mentor, room, clock, request):
    mail_inbox: Inbox = request.getfixturevalue("inbox")
    first = chat.send_message(user=fresh(asker), room=room, body="How do I cite a book?")
    question = first.message.question_link.question
    actions.claim_question(user=fresh(mentor), question_id=question.pk)
    answer = chat.send_message(
        user=fresh(mentor), room=room, body="Use {{cite book}}.", reply_to=first.message.pk
    ).message
    clock.advance(seconds=90)
    chat.send_message(
        user=fresh(mentor), room=room, body="And fill in the ISBN.", reply_to=answer.pk
    )
    clock.advance(seconds=119)
    fire()
    assert mail_inbox.messages == []
    clock.advance(seconds=1)
    fire()
    mail = mail_inbox.only()
    assert mail.rcpt_tos == ["alice@example.org"]
    assert "Use {{cite book}}." in mail.text
    assert "And fill in the ISBN." in mail.text
    assert "Mentor" in mail.text
    fire()
    assert len(mail_inbox.messages) == 1


def test_nothing_when_the_asker_read_it_meanwhile(asker, mentor, room, clock, request):
    mail_inbox: Inbox = request.getfixturevalue("inbox")
    first = chat.send_message(user=fresh(asker), room=room, body="How do I cite a book?")
    chat.send_message(
        user=fresh(mentor), room=room, body="Use {{cite book}}.", reply_to=first.message.pk
    )
    chat.mark_notifications_read(user=fresh(asker))
    clock.advance(minutes=3)
    fire()
    assert mail_inbox.messages == []
