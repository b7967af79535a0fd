"""Reads of the help rooms' archives (docs/archives.md): the months and days, one day's
transcript, search, and the threads the live room folds away.

Archives exist for help rooms only (LIVECHAT_HELP_ROOMS): those are the rooms whose live
view stops at LIVECHAT_LIVE_DAYS (livechat.selectors.live_window_start). Days are
calendar days in the current time zone. Hidden messages are left out for everyone;
moderators see a placeholder where one was. Every read here costs a constant number of
queries, whatever the number of messages or questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import (
    ROLES,
    adopt_role_flags,
    is_moderator,
    public_user,
    roles_of,
    with_role_flags,
)
from core.errors import NotFound
from livechat.models import Message, Room
from livechat.payloads import iso
from livechat.selectors import live_window_start

from . import search as backends
from .models import Question, QuestionMessage
from .payloads import users_by_id

SEARCH_PAGE_SIZE = 20
# A resolved question's thread folds away in the live view this long after it was resolved.
FOLD_AFTER = timedelta(hours=24)
# At most this many folded threads are sent to a page (a week of a busy help desk).
FOLDED_LIMIT = 1000

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")


# --- rooms, days and months -----------------------------------------------------------------


def archive_room(slug: str) -> Room:
    """The help room called ``slug``; other rooms have no archive."""
    room = Room.objects.filter(slug=slug).first() if slug in settings.LIVECHAT_HELP_ROOMS else None
    if room is None:
        raise NotFound(
            _("There is no archive called “%(slug)s”: only help rooms have archives.")
            % {"slug": slug}
        )
    return room


def parse_day(text: str, *, now: datetime) -> date:
    """A day from the URL (``2026-11-05``); a malformed, impossible or future one is not
    found, with a sentence saying which."""
    try:
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise NotFound(
            _("“%(text)s” is not a date. Archive days look like %(example)s.")
            % {"text": text, "example": timezone.localdate(now).isoformat()}
        )
    if day > timezone.localdate(now):
        raise NotFound(_("%(day)s has not happened yet.") % {"day": day.isoformat()})
    return day


def parse_month(text: str | None) -> date | None:
    """``?month=2026-11`` as the first day of that month; None when not given."""
    if not text:
        return None
    try:
        month = date.fromisoformat(f"{text}-01") if _MONTH.fullmatch(text) else None
    except ValueError:
        month = None
    if month is None:
        raise NotFound(
            _("“%(text)s” is not a month. Months look like %(example)s.")
            % {"text": text, "example": "2026-11"}
        )
    return month


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The day's first moment and the next day's, in the current time zone."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in the current time zone."""
    return day_bounds(month)[0], day_bounds(_next_month(month))[0]


def _visible(room: Room) -> Any:
    return Message.objects.filter(room=room, hidden=False)


@dataclass(frozen=True)
class MonthIndex:
    # Months with visible messages, newest first (first days of the months).
    months: list[date]
    # The month shown: the one asked for, or the newest with messages.
    month: date | None
    # Its days with messages, oldest first, with how many each has.
    days: list[tuple[date, int]]


def month_index(*, room: Room, month: date | None) -> MonthIndex:
    """The archive's front page: which months have messages and, for one of them, which
    days and how many. Three queries at most, through the (room, created_at) index."""
    span = _visible(room).aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return MonthIndex(months=[], month=month, days=[])
    first = timezone.localdate(span["first"]).replace(day=1)
    last = timezone.localdate(span["last"]).replace(day=1)
    candidates = []
    current = first
    while current <= last:
        candidates.append(current)
        current = _next_month(current)
    months = _months_with_messages(room, candidates)
    shown = month or last
    return MonthIndex(months=months[::-1], month=shown, days=_days_of(room, shown))


def _months_with_messages(room: Room, candidates: list[date]) -> list[date]:
    """The first and last months have messages by definition; the ones between are asked
    in one query, an index probe each (a quiet month in a help desk is rare but
    possible)."""
    inner = candidates[1:-1]
    if not inner:
        return candidates
    checks = {}
    for index, month in enumerate(inner):
        start, end = month_bounds(month)
        checks[f"m{index}"] = Exists(
            _visible(room).filter(created_at__gte=start, created_at__lt=end)
        )
    found = Room.objects.filter(pk=room.pk).annotate(**checks).values(*checks).get()
    kept = [month for index, month in enumerate(inner) if found[f"m{index}"]]
    return [candidates[0], *kept, candidates[-1]]


def _days_of(room: Room, month: date) -> list[tuple[date, int]]:
    start, end = month_bounds(month)
    rows = (
        _visible(room)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    return [(row["day"], row["count"]) for row in rows]


# --- a day's transcript ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One message of a transcript, or (for moderators) the place of a hidden one."""

    id: int
    created_at: datetime
    hidden: bool
    author: User | None = None
    # The author's roles to show as badges: (wire name, label), e.g. ("mentor", "Mentor").
    badges: tuple[tuple[str, str], ...] = ()
    # The sanitised HTML stored when the message was written (or last edited).
    html: SafeString | str = ""
    edited: bool = False
    reply_to_id: int | None = None
    reply_to_author: str = ""
    # The reply's target is on this page (an anchor) or elsewhere (a permalink).
    reply_here: bool = False
    # For a question's first message: the question and its state's label.
    question: Question | None = None
    state_label: str = ""


@dataclass(frozen=True)
class Transcript:
    room: Room
    day: date
    lines: list[Line]
    previous_day: date | None
    next_day: date | None
    # Today's transcript is still being written.
    is_today: bool


def _badges(user: User) -> tuple[tuple[str, str], ...]:
    roles = roles_of(user)
    return tuple((role.name, str(role.label)) for role in ROLES if role.name in roles)


def day_transcript(*, room: Room, day: date, viewer: User, now: datetime) -> Transcript:
    """The day's messages in order. Four queries: the messages with their authors and
    roles, the questions they open, the previous and the next day with messages."""
    start, end = day_bounds(day)
    moderator = is_moderator(viewer)
    messages = Message.objects.filter(room=room, created_at__gte=start, created_at__lt=end)
    if not moderator:
        messages = messages.filter(hidden=False)
    rows = list(
        with_role_flags(messages.select_related("author"), user_field="author")
        .annotate(reply_to_author=F("reply_to__author__username"))
        .order_by("created_at", "id")
    )
    visible_ids = {m.pk for m in rows if not m.hidden}
    questions = {
        q.first_message_id: q
        for q in Question.objects.filter(first_message_id__in=visible_ids).only(
            "id", "state", "first_message_id", "asker_id"
        )
    }
    lines = []
    for message in rows:
        if message.hidden:
            # Only moderators get here, and only the fact that something was said.
            lines.append(Line(id=message.pk, created_at=message.created_at, hidden=True))
            continue
        adopt_role_flags(message.author, message, user_field="author")
        question = questions.get(message.pk)
        lines.append(
            Line(
                id=message.pk,
                created_at=message.created_at,
                hidden=False,
                author=message.author,
                badges=_badges(message.author),
                html=SafeString(message.html),
                edited=message.edited_at is not None,
                reply_to_id=message.reply_to_id,
                reply_to_author=message.reply_to_author or "",
                reply_here=message.reply_to_id in visible_ids,
                question=question,
                state_label=str(Question.State(question.state).label) if question else "",
            )
        )
    previous = _visible(room).filter(created_at__lt=start).order_by("-created_at", "-id").first()
    following = _visible(room).filter(created_at__gte=end).order_by("created_at", "id").first()
    return Transcript(
        room=room,
        day=day,
        lines=lines,
        previous_day=timezone.localdate(previous.created_at) if previous else None,
        next_day=timezone.localdate(following.created_at) if following else None,
        is_today=day == timezone.localdate(now),
    )


def message_day(*, room: Room, message_id: int, viewer: User) -> date:
    """The day a message of this room's archive is on (its permalink's target)."""
    message = Message.objects.filter(room=room, pk=message_id).only("created_at", "hidden").first()
    if message is None or (message.hidden and not is_moderator(viewer)):
        raise NotFound(
            _("Message %(id)d is not in the archive of %(room)s.")
            % {"id": message_id, "room": room.name}
        )
    return timezone.localdate(message.created_at)


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    id: int
    created_at: datetime
    day: date
    author: User
    badges: tuple[tuple[str, str], ...]
    snippet: SafeString


@dataclass(frozen=True)
class Results:
    query: backends.SearchQuery
    results: list[Result]
    # The ``before`` of the next (older) page; None on the last one.
    older: int | None


def search(
    *, room: Room, text: str, before: int | None = None, limit: int = SEARCH_PAGE_SIZE
) -> Results:
    """Visible messages of the room matching ``text``, newest first, ``limit`` a page;
    ``before`` continues below a result's id. Two queries: the ids through the search
    index, then those messages with their authors."""
    query = backends.parse_query(text)
    ids = backends.matching_ids(room_id=room.pk, query=query, before=before, limit=limit + 1)
    page = ids[:limit]
    rows = {
        m.pk: m
        for m in with_role_flags(
            Message.objects.filter(pk__in=page).select_related("author"), user_field="author"
        )
    }
    results = []
    for pk in page:
        message = rows.get(pk)
        if message is None or message.hidden:
            continue  # hidden between the two queries
        adopt_role_flags(message.author, message, user_field="author")
        results.append(
            Result(
                id=pk,
                created_at=message.created_at,
                day=timezone.localdate(message.created_at),
                author=message.author,
                badges=_badges(message.author),
                snippet=backends.highlight(backends.plain_text(message.html), query.words),
            )
        )
    return Results(query=query, results=results, older=page[-1] if len(ids) > limit else None)


# --- folding in the live room ---------------------------------------------------------------


def folded_threads(*, room: Room, now: datetime) -> list[dict[str, Any]]:
    """Questions of the live window resolved more than FOLD_AFTER ago, with the ids of
    their messages: the live room shows each as one line that opens on request. Three
    queries: the questions, their messages, their askers."""
    questions = Question.objects.filter(
        room=room, state=Question.State.RESOLVED, resolved_at__lte=now - FOLD_AFTER
    )
    since = live_window_start(room=room, now=now)
    if since is not None:
        questions = questions.filter(asked_at__gte=since)
    rows = list(
        questions.order_by("-asked_at").values("id", "first_message_id", "asker_id", "resolved_at")[
            :FOLDED_LIMIT
        ]
    )
    rows.reverse()
    members: dict[int, list[int]] = {row["id"]: [] for row in rows}
    links = QuestionMessage.objects.filter(question_id__in=list(members)).order_by("message_id")
    for question_id, message_id in links.values_list("question_id", "message_id"):
        members[question_id].append(message_id)
    askers = users_by_id(row["asker_id"] for row in rows)
    return [
        {
            "question_id": row["id"],
            "message_id": row["first_message_id"],
            "message_ids": members[row["id"]],
            "asker": public_user(askers[row["asker_id"]]) if row["asker_id"] in askers else None,
            "resolved_at": iso(row["resolved_at"]),
        }
        for row in rows
    ]
