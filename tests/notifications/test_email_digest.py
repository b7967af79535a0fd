"""Email for unread notifications: two quiet minutes after the last one, one email per
conversation, capped at ten minutes after the first; nothing for what was read, hidden, or
seen live. The mail is read back from the SMTP server (conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction

from core.clock import now as clock_now
from core.isolate import text as isolated
from livechat import actions, presence
from livechat.models import Message, Notification, Room
from livechat.notifications import notify
from notifications import digest
from notifications.grouping import _groupings, register_grouping
from notifications.models import PendingEmail, SentEmail
from tests.conftest import make_user
from tests.notifications.conftest import Inbox
from timers import api as timers

# The email goes after its transaction commits, as in production: real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def ask(asker: Any, room: Room, body: str = "How do I cite a book?") -> Message:
    return actions.send_message(user=asker, room=room, body=body).message


def reply(user: Any, room: Room, to: Message, body: str) -> Message:
    return actions.send_message(user=user, room=room, body=body, reply_to=to.pk).message


def fire(clock: Any) -> int:
    return timers.fire_due_timers(now=clock_now())


def test_it_mails_nothing_before_two_minutes_and_one_email_at_two(
    asker, mentor, room, clock, inbox: Inbox
):
    question = ask(asker, room)
    reply(mentor, room, question, "Use the {{cite book}} template.")

    clock.advance(seconds=119)
    fire(clock)
    assert inbox.messages == []

    clock.advance(seconds=1)
    assert fire(clock) == 1
    mail = inbox.only()
    assert mail.rcpt_tos == ["alice@example.org"]
    assert mail.subject == f"{isolated('Mentor')} replied in {isolated('Help desk')}"
    assert f"Hello {isolated('Alice')}," in mail.text
    assert "Use the {{cite book}} template." in mail.text
    assert "Use the {{cite book}} template." in mail.html
    assert mail.header("From") == "Help desk <helpdesk@example.org>"
    assert mail.header("Auto-Submitted") == "auto-generated"


def test_three_replies_make_one_email_listing_all_three(asker, mentor, bob, room, clock, inbox):
    question = ask(asker, room)
    reply(mentor, room, question, "First: which book?")
    clock.advance(seconds=20)
    reply(bob, room, question, "Second: the ISBN helps.")
    clock.advance(seconds=20)
    reply(mentor, room, question, "Third: see the help page.")

    clock.advance(minutes=2)
    fire(clock)
    mail = inbox.only()
    assert mail.subject == f"3 new notifications in {isolated('Help desk')}"
    assert "You have 3 new notifications from the help desk chat:" in mail.text
    for line in ["First: which book?", "Second: the ISBN helps.", "Third: see the help page."]:
        assert line in mail.text
        assert line in mail.html
    assert f"{isolated('Mentor')} replied in {isolated('Help desk')}" in mail.text
    assert f"{isolated('Bob')} replied in {isolated('Help desk')}" in mail.text
    assert len(mail.links_to("/notifications/go/")) == 3
    sent = SentEmail.objects.get()
    assert len(sent.notification_ids) == 3

    # Nothing left to send.
    clock.advance(minutes=30)
    fire(clock)
    assert len(inbox.messages) == 1


def test_each_reply_restarts_the_two_quiet_minutes(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    reply(mentor, room, question, "One.")
    clock.advance(seconds=90)
    reply(mentor, room, question, "Two.")

    clock.advance(seconds=30)  # two minutes after the first, 30 s after the second
    fire(clock)
    assert inbox.messages == []

    clock.advance(seconds=89)
    fire(clock)
    assert inbox.messages == []

    clock.advance(seconds=1)  # two quiet minutes after the second
    fire(clock)
    mail = inbox.only()
    assert "One." in mail.text and "Two." in mail.text


def test_a_busy_thread_still_mails_ten_minutes_after_the_first(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    for minute in range(12):
        reply(mentor, room, question, f"Reply {minute}.")
        clock.advance(seconds=60)  # never two quiet minutes
        fire(clock)
        if minute < 9:
            assert inbox.messages == [], minute

    # The first reply came at 0:00; the email went at 10:00 with the ten replies so far.
    first = inbox.only()
    assert all(f"Reply {n}." in first.text for n in range(10))
    assert "Reply 10." not in first.text

    # The ones after it start a new email, two quiet minutes after the last.
    clock.advance(minutes=2)
    fire(clock)
    second = inbox.messages[1]
    assert "Reply 10." in second.text and "Reply 11." in second.text
    assert "Reply 9." not in second.text


def test_nothing_is_mailed_when_it_was_read_meanwhile(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    reply(mentor, room, question, "An answer.")
    actions.mark_notifications_read(user=asker)

    clock.advance(minutes=2)
    fire(clock)
    assert inbox.messages == []
    assert not PendingEmail.objects.exists()


def test_reading_the_room_counts_as_reading_it(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    answer = reply(mentor, room, question, "An answer.")
    actions.mark_read(user=asker, room=room, message_id=answer.pk)

    clock.advance(minutes=2)
    fire(clock)
    assert inbox.messages == []


def test_only_the_unread_ones_are_listed(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    reply(mentor, room, question, "Seen already.")
    actions.mark_notifications_read(user=asker)
    reply(mentor, room, question, "Not seen yet.")

    clock.advance(minutes=2)
    fire(clock)
    mail = inbox.only()
    assert "Not seen yet." in mail.text
    assert "Seen already." not in mail.text


def test_a_hidden_message_is_left_out(asker, mentor, moderator, room, clock, inbox):
    question = ask(asker, room)
    reply(mentor, room, question, "Fine answer.")
    rude = reply(mentor, room, question, "Something rude.")
    actions.set_hidden(user=moderator, message_id=rude.pk, hidden=True)

    clock.advance(minutes=2)
    fire(clock)
    mail = inbox.only()
    assert "Fine answer." in mail.text
    assert "rude" not in mail.text
    assert "rude" not in mail.html
    assert mail.subject == f"{isolated('Mentor')} replied in {isolated('Help desk')}"


def test_nothing_is_mailed_when_everything_was_hidden(asker, mentor, moderator, room, clock, inbox):
    question = ask(asker, room)
    rude = reply(mentor, room, question, "Something rude.")
    actions.set_hidden(user=moderator, message_id=rude.pk, hidden=True)

    clock.advance(minutes=2)
    fire(clock)
    assert inbox.messages == []


def test_nothing_is_mailed_to_someone_online_when_it_arrived(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    async_to_sync(presence.store().touch_socket)(asker.pk, "specific.channel-1")
    reply(mentor, room, question, "While you were here.")

    clock.advance(minutes=2)
    fire(clock)
    assert inbox.messages == []
    assert timers.pending(key=_key(asker, room, question)) is None


def test_running_the_timer_twice_mails_once(asker, mentor, room, clock, inbox):
    question = ask(asker, room)
    reply(mentor, room, question, "An answer.")
    timer = timers.pending(key=_key(asker, room, question))
    assert timer is not None

    clock.advance(minutes=2)
    # As a worker whose lease ran out would: the same timer, run again.
    for _ in range(2):
        with transaction.atomic():
            digest.send_group_email(key=timer.key, payload=timer.payload, now=clock_now())
    assert len(inbox.messages) == 1
    fire(clock)
    assert len(inbox.messages) == 1
    assert SentEmail.objects.count() == 1


def test_each_conversation_gets_its_own_email(asker, mentor, room, clock, inbox):
    first = ask(asker, room, "About citations?")
    second = ask(asker, room, "About images?")
    reply(mentor, room, first, "Citations answer.")
    reply(mentor, room, second, "Images answer.")

    clock.advance(minutes=2)
    fire(clock)
    texts = sorted(mail.text for mail in inbox.messages)
    assert len(texts) == 2
    assert "Citations answer." in texts[0] and "Images answer." not in texts[0]
    assert "Images answer." in texts[1]


def test_a_registered_grouping_decides_what_goes_together(asker, mentor, room, clock, inbox):
    first = ask(asker, room, "About citations?")
    second = ask(asker, room, "About images?")
    register_grouping(lambda notification: f"person:{notification.recipient_id}")
    try:
        reply(mentor, room, first, "Citations answer.")
        reply(mentor, room, second, "Images answer.")
    finally:
        _groupings.clear()

    clock.advance(minutes=2)
    fire(clock)
    mail = inbox.only()
    assert "Citations answer." in mail.text and "Images answer." in mail.text


def test_mentions_and_the_help_desk_kinds_are_mailed_but_thanks_are_not(
    asker, mentor, room, clock, inbox
):
    question = ask(asker, room)
    actions.send_message(user=mentor, room=room, body="@Alice have a look at this")
    with transaction.atomic():
        for kind in ["claimed", "resolved", "reminder"]:
            notify(recipients={asker.pk: kind}, actor=mentor, message=question, now=clock_now())
    actions.thank(user=mentor, message_id=question.pk)
    assert Notification.objects.filter(recipient=asker, kind="thanks").exists()

    clock.advance(minutes=2)
    fire(clock)
    texts = "\n".join(mail.text for mail in inbox.messages)
    M, D = isolated("Mentor"), isolated("Help desk")  # names isolated (core.isolate)
    assert f"{M} mentioned you in {D}" in texts
    assert f"{M} is looking into your question in {D}" in texts
    assert f"{M} marked your question in {D} resolved" in texts
    assert f"Your question in {D} has an answer." in texts
    assert "thanked" not in texts
    sent_kinds = set(
        Notification.objects.filter(
            pk__in=[pk for sent in SentEmail.objects.all() for pk in sent.notification_ids]
        ).values_list("kind", flat=True)
    )
    assert sent_kinds == {"mention", "claimed", "resolved", "reminder"}


def test_a_refused_send_is_retried_and_not_lost(asker, mentor, room, clock, inbox, caplog):
    question = ask(asker, room)
    reply(mentor, room, question, "An answer.")
    inbox.refuse = True

    clock.advance(minutes=2)
    fire(clock)
    assert inbox.messages == []
    assert not SentEmail.objects.exists()
    assert "retrying" in caplog.text

    inbox.refuse = False
    clock.advance(seconds=59)
    fire(clock)
    assert inbox.messages == []
    clock.advance(seconds=1)
    fire(clock)
    assert "An answer." in inbox.only().text
    assert SentEmail.objects.count() == 1


def test_after_the_last_refusal_they_wait_for_the_next_notification(
    asker, mentor, room, clock, inbox, settings, caplog
):
    settings.LIVECHAT_EMAIL_SEND_ATTEMPTS = 2
    question = ask(asker, room)
    reply(mentor, room, question, "First answer.")
    inbox.refuse = True
    clock.advance(minutes=2)
    fire(clock)  # refused: retried in a minute
    clock.advance(minutes=1)
    fire(clock)  # refused again: given up for now
    assert "failed 2 times; left queued" in caplog.text
    clock.advance(hours=1)
    assert fire(clock) == 0

    inbox.refuse = False
    reply(mentor, room, question, "Second answer.")
    clock.advance(minutes=2)
    fire(clock)
    mail = inbox.only()
    assert "First answer." in mail.text and "Second answer." in mail.text


def test_a_broken_template_does_not_count_as_sent(asker, mentor, room, clock, inbox, monkeypatch):
    question = ask(asker, room)
    reply(mentor, room, question, "An answer.")

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(digest.mail, "send_digest", broken)
    clock.advance(minutes=2)
    fire(clock)
    assert not SentEmail.objects.exists()
    assert PendingEmail.objects.count() == 1

    monkeypatch.undo()
    clock.advance(minutes=1)
    fire(clock)
    assert "An answer." in inbox.only().text


def test_people_without_a_verified_address_cost_the_sender_no_query(
    mentor, room, django_assert_max_num_queries, transaction_statements
):
    alice = make_user("Alice", email="alice@example.org")  # an address, never verified
    question = ask(alice, room)
    # Learn (and cache) that Alice is not mailed, as the first notification does.
    reply(mentor, room, question, "warm up")
    # A reply: lock + event id, reply target's author, message, notification, revision,
    # event: the listener adds nothing (tests/livechat/test_query_counts.py).
    with django_assert_max_num_queries(6 + transaction_statements):
        reply(mentor, room, question, "An answer.")


def _key(recipient: Any, room: Room, question: Message) -> str:
    """The email timer of the recipient and the conversation the question started."""
    return digest.timer_key(recipient_id=recipient.pk, group=f"room:{room.pk}:thread:{question.pk}")
