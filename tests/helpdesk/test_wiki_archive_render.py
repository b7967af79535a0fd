"""The wiki's monthly archive pages rendered without a wiki (helpdesk.wiki_archive): the
month's questions in order with their answers, hidden messages left out, people who asked
not to be named shown anonymously without their name anywhere, chat text that cannot add
markup, the licence, deterministic splitting at the size cap, and when the job runs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from helpdesk import wiki_archive
from helpdesk.models import Question
from livechat.models import Message

from ..conftest import make_user
from .helpers import ask, reply, say

pytestmark = pytest.mark.django_db

DECEMBER = date(2026, 12, 1)
LICENCE = "[https://creativecommons.org/licenses/by-sa/4.0/ CC BY-SA 4.0]"


@pytest.fixture(autouse=True)
def _wiki_pages(settings: Any) -> None:
    settings.LIVECHAT_WIKI_ARCHIVE_PREFIX = "Project:Help desk/Live chat/Archive/"
    settings.LIVECHAT_WIKI_LICENCE = LICENCE
    settings.LIVECHAT_SITE_URL = "https://chat.example.org"
    settings.LIVECHAT_WIKI_ARCHIVE_LATE_DAYS = 3
    settings.LANGUAGE_CODE = "en"


def at(clock: Any, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=UTC))


def pages(max_bytes: int = 150_000) -> list[str]:
    month = wiki_archive.month_threads(month=DECEMBER)
    return wiki_archive.render_month(month, max_bytes=max_bytes)


def test_it_renders_the_months_questions_with_their_answers(clock, room, mentor):
    alice = make_user("Alice", wiki_id=101)
    at(clock, "2026-11-30 23:59")
    november = ask(alice, room, "A question of November")
    Question.objects.filter(pk=november.pk).update(state=Question.State.RESOLVED)
    at(clock, "2026-12-03 14:05")
    question = ask(make_user("Bob"), room, "How do I cite a source?")
    at(clock, "2026-12-03 14:20")
    reply(mentor, question, "Use the cite button.")
    at(clock, "2026-12-04 09:00")
    later = ask(alice, room, "And a picture?")
    at(clock, "2026-12-05 10:00")
    reply(mentor, later, "Upload it to Commons first.")

    [text] = pages()

    assert "A question of November" not in text
    assert text.startswith("<!-- livechat:archive:2026-12 -->\n''Questions asked")
    assert "[https://creativecommons.org/licenses/by-sa/4.0/ CC BY-SA 4.0]" in text
    assert "December 2026" in text
    assert "https://chat.example.org/rooms/help-desk/archive/?month=2026-12" in text
    heading = "=== 2026-12-03 14:05 UTC, asked by Bob ==="
    assert f"{heading}\n<!-- livechat:question:{question.pk} -->" in text
    assert "* '''Bob''' (14:05): <nowiki>How do I cite a source?</nowiki>" in text
    assert "* Answer by '''Mentor''' (14:20): <nowiki>Use the cite button.</nowiki>" in text
    # A wiki account links to its user page; an answer on a later day says the day.
    assert "=== 2026-12-04 09:00 UTC, asked by [[User:Alice|Alice]] ===" in text
    assert "(2026-12-05 10:00 UTC): <nowiki>Upload it to Commons first.</nowiki>" in text
    link = f"https://chat.example.org/rooms/help-desk/archive/messages/{question.first_message_id}/"
    assert f": [{link} This conversation in the chat’s archive]" in text
    assert text.index("How do I cite") < text.index("And a picture?")
    assert "Continued on" not in text


def test_it_leaves_hidden_messages_and_hidden_questions_out(clock, room, mentor):
    at(clock, "2026-12-03 14:05")
    question = ask(make_user("Bob"), room, "How do I cite a source?")
    hidden = reply(mentor, question, "Something rude")
    reply(mentor, question, "Use the cite button.")
    gone = ask(make_user("Carol"), room, "Spam spam spam")
    Message.objects.filter(pk__in=[hidden.pk, gone.first_message_id]).update(hidden=True)

    [text] = pages()

    assert "Use the cite button." in text
    assert "Something rude" not in text
    assert "Spam" not in text and "Carol" not in text


def test_it_shows_people_who_asked_not_to_be_named_anonymously(clock, room, mentor):
    alice = make_user("Alice", wiki_id=101, name_in_archives=False)
    dora = make_user("Dora", name_in_archives=False)
    at(clock, "2026-12-03 14:05")
    first = ask(alice, room, "How do I cite a source?")
    reply(mentor, first, "@Alice use the cite button.")
    say(alice, room, "Thanks!")
    at(clock, "2026-12-04 09:00")
    ask(dora, room, "Where is the sandbox?")
    at(clock, "2026-12-05 09:00")
    Question.objects.filter(asker=alice).update(state=Question.State.RESOLVED)
    ask(alice, room, "One more thing")

    [text] = pages()

    assert "Alice" not in text and "Dora" not in text
    assert "=== 2026-12-03 14:05 UTC, asked by Anonymous 1 ===" in text
    assert "<nowiki>@Anonymous 1 use the cite button.</nowiki>" in text
    assert "* '''Anonymous 1''' (14:05): <nowiki>Thanks!</nowiki>" in text
    assert "asked by Anonymous 2 ===" in text  # Dora
    assert "=== 2026-12-05 09:00 UTC, asked by Anonymous 1 ===" in text  # Alice again
    assert "[[User:Mentor" not in text  # a local account: no user page to link
    # No link to the chat's archive, which names everyone to its signed-in readers.
    assert "/archive/messages/" not in text
    assert "'''Mentor'''" in text


def test_chat_text_cannot_add_markup(clock, room):
    at(clock, "2026-12-03 14:05")
    ask(
        make_user("Bob"),
        room,
        "{{delete}} [[Main Page]] ~~~~\n== Heading ==\n</nowiki><script>x</script> &amp;",
    )

    [text] = pages()
    body = text[text.index("* '''Bob'''") :]

    outside = re.sub(r"<nowiki>.*?</nowiki>", "", body)
    inside = "".join(re.findall(r"<nowiki>(.*?)</nowiki>", body))
    assert outside.startswith("* '''Bob''' (14:05): <br /><br />\n: [https://")
    for markup in ("~~~", "</nowiki", "<script"):
        assert markup not in inside
    assert "<nowiki>{{delete}} [[Main Page]] &#126;&#126;&#126;&#126;</nowiki><br />" in body
    assert "<nowiki>&lt;/nowiki&gt;&lt;script&gt;x&lt;/script&gt; &amp;amp;</nowiki>" in body
    assert body.count("\n") == 1  # the message is one list item; then the link


def test_names_that_look_like_markup_are_escaped(clock, room):
    at(clock, "2026-12-03 14:05")
    ask(make_user("O'Neil~~~", wiki_id=7), room, "Hello")

    [text] = pages()

    assert "[[User:O'Neil~~~|O&#39;Neil&#126;&#126;&#126;]]" in text


def test_it_splits_past_the_cap_deterministically(clock, room, mentor):
    asked = []
    for day in range(1, 13):
        at(clock, f"2026-12-{day:02d} 10:00")
        question = ask(make_user(f"Asker {day}"), room, f"Question number {day} " + "x" * 300)
        reply(mentor, question, f"Answer number {day} " + "y" * 300)
        Question.objects.filter(pk=question.pk).update(state=Question.State.RESOLVED)
        asked.append(question)

    texts = pages(max_bytes=2_000)

    assert len(texts) > 2
    assert texts == pages(max_bytes=2_000)  # deterministic
    for text in texts:
        assert wiki_archive.size(text) <= 2_000
    base = "Project:Help desk/Live chat/Archive/2026-12"
    assert f"Continued on [[{base}/2|page 2]]." in texts[0]
    assert f"Continued from [[{base}|page 1]]." in texts[1]
    assert f"Continued on [[{base}/3|page 3]]." in texts[1]
    assert "Continued on" not in texts[-1]
    # Every question once, in order, across the pages; each page as full as it can be.
    joined = "".join(texts)
    positions = [joined.index(f"Question number {n} ") for n in range(1, 13)]
    assert positions == sorted(positions)
    for earlier, later in zip(texts, texts[1:], strict=False):
        first_of_next = later[later.index("=== ") :].split("\n: [", 1)[0]
        assert wiki_archive.size(earlier) + len(first_of_next) > 2_000 - 200


def test_a_question_larger_than_the_cap_gets_a_page_of_its_own(clock, room):
    at(clock, "2026-12-01 10:00")
    ask(make_user("Bob"), room, "short")
    at(clock, "2026-12-02 10:00")
    ask(make_user("Carol"), room, "z" * 3_000)

    texts = pages(max_bytes=2_000)

    assert len(texts) == 2
    assert "short" in texts[0] and "z" * 3_000 in texts[1]


def test_sizes_are_utf8_bytes():
    assert wiki_archive.size("é") == 2
    assert wiki_archive.size("日本") == 6


def test_an_empty_month_says_so(db):
    [text] = pages()
    assert "No questions were asked in the chat this month." in text


@pytest.mark.parametrize(
    ("now", "months"),
    [
        ("2026-12-01 00:15", [date(2026, 11, 1), date(2026, 12, 1)]),
        ("2026-12-03 23:00", [date(2026, 11, 1), date(2026, 12, 1)]),
        ("2026-12-04 00:15", [date(2026, 12, 1)]),
        ("2027-01-02 00:15", [date(2026, 12, 1), date(2027, 1, 1)]),
    ],
)
def test_it_rewrites_the_last_month_for_a_few_days(settings, now, months):
    settings.LIVECHAT_WIKI_ARCHIVE_LATE_DAYS = 3
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    assert wiki_archive.months_due(moment) == months


def test_it_runs_daily_a_quarter_past_midnight_utc():
    moment = datetime(2026, 12, 31, 0, 15, tzinfo=UTC)
    assert wiki_archive.next_run(moment) == datetime(2027, 1, 1, 0, 15, tzinfo=UTC)
    early = datetime(2026, 12, 31, 0, 5, tzinfo=UTC)
    assert wiki_archive.next_run(early) == datetime(2026, 12, 31, 0, 15, tzinfo=UTC)


def test_without_a_wiki_nothing_is_scheduled(settings):
    settings.LIVECHAT_WIKI_API = ""
    assert wiki_archive.ensure_scheduled(now=datetime(2026, 12, 1, tzinfo=UTC)) is False
    assert wiki_archive.run(now=datetime(2026, 12, 1, tzinfo=UTC)) == []
