"""The help rooms' archives: months and days, a day's transcript (in order, with times,
authors, the stored HTML, a permalink per message and the questions' states), hidden
messages left out (moderators see where), bad dates, and which rooms have archives."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from helpdesk import actions as questions
from livechat import actions as chat

from ..conftest import fresh
from .helpers import ask, reply, say

pytestmark = pytest.mark.django_db


def at(clock, moment: str) -> None:
    """Move the project's clock to ``2026-11-05 09:30`` (UTC)."""
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=UTC))


def page(user, url: str):
    client = Client()
    client.force_login(user)
    return client.get(url)


def text(response) -> str:
    return response.content.decode()


def ids_in_order(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'<li class="msg[^"]*" id="m-(\d+)"', html)]


def hide(moderator, message) -> None:
    chat.set_hidden(user=fresh(moderator), message_id=message.pk, hidden=True)


# --- the months and days --------------------------------------------------------------------


def test_it_lists_the_months_and_the_days_with_their_counts(alice, mentor, moderator, room, clock):
    at(clock, "2026-10-30 12:00")
    say(mentor, room, "Welcome, everyone")
    at(clock, "2026-11-02 09:00")
    say(mentor, room, "Good morning")
    say(mentor, room, "Ask away")
    at(clock, "2026-11-05 10:00")
    say(mentor, room, "Still here")
    hide(moderator, say(alice, room, "spam spam"))

    response = page(alice, "/rooms/help-desk/archive/")
    assert response.status_code == 200
    html = text(response)
    assert "November 2026" in html and "October 2026" in html
    days = re.findall(
        r'href="/rooms/help-desk/archive/(\d{4}-\d\d-\d\d)/">([^<]+)</a>\s*'
        r'<span class="muted archive-count">([^<]+)</span>',
        html,
    )
    assert days == [
        ("2026-11-02", "Nov. 2, 2026", "2 messages"),
        ("2026-11-05", "Nov. 5, 2026", "1 message"),  # the hidden one is not counted
    ]
    october = text(page(alice, "/rooms/help-desk/archive/?month=2026-10"))
    assert 'href="/rooms/help-desk/archive/2026-10-30/"' in october
    assert "1 message" in october


def test_the_month_list_leaves_out_months_without_messages(mentor, room, clock):
    for moment in ("2026-07-20 10:00", "2026-09-03 10:00", "2026-11-05 10:00"):
        at(clock, moment)
        say(mentor, room, "hello")
    html = text(page(mentor, "/rooms/help-desk/archive/"))
    months = re.findall(r'href="\?month=(\d{4}-\d\d)"', html)
    assert months == ["2026-11", "2026-09", "2026-07"]
    assert 'href="?month=2026-11" aria-current="page"' in html


def test_a_month_without_messages_says_so(mentor, room, clock):
    at(clock, "2026-11-05 10:00")
    say(mentor, room, "hello")
    html = text(page(mentor, "/rooms/help-desk/archive/?month=2026-08"))
    assert "No messages in this month." in html


def test_an_empty_archive_says_so(alice, room, clock):
    response = page(alice, "/rooms/help-desk/archive/")
    assert response.status_code == 200
    assert "Nothing has been written in this room yet." in text(response)


# --- a day's transcript ---------------------------------------------------------------------


def test_a_day_lists_its_messages_in_order_with_time_author_and_html(alice, mentor, room, clock):
    at(clock, "2026-11-04 23:59")
    say(mentor, room, "yesterday's news")
    at(clock, "2026-11-05 09:30")
    question = ask(alice, room, "How do I add **a source**?")
    clock.advance(minutes=5)
    answer = reply(mentor, question, "Use the <cite> button")
    at(clock, "2026-11-06 00:00")
    say(mentor, room, "tomorrow's news")

    response = page(alice, "/rooms/help-desk/archive/2026-11-05/")
    assert response.status_code == 200
    html = text(response)
    assert ids_in_order(html) == [question.first_message_id, answer.pk]
    assert '<bdi class="msg-author">Alice</bdi>' in html
    assert '<bdi class="msg-author">Mentor</bdi>' in html
    assert '<span class="badge badge-mentor">Mentor</span>' in html
    # The stored, sanitised HTML: rendered markup, escaped text.
    assert "<strong>a source</strong>" in html
    assert "&lt;cite&gt;" in html and "<cite>" not in html
    assert '<time class="msg-time" datetime="2026-11-05T09:30:00+00:00">9:30 a.m.</time>' in html
    assert '<time class="msg-time" datetime="2026-11-05T09:35:00+00:00">9:35 a.m.</time>' in html
    assert "yesterday&#x27;s news" not in html and "tomorrow" not in html


def test_every_message_has_a_permalink_anchor(alice, mentor, room, clock):
    at(clock, "2026-11-05 09:30")
    message = say(mentor, room, "Hello")
    html = text(page(alice, "/rooms/help-desk/archive/2026-11-05/"))
    assert f'id="m-{message.pk}"' in html
    assert f'<a class="archive-permalink" href="#m-{message.pk}"' in html


def test_a_message_permalink_leads_to_its_day(alice, mentor, room, clock):
    at(clock, "2026-11-03 18:00")
    message = say(mentor, room, "Hello")
    at(clock, "2026-11-09 10:00")
    response = page(alice, f"/rooms/help-desk/archive/messages/{message.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/rooms/help-desk/archive/2026-11-03/#m-{message.pk}"


def test_a_permalink_to_another_rooms_message_is_not_found(alice, mentor, room, other_room):
    message = say(mentor, other_room, "Hello")
    response = page(alice, f"/rooms/help-desk/archive/messages/{message.pk}/")
    assert response.status_code == 404
    assert f"Message {message.pk} is not in the archive of Help desk." in text(response)


def test_replies_link_to_what_they_answer(alice, mentor, room, clock):
    at(clock, "2026-11-04 10:00")
    earlier = say(mentor, room, "Tip of the day")
    at(clock, "2026-11-05 10:00")
    question = ask(alice, room, "Question")
    answer = reply(mentor, question, "Answer")
    late = say(alice, room, "About yesterday's tip", reply_to=earlier.pk)
    html = text(page(alice, "/rooms/help-desk/archive/2026-11-05/"))
    same_day = html.split(f'id="m-{answer.pk}"')[1]
    assert (
        f'<a class="msg-reply-to" href="#m-{question.first_message_id}">'
        "In reply to <bdi>Alice</bdi></a>"
    ) in same_day
    other_day = html.split(f'id="m-{late.pk}"')[1]
    assert f'href="/rooms/help-desk/archive/messages/{earlier.pk}/"' in other_day


def test_questions_show_their_state(alice, bob, mentor, room, clock):
    at(clock, "2026-11-05 10:00")
    waiting = ask(bob, room, "Nobody answered me")
    resolved = ask(alice, room, "Answered")
    reply(mentor, resolved, "Here you go")
    questions.resolve_question(user=fresh(alice), question_id=resolved.pk)
    html = text(page(alice, "/rooms/help-desk/archive/2026-11-05/"))

    def state_of(message_id: int) -> list[str]:
        line = html.split(f'id="m-{message_id}"')[1].split("</li>")[0]
        return re.findall(r"archive-state-(\w+)\">Question: (\w+)<", line)

    assert state_of(waiting.first_message_id) == [("waiting", "waiting")]
    assert state_of(resolved.first_message_id) == [("resolved", "resolved")]
    # Only a question's first message carries the label.
    answer = resolved.links.exclude(message_id=resolved.first_message_id).get().message_id
    assert state_of(answer) == []


def test_hidden_messages_are_left_out(alice, bob, moderator, room, clock):
    at(clock, "2026-11-05 10:00")
    kept = say(bob, room, "A fine question")
    hidden = say(bob, room, "Something rude")
    hide(moderator, hidden)
    html = text(page(alice, "/rooms/help-desk/archive/2026-11-05/"))
    assert ids_in_order(html) == [kept.pk]
    assert "rude" not in html
    assert "A message was hidden here." not in html


def test_moderators_see_where_a_message_was_hidden_but_not_what_it_said(
    bob, moderator, room, clock
):
    at(clock, "2026-11-05 10:00")
    kept = say(bob, room, "A fine question")
    hidden = say(bob, room, "Something rude")
    hide(moderator, hidden)
    html = text(page(moderator, "/rooms/help-desk/archive/2026-11-05/"))
    assert ids_in_order(html) == [kept.pk, hidden.pk]
    assert "A message was hidden here." in html
    assert "rude" not in html


def test_a_day_without_messages_says_so(alice, mentor, room, clock):
    at(clock, "2026-11-03 10:00")
    say(mentor, room, "before")
    at(clock, "2026-11-07 10:00")
    say(mentor, room, "after")
    response = page(alice, "/rooms/help-desk/archive/2026-11-05/")
    assert response.status_code == 200
    html = text(response)
    assert "No messages on this day." in html
    # Its neighbours are the nearest days that have messages.
    assert 'rel="prev" href="/rooms/help-desk/archive/2026-11-03/"' in html
    assert 'rel="next" href="/rooms/help-desk/archive/2026-11-07/"' in html


def test_previous_and_next_skip_empty_days_and_stop_at_the_ends(alice, mentor, room, clock):
    for moment in ("2026-11-02 10:00", "2026-11-05 10:00", "2026-11-09 10:00"):
        at(clock, moment)
        say(mentor, room, "hello")
    middle = text(page(alice, "/rooms/help-desk/archive/2026-11-05/"))
    assert 'rel="prev" href="/rooms/help-desk/archive/2026-11-02/"' in middle
    assert "Previous day: Nov. 2, 2026" in middle
    assert 'rel="next" href="/rooms/help-desk/archive/2026-11-09/"' in middle
    first = text(page(alice, "/rooms/help-desk/archive/2026-11-02/"))
    assert 'rel="prev"' not in first
    last = text(page(alice, "/rooms/help-desk/archive/2026-11-09/"))
    assert 'rel="next"' not in last


def test_todays_transcript_points_to_the_live_room(alice, mentor, room, clock):
    at(clock, "2026-11-05 10:00")
    say(mentor, room, "hello")
    html = text(page(alice, "/rooms/help-desk/archive/2026-11-05/"))
    assert "Today’s conversation is still going on." in html
    assert 'href="/rooms/help-desk/"' in html
    at(clock, "2026-11-06 10:00")
    assert "still going on" not in text(page(alice, "/rooms/help-desk/archive/2026-11-05/"))


# --- what is not there ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "sentence"),
    [
        ("2026-13-01", "“2026-13-01” is not a date. Archive days look like 2026-11-05."),
        ("2026-02-30", "“2026-02-30” is not a date. Archive days look like 2026-11-05."),
        ("yesterday", "“yesterday” is not a date. Archive days look like 2026-11-05."),
        ("20261105", "“20261105” is not a date. Archive days look like 2026-11-05."),
        ("2026-11-06", "2026-11-06 has not happened yet."),
    ],
)
def test_bad_dates_are_not_found_with_a_sentence_saying_why(alice, room, clock, day, sentence):
    at(clock, "2026-11-05 10:00")
    response = page(alice, f"/rooms/help-desk/archive/{day}/")
    assert response.status_code == 404
    assert sentence in text(response)


def test_a_bad_month_is_not_found(alice, room, clock):
    response = page(alice, "/rooms/help-desk/archive/?month=2026-13")
    assert response.status_code == 404
    assert "“2026-13” is not a month. Months look like 2026-11." in text(response)


def test_archives_exist_for_help_rooms_only(alice, mentor, other_room, clock):
    at(clock, "2026-11-05 10:00")
    say(mentor, other_room, "hello")
    for url in (
        "/rooms/lounge/archive/",
        "/rooms/lounge/archive/2026-11-05/",
        "/rooms/lounge/archive/search/?q=hello",
        "/rooms/nowhere/archive/",
    ):
        response = page(alice, url)
        assert response.status_code == 404, url
        assert "only help rooms have archives" in text(response)


def test_archives_are_for_signed_in_readers(room):
    for url in ("/rooms/help-desk/archive/", "/rooms/help-desk/archive/2026-11-05/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
