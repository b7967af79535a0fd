"""Questions handed off to the wiki's help desk, against the real local MediaWiki: a
question unanswered for 24 hours posted once as a section and read back through the API; a
reply written there by Mentor relayed into the thread by Mentor's chat account, notifying
the asker and answering the question; the notice on the asker's talk page; an edit
conflict and a wiki that is down retried without a double post; second runs change
nothing. The help desk page is this module's own (a uuid), and so is the asker's wiki
account (a fresh talk page), since the wiki outlives test runs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from helpdesk import wiki_handoff
from helpdesk.actions import register_handoff_hook
from helpdesk.models import Question, WikiHandoff, WikiReply, WikiTalkNotice
from livechat import actions
from livechat.models import Message, Notification, Room
from tests.conftest import make_user
from timers.api import fire_due_timers, pending
from wiki import sections
from wiki.client import EditConflict, Wiki

from .conftest import LocalWiki
from .test_local_wiki import maintenance

pytestmark = [pytest.mark.wiki, pytest.mark.django_db(transaction=True)]

RUN = uuid.uuid4().hex[:8]
ASKER = f"Chat handoff asker {RUN}"
NOWHERE = "http://127.0.0.1:9/api.php"  # nothing answers there
SITE = "http://chat.example"


@pytest.fixture(scope="module")
def asker_wiki_id(local_wiki: LocalWiki) -> int:
    maintenance("createAndPromote.php", "--force", ASKER, "chat-handoff-password-1")
    return Wiki(api_url=local_wiki.api).users([ASKER])[ASKER].id


@pytest.fixture
def wiki_on(settings: Any, local_wiki: LocalWiki) -> Iterator[LocalWiki]:
    settings.LIVECHAT_WIKI_API = local_wiki.api
    settings.LIVECHAT_WIKI_BOT_USER = local_wiki.bot_user
    settings.LIVECHAT_WIKI_BOT_PASSWORD = local_wiki.bot_password
    # A page per test: question ids start again in each test's database, and the marker
    # of an earlier test's question 1 would be found on a shared page.
    settings.LIVECHAT_WIKI_HELP_DESK_PAGE = f"Project:Help desk/Test {RUN} {uuid.uuid4().hex[:6]}"
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    settings.LIVECHAT_SITE_URL = SITE
    # tests/helpdesk/test_escalation.py empties the hooks after its own test: the app's
    # hook is put back (registering is idempotent).
    register_handoff_hook(wiki_handoff.on_handoff)
    yield local_wiki


@pytest.fixture
def asker(wiki_on: LocalWiki, asker_wiki_id: int) -> User:
    return make_user(ASKER, wiki_id=asker_wiki_id)


def page_title() -> str:
    from django.conf import settings

    return settings.LIVECHAT_WIKI_HELP_DESK_PAGE


def reader(local_wiki: LocalWiki) -> Wiki:
    return Wiki(api_url=local_wiki.api)


def ask(asker: User, room: Room, clock: Any) -> Question:
    first = actions.send_message(user=asker, room=room, body="How do I cite a {{book}}?").message
    clock.advance(minutes=1)
    actions.send_message(user=asker, room=room, body="It is a printed one, <b>from 1990</b>.")
    return Question.objects.get(first_message=first)


def run(clock: Any, **delta: float) -> int:
    """Move the clock and fire what is due, twice (timers scheduled by the first batch,
    such as the hand-off's post, are due at once)."""
    clock.advance(**delta)
    return fire_due_timers(now=clock.now()) + fire_due_timers(now=clock.now())


def mentor_replies(local_wiki: LocalWiki, question: Question, reply: str) -> None:
    """Mentor, signed in on the wiki, appends a reply to the question's section."""
    site = local_wiki.site()
    site.clientlogin(username="Mentor", password=local_wiki.passwords["WIKI_MENTOR_PASSWORD"])
    text = reader(local_wiki).page(page_title()).text
    found = sections.section_with(text, wiki_handoff.marker(question.pk))
    assert found is not None
    site.api(
        "edit",
        title=page_title(),
        section=found.index,
        appendtext=f"\n:: {reply} ~~~~",
        summary="Reply",
        token=site.get_token("csrf"),
        http_method="POST",
    )


def mentor_edits_elsewhere(local_wiki: LocalWiki) -> None:
    site = local_wiki.site()
    site.clientlogin(username="Mentor", password=local_wiki.passwords["WIKI_MENTOR_PASSWORD"])
    site.api(
        "edit",
        title=page_title(),
        section="new",
        sectiontitle=f"Another question {uuid.uuid4().hex[:6]}",
        text="Not from the chat. ~~~~",
        token=site.get_token("csrf"),
        http_method="POST",
    )


def test_it_hands_off_relays_the_wikis_reply_and_leaves_a_talk_page_notice(
    wiki_on, asker, room, clock
):
    question = ask(asker, room, clock)
    run(clock, hours=23, minutes=58)
    assert not WikiHandoff.objects.exists()

    run(clock, minutes=2)  # 24 h after it was asked
    handoff = WikiHandoff.objects.get(question=question)
    assert handoff.state == WikiHandoff.State.POSTED and handoff.rev_id

    page = reader(wiki_on).page(page_title())
    assert page.rev_id == handoff.rev_id
    found = sections.section_with(page.text, wiki_handoff.marker(question.pk))
    assert found is not None and found.heading == handoff.heading == "How do I cite a book?"
    section = found.text(page.text)
    assert f"[[User:{ASKER}|{ASKER}]]" in section
    assert "<nowiki>How do I cite a {{book}}?</nowiki>" in section
    assert "<nowiki>It is a printed one, &lt;b&gt;from 1990&lt;/b&gt;.</nowiki>" in section
    url = f"{SITE}/rooms/help-desk/archive/messages/{question.first_message_id}/"
    assert f"[{url} " in section
    assert "[https://creativecommons.org/licenses/by-sa/4.0/ CC BY-SA 4.0]" in section
    assert "[[User:Help desk bot" in section  # signed by the bot (~~~~ expanded)
    # The parsed page shows the link back and no template came out of the chat's text.
    assert page.text.count(wiki_handoff.marker(question.pk)) == 1

    # Running again posts nothing.
    wiki_handoff.post_handoff(question_id=question.pk, now=clock.now())
    run(clock, minutes=1)
    assert reader(wiki_on).page(page_title()).text.count(wiki_handoff.marker(question.pk)) == 1

    mentor_replies(wiki_on, question, "Use the '''Cite book''' template, see [[Help:Cite]].")
    run(clock, minutes=1)  # the follower
    reply = Message.objects.exclude(author=asker).get(room=room)
    mentor = reply.author
    assert mentor.username == "Mentor" and mentor.wiki_id is not None
    assert not mentor.has_usable_password()
    assert reply.body == "Use the Cite book template, see Help:Cite."
    assert reply.reply_to_id == question.first_message_id
    assert Notification.objects.filter(
        recipient=asker, actor=mentor, message=reply, kind=Notification.Kind.REPLY
    ).exists()
    question.refresh_from_db()
    assert question.state == Question.State.ANSWERED
    assert question.links.get(message=reply).from_helper
    assert WikiReply.objects.filter(handoff=handoff, message=reply).count() == 1

    # Relayed once, however often the follower runs.
    wiki_handoff.follow_help_desk(now=clock.now())
    run(clock, minutes=1)
    assert Message.objects.filter(room=room).count() == 3

    # The asker has no verified address: their talk page tells them, after the email's
    # quiet time, once.
    run(clock, minutes=3)
    notice = WikiTalkNotice.objects.get(question=question)
    assert notice.rev_id
    talk = reader(wiki_on).page(f"User talk:{ASKER}")
    assert talk.rev_id == notice.rev_id
    mark = sections.marker_comment(f"reply:{question.pk}:{notice.upto_notification_id}")
    assert talk.text.count(mark) == 1
    assert url in talk.text and "<nowiki>Mentor</nowiki>" in talk.text
    history = reader(wiki_on).revisions(f"User talk:{ASKER}")
    assert len(history) == 1  # a new section (the page did not exist), posted once
    run(clock, minutes=5)
    assert reader(wiki_on).page(f"User talk:{ASKER}").rev_id == notice.rev_id


def test_an_edit_conflict_is_retried_without_a_double_post(
    wiki_on, asker, room, clock, monkeypatch
):
    """Another edit lands between the bot's read and its write, and the bot's try ends in
    an edit conflict although the wiki took its section (the worst case: an answer lost
    on the way). The retry reads the page again, finds the marker, posts nothing.

    (MediaWiki itself merges other people's edits into a new section and lets one
    account's own edits through, so a real ``editconflict`` on ``section=new`` is rare;
    the client's EditConflict is raised here after the real edit went through.)"""
    mentor_edits_elsewhere(wiki_on)  # the page exists, as a help desk does
    question = ask(asker, room, clock)
    real_edit = Wiki.edit
    tries = []

    def edit_then_conflict(self: Wiki, title: str, **options: Any):
        tries.append(options.get("base_rev_id"))
        if len(tries) > 1:
            return real_edit(self, title, **options)
        mentor_edits_elsewhere(wiki_on)  # between the bot's read and its write
        real_edit(self, title, **options)
        raise EditConflict("Edit conflict.")

    monkeypatch.setattr(Wiki, "edit", edit_then_conflict)
    run(clock, hours=24)
    handoff = WikiHandoff.objects.get(question=question)
    assert handoff.state == WikiHandoff.State.PENDING and tries[0]  # based on the read
    timer = pending(key=wiki_handoff.post_key(question.pk))
    assert timer is not None and timer.attempts == 1

    run(clock, seconds=30)  # the timers' first retry
    handoff.refresh_from_db()
    assert handoff.state == WikiHandoff.State.POSTED
    assert len(tries) == 1  # the marker was found: no second edit
    text = reader(wiki_on).page(page_title()).text
    assert text.count(wiki_handoff.marker(question.pk)) == 1
    assert text.count("Not from the chat.") == 2  # the others' edits kept


def test_a_wiki_that_is_down_is_retried_until_it_answers_never_lost_nor_posted_twice(
    wiki_on, asker, room, clock, settings
):
    question = ask(asker, room, clock)
    settings.LIVECHAT_WIKI_API = NOWHERE
    settings.LIVECHAT_TIMERS_MAX_ATTEMPTS = 2
    assert wiki_handoff.ensure_following(clock.now())
    run(clock, hours=24)
    run(clock, seconds=30)  # the second failure parks the timer
    handoff = WikiHandoff.objects.get(question=question)
    assert handoff.state == WikiHandoff.State.PENDING
    timer = pending(key=wiki_handoff.post_key(question.pk))
    assert timer is not None and timer.parked

    settings.LIVECHAT_WIKI_API = wiki_on.api  # the wiki is back
    run(clock, minutes=30)
    assert WikiHandoff.objects.get(question=question).state == WikiHandoff.State.PENDING
    # The follower arms a parked hand-off again after the longest backoff.
    run(clock, minutes=31)
    run(clock, minutes=1)
    handoff.refresh_from_db()
    assert handoff.state == WikiHandoff.State.POSTED
    assert reader(wiki_on).page(page_title()).text.count(wiki_handoff.marker(question.pk)) == 1
    run(clock, minutes=5)
    assert reader(wiki_on).page(page_title()).text.count(wiki_handoff.marker(question.pk)) == 1
