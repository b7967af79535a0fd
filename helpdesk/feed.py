"""The public feed: questions that waited LIVECHAT_ESCALATE_FEED_MINUTES without a
helper's reply, for people and relay bots (IRC, Discord) outside the chat
(docs/coverage.md "The public feed").

What enters: every question the escalation put in the feed (``feed_at`` set), newest
entry first, FEED_SIZE of them, whatever happened since. A question answered or resolved
later stays, with its new state and a new ``updated`` time, so a reader sees the outcome
and a bot that posts new entries posts each question once. Nothing is private in it but
nothing more than needed either: the first lines of the question, its room, the wait and
a link to the message, never the asker's name. A question whose first message is hidden
is left out, also after it entered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from .coverage import describe_duration
from .models import Question

FEED_SIZE = 50
TITLE_LENGTH = 100
EXCERPT_LINES = 3
EXCERPT_LENGTH = 280

State = Question.State


@dataclass(frozen=True)
class FeedEntry:
    question_id: int
    message_id: int
    room_slug: str
    room_name: str
    state: str
    title: str
    excerpt: str  # the question's first lines, plain text
    status: str  # one sentence: how long it waited, and the outcome so far
    asked_at: datetime
    entered_at: datetime  # when it entered the feed
    updated_at: datetime
    first_reply_at: datetime | None
    wait_seconds: int  # to the first reply, or until it entered the feed


def feed_entries(*, limit: int = FEED_SIZE) -> list[FeedEntry]:
    """The feed's entries, newest entry first (one query)."""
    questions = (
        Question.objects.filter(feed_at__isnull=False, first_message__hidden=False)
        .select_related("room", "first_message")
        .order_by("-feed_at", "-pk")[:limit]
    )
    return [_entry(question) for question in questions]


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def excerpt(body: str) -> str:
    """The first non-blank lines of a message, at most EXCERPT_LINES and EXCERPT_LENGTH."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return _shorten("\n".join(lines[:EXCERPT_LINES]), EXCERPT_LENGTH)


def _title(question: Question, first_line: str) -> str:
    if question.state in (State.ANSWERED, State.STALE):
        return _("Answered: %(question)s") % {"question": first_line}
    if question.state == State.RESOLVED:
        return _("Resolved: %(question)s") % {"question": first_line}
    return first_line


def _status(question: Question, wait: str) -> str:
    room = question.room.name
    if question.first_reply_at is not None:
        return _("Answered after %(wait)s in %(room)s.") % {"wait": wait, "room": room}
    if question.state == State.RESOLVED:
        return _("Resolved in %(room)s without a helper's reply.") % {"room": room}
    if question.state == State.CLAIMED:
        return _("A helper took this question in %(room)s; no reply after %(wait)s.") % {
            "wait": wait,
            "room": room,
        }
    return _("No reply after %(wait)s in %(room)s.") % {"wait": wait, "room": room}


def _entry(question: Question) -> FeedEntry:
    assert question.feed_at is not None
    text = excerpt(question.first_message.body)
    first_line = _shorten(text.split("\n", 1)[0], TITLE_LENGTH)
    end = question.first_reply_at or question.feed_at
    wait = max(0, int((end - question.asked_at).total_seconds()))
    return FeedEntry(
        question_id=question.pk,
        message_id=question.first_message_id,
        room_slug=question.room.slug,
        room_name=question.room.name,
        state=question.state,
        title=_title(question, first_line),
        excerpt=text,
        status=_status(question, describe_duration(wait)),
        asked_at=question.asked_at,
        entered_at=question.feed_at,
        updated_at=max(question.updated_at, question.feed_at),
        first_reply_at=question.first_reply_at,
        wait_seconds=wait,
    )
