"""The help desk's monthly archive pages on the real local MediaWiki (helpdesk.wiki_archive),
written by the daily timer: read back through the API (questions, answers, no hidden
message, an anonymous asker without their name, the licence), unchanged by a second run
(same revision), split past the size cap, then a new question changing the last page
only; a page the bot did not write left alone and moderators told; a wiki that is down
retried later."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from accounts.roles import MENTORS
from helpdesk import wiki_archive
from helpdesk.models import Question
from livechat.models import Message, Room
from moderation.models import ModerationLog
from tests.conftest import make_user
from tests.helpdesk.helpers import ask, reply
from timers.api import fire_due_timers, pending
from wiki.client import Wiki

from .conftest import LocalWiki

pytestmark = [pytest.mark.wiki, pytest.mark.django_db(transaction=True)]

NOWHERE = "http://127.0.0.1:9/api.php"  # nothing answers there
LICENCE = "[https://creativecommons.org/licenses/by-sa/4.0/ CC BY-SA 4.0]"
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def wiki_on(settings: Any, local_wiki: LocalWiki) -> Iterator[LocalWiki]:
    settings.LIVECHAT_WIKI_API = local_wiki.api
    settings.LIVECHAT_WIKI_BOT_USER = local_wiki.bot_user
    settings.LIVECHAT_WIKI_BOT_PASSWORD = local_wiki.bot_password
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    settings.LIVECHAT_WIKI_LICENCE = LICENCE
    settings.LIVECHAT_WIKI_ARCHIVE_MAX_BYTES = 150_000
    settings.LIVECHAT_WIKI_ARCHIVE_LATE_DAYS = 3
    # Titles of this run alone: the wiki persists between runs and other tests use it.
    run = uuid.uuid4().hex[:10]
    settings.LIVECHAT_WIKI_ARCHIVE_PREFIX = f"Project:Help desk/Test {run}/Archive/"
    yield local_wiki


@pytest.fixture
def reader(wiki_on: LocalWiki) -> Wiki:
    return Wiki(api_url=wiki_on.api)  # anonymous: reads what everyone reads


@pytest.fixture
def help_room(db: None) -> Room:
    return Room.objects.create(slug="help-desk", name="Help desk")


def at(clock: Any, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=UTC))


def run_job(clock: Any) -> int:
    """The daily run as the timers' worker does it: scheduled at start, fired when due."""
    wiki_archive.ensure_scheduled(now=clock.now())
    return fire_due_timers(now=clock.now())


def title(number: int = 1) -> str:
    return wiki_archive.page_title(DECEMBER, number)


def resolve(question: Question) -> None:
    Question.objects.filter(pk=question.pk).update(state=Question.State.RESOLVED)


def test_the_month_is_written_once_then_unchanged_then_split_then_appended(
    clock, wiki_on, reader, help_room, settings
):
    helper = make_user("Mentor", MENTORS)
    shy = make_user("Shy asker", wiki_id=900_001, name_in_archives=False)
    at(clock, "2026-12-10 09:00")
    first = ask(shy, help_room, "How do I add a reference?")
    at(clock, "2026-12-10 09:10")
    rude = reply(helper, first, "A rude remark")
    reply(helper, first, "Use the Cite button in the editor.")
    Message.objects.filter(pk=rude.pk).update(hidden=True)
    resolve(first)
    at(clock, "2026-12-10 12:00")
    second = ask(make_user("Named asker"), help_room, "Where is the sandbox?")
    reply(helper, second, "Under your user page: User:You/sandbox.")
    resolve(second)

    at(clock, "2026-12-11 00:15")
    run_job(clock)
    page = reader.page(title())
    assert page.exists
    assert page.title.endswith("/Archive/2026-12")
    text = page.text
    assert LICENCE in text
    assert "How do I add a reference?" in text
    answer = "<nowiki>Use the Cite button in the editor.</nowiki>"
    assert f"Answer by '''Mentor''' (09:10): {answer}" in text
    assert "A rude remark" not in text
    assert "Shy asker" not in text
    assert "=== 2026-12-10 09:00 UTC, asked by Anonymous 1 ===" in text
    assert "asked by Named asker ===" in text
    assert "Where is the sandbox?" in text
    assert not reader.page(title(2)).exists
    # Re-armed for the next day.
    assert pending(key=wiki_archive.KEY).due_at == datetime(2026, 12, 12, 0, 15, tzinfo=UTC)

    # The next day's run finds the page saying it already: no edit.
    at(clock, "2026-12-12 00:15")
    run_job(clock)
    assert reader.page(title()).rev_id == page.rev_id
    [written] = wiki_archive.write_month(wiki_archive.configured_wiki(), month=DECEMBER)
    assert written.changed is False and written.rev_id == page.rev_id

    # Past the cap: more pages, each under it, linked to each other.
    settings.LIVECHAT_WIKI_ARCHIVE_MAX_BYTES = 2_000
    for hour in range(13, 19):
        at(clock, f"2026-12-12 {hour}:00")
        question = ask(make_user(f"Asker {hour}"), help_room, f"Question at {hour} " + "q" * 250)
        reply(helper, question, f"Answer at {hour} " + "a" * 250)
        resolve(question)
    at(clock, "2026-12-13 00:15")
    run_job(clock)
    pages = []
    number = 1
    while (found := reader.page(title(number))).exists:
        pages.append(found)
        number += 1
    assert len(pages) >= 3
    assert all(found.size <= 2_000 for found in pages)
    assert f"Continued on [[{title(2)}|page 2]]." in pages[0].text
    assert f"Continued from [[{title(1)}|page 1]]." in pages[1].text
    assert "Continued on" not in pages[-1].text
    joined = "".join(found.text for found in pages)
    for hour in range(13, 19):
        assert f"Question at {hour} " in joined

    # A new question that fits on the last page changes that page alone.
    at(clock, "2026-12-13 10:00")
    late = ask(make_user("Late asker"), help_room, "One more?")
    reply(helper, late, "Sure.")
    at(clock, "2026-12-14 00:15")
    run_job(clock)
    after = [reader.page(title(n)) for n in range(1, len(pages) + 2)]
    assert [found.rev_id for found in after[:-2]] == [found.rev_id for found in pages[:-1]]
    assert after[-2].rev_id != pages[-1].rev_id
    assert "One more?" in after[-2].text
    assert not after[-1].exists


def test_a_page_the_bot_did_not_write_is_left_alone_and_moderators_told(
    clock, wiki_on, reader, help_room
):
    at(clock, "2026-12-10 09:00")
    ask(make_user("Asker"), help_room, "A question")
    someone = wiki_archive.configured_wiki()
    someone.edit(title(), text="A page someone wrote by hand.", summary="test")
    before = reader.page(title())

    at(clock, "2026-12-11 00:15")
    run_job(clock)

    assert reader.page(title()).rev_id == before.rev_id
    entry = ModerationLog.objects.get(action=wiki_archive.REFUSED_ACTION)
    assert "2026-12" in entry.reason and "not-the-bots-page" in entry.reason
    # The daily run goes on.
    assert pending(key=wiki_archive.KEY).due_at == datetime(2026, 12, 12, 0, 15, tzinfo=UTC)


def test_a_wiki_that_is_down_is_retried_later(clock, wiki_on, reader, help_room, settings):
    at(clock, "2026-12-10 09:00")
    ask(make_user("Asker"), help_room, "A question while the wiki is down")
    settings.LIVECHAT_WIKI_API = NOWHERE

    at(clock, "2026-12-11 00:15")
    run_job(clock)
    timer = pending(key=wiki_archive.KEY)
    assert timer.attempts == 1 and timer.due_at > clock.now()
    assert not reader.page(title()).exists

    settings.LIVECHAT_WIKI_API = wiki_on.api
    clock.set(timer.due_at)
    fire_due_timers(now=clock.now())
    assert "A question while the wiki is down" in reader.page(title()).text
    assert pending(key=wiki_archive.KEY).attempts == 0
