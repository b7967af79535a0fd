"""Reads of the help desk: the helpers' queue, the badge, availability and the honest
wait an asker is shown (docs/helpdesk.md). Each is a constant number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    Q,
)
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import MENTOR, is_helper, public_user, with_role_flags
from core.errors import NotFound
from core.params import parse_choice
from livechat.models import Message, Room
from livechat.payloads import iso
from livechat.presence import online_counts

from .availability import available_helper_ids
from .models import MentorProfile, Question
from .payloads import (
    USER_FIELDS,
    question_payload_with,
    question_payloads,
    users_by_id,
    wait_seconds,
)

State = Question.State
QueueFilter = Literal["waiting", "unresolved", "mine", "all"]
QUEUE_FILTERS: tuple[str, ...] = ("waiting", "unresolved", "mine", "all")
# A page of the queue: the oldest first, and how many more there are. 50 keeps the answer
# small and its p99 under 20 ms with 10,000 open questions (docs/benchmarks.md).
QUEUE_LIMIT = 50
SNIPPET_LENGTH = 280
# Fewer answered questions than this in the window and the wait is only "a few minutes".
MIN_SAMPLES = 5
WAIT_WINDOW = timedelta(days=7)
# The medians move slowly; computing them once a minute keeps availability cheap.
WAIT_CACHE_SECONDS = 60


def parse_queue_filter(value: object) -> QueueFilter:
    if value in (None, ""):
        return "unresolved"
    return parse_choice(value, field="state", choices=QUEUE_FILTERS)  # type: ignore[return-value]


def _queue_queryset(*, viewer: User, state: QueueFilter, now: datetime) -> Any:
    questions = Question.objects.select_related("room", "first_message")
    if state == "waiting":
        return questions.filter(state=State.WAITING)
    if state == "unresolved":
        return questions.filter(state__in=Question.OPEN_STATES)
    if state == "mine":
        return questions.filter(
            Q(claimed_by=viewer) | Q(mentor=viewer), state__in=Question.OPEN_STATES
        )
    return questions


def queue(
    *, viewer: User, state: QueueFilter, now: datetime, limit: int = QUEUE_LIMIT
) -> dict[str, Any]:
    """Open questions oldest first (``all``: every question, newest first); those routed
    to the viewer as mentor first of all; at most ``limit``, with the ``total``. Five
    queries whatever the number of questions."""
    questions = _queue_queryset(viewer=viewer, state=state, now=now)
    total = questions.count()
    if state == "all":
        rows = list(questions.order_by("-asked_at", "-pk")[:limit])
    else:
        mine_first = list(
            questions.filter(mentor=viewer, routed_until__gt=now).order_by("asked_at", "pk")[:limit]
        )
        rest = list(
            questions.exclude(pk__in=[q.pk for q in mine_first]).order_by("asked_at", "pk")[
                : limit - len(mine_first)
            ]
        )
        rows = mine_first + rest
    users = users_by_id(getattr(q, field) for q in rows for field in USER_FIELDS)
    sent = _messages_sent([q.asker_id for q in rows])
    items = []
    for question in rows:
        first = question.first_message
        asker = users.get(question.asker_id)
        items.append(
            {
                **question_payload_with(question, users),
                "wait_seconds": wait_seconds(question, now),
                "first_message": "" if first.hidden else first.body[:SNIPPET_LENGTH],
                "routed_to_me": question.mentor_id == viewer.pk
                and question.routed_until is not None
                and question.routed_until > now,
                "asker_info": {
                    "joined_at": iso(asker.date_joined if asker else None),
                    "messages_sent": sent.get(question.asker_id, 0),
                    "wiki_edit_count": None,
                },
            }
        )
    return {"questions": items, "state": state, "total": total, "has_more": total > len(items)}


def _messages_sent(user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = (
        Message.objects.filter(author_id__in=set(user_ids))
        .values("author_id")
        .annotate(n=Count("pk"))
    )
    return {row["author_id"]: row["n"] for row in rows}


def waiting_summary(*, now: datetime) -> dict[str, Any]:
    """The badge: how many questions wait, and how long the oldest has (one query)."""
    row = Question.objects.filter(state=State.WAITING).aggregate(
        count=Count("pk"), oldest=Min("asked_at")
    )
    oldest = int((now - row["oldest"]).total_seconds()) if row["oldest"] else None
    return {"waiting": row["count"], "oldest_wait_seconds": oldest, "level": wait_level(oldest)}


def wait_level(seconds: int | None) -> str:
    """The badge's colour: under 5 minutes, 5 to 30, over 30."""
    if seconds is None or seconds < 5 * 60:
        return "ok"
    return "warn" if seconds <= 30 * 60 else "late"


def typical_wait(*, now: datetime, online: bool) -> tuple[int | None, int]:
    """The median seconds to a first helper reply over the last 7 days, for questions
    asked while helpers were (``online``) or were not available, and how many questions
    that median is of."""
    key = f"helpdesk:typical-wait:{int(online)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    questions = Question.objects.filter(
        asked_at__gte=now - WAIT_WINDOW, first_reply_at__isnull=False
    )
    questions = (
        questions.filter(helpers_available__gt=0)
        if online
        else questions.filter(helpers_available=0)
    )
    result = _median_wait(questions)
    cache.set(key, result, WAIT_CACHE_SECONDS)
    return result


class _MedianSeconds(Aggregate):
    """PostgreSQL's percentile_cont(0.5) over durations, in seconds."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def _median_wait(questions: Any) -> tuple[int | None, int]:
    """The median of first_reply_at - asked_at, and the count, computed by the database,
    never by fetching every wait (that cost 100 ms at 30,000 questions:
    docs/benchmarks.md). PostgreSQL: one percentile_cont aggregate. Elsewhere (SQLite): a
    count, then the middle row or two as the database sorts them."""
    wait = ExpressionWrapper(F("first_reply_at") - F("asked_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        row = questions.aggregate(median=_MedianSeconds(wait), count=Count("pk"))
        median = row["median"]
        return (None if median is None else int(median)), row["count"]
    waits = questions.annotate(wait=wait)
    count = waits.count()
    if not count:
        return None, 0
    # The middle one, or the mean of the two middle ones of an even count (as
    # percentile_cont and statistics.median give).
    ordered = waits.order_by("wait", "pk").values_list("wait", flat=True)
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    return int(sum(one.total_seconds() for one in middle) / len(middle)), count


def availability(*, room: Room, now: datetime) -> dict[str, Any]:
    """What an asker is told before they ask (docs/api.md "Availability")."""
    helpers = len(available_helper_ids(now=now, room_id=room.pk))
    people = online_counts([room.pk]).get(room.pk, 0)
    if helpers:
        wait, samples = typical_wait(now=now, online=True)
        basis = "online"
        if samples < MIN_SAMPLES:
            wait = None  # "a few minutes"
    else:
        wait, samples = typical_wait(now=now, online=False)
        basis = "offline" if samples else "none"
    return {
        "helpers_online": helpers,
        "people_online": people,
        "typical_wait_seconds": wait,
        "basis": basis,
        "samples": samples,
    }


def help_room(slug: str) -> Room:
    if slug not in settings.LIVECHAT_HELP_ROOMS:
        raise NotFound(_("%(slug)s is not a help room.") % {"slug": slug})
    room = Room.objects.filter(slug=slug).first()
    if room is None:
        raise NotFound(_("Room %(slug)s does not exist.") % {"slug": slug})
    return room


def get_question(*, question_id: int) -> Question:
    question = Question.objects.select_related("room").filter(pk=question_id).first()
    if question is None:
        raise NotFound(_("Question %(id)d does not exist.") % {"id": question_id})
    return question


def my_questions(*, user: User, room: Room) -> list[dict[str, Any]]:
    """The asker's questions in a room, newest first (the page shows their states)."""
    return question_payloads(
        list(
            Question.objects.select_related("room")
            .filter(asker=user, room=room)
            .order_by("-asked_at")[:20]
        )
    )


def mentor_status(*, user: User, now: datetime) -> dict[str, Any]:
    """What the page tells a newcomer about their mentor (and the helper's own settings)."""
    from .mentors import route_for
    from .payloads import users_by_id

    route = route_for(mentee=user, now=now, assign=False)
    users = users_by_id(
        [route.mentor.pk if route.mentor else None, route.helper.pk if route.helper else None]
    )

    profile = MentorProfile.objects.filter(user=user).first()
    return {
        "mentor": public_user(users[route.mentor.pk]) if route.mentor else None,
        "away_until": route.away_until.isoformat() if route.away_until else None,
        "backup": public_user(users[route.helper.pk])
        if route.helper and route.mentor and route.helper.pk != route.mentor.pk
        else None,
        "me": None
        if profile is None
        else {
            "weight": profile.weight,
            "away_until": profile.away_until.isoformat() if profile.away_until else None,
            "backup": profile.backup_id,
            "muted_until": iso(profile.muted_until),
        },
    }


QUESTION_STATES_MAX = 100


def question_states(*, room: Room, message_ids: list[int]) -> dict[str, dict[str, Any]]:
    """The questions whose first message is among ``message_ids`` in ``room``, keyed by
    that message's id: the chips on a page of history. Two queries whatever the count
    (the questions, their people); no message text."""
    questions = list(
        Question.objects.select_related("room").filter(
            room=room, first_message_id__in=set(message_ids)
        )
    )
    return {
        str(question.first_message_id): payload
        for question, payload in zip(questions, question_payloads(questions), strict=True)
    }


def helper_profile(*, user: User) -> MentorProfile | None:
    """A helper's help-desk settings, with their backup (None until first saved)."""
    return MentorProfile.objects.select_related("backup").filter(user=user).first()


def help_room_names() -> dict[str, str]:
    """The help rooms that exist, slug -> name."""
    return dict(
        Room.objects.filter(slug__in=settings.LIVECHAT_HELP_ROOMS).values_list("slug", "name")
    )


def backup_choices(*, user: User, limit: int) -> list[tuple[int, str]]:
    """The mentors who could stand in for this helper while they are away (one query)."""
    return list(
        User.objects.filter(groups__name=MENTOR.group, is_active=True)
        .exclude(pk=user.pk)
        .order_by("username")
        .values_list("pk", "username")[:limit]
    )


def wiki_indicator(*, room: Room, wiki_name: str, now: datetime) -> dict[str, Any]:
    """What the "Help chat" button on the wiki's pages shows (docs/wiki.md, "The chat on the
    wiki's pages"): how many helpers are online, and, when ``wiki_name`` is one of the
    chat's helpers, how many questions wait and how late the oldest is. All of it is public
    already (the availability banner and the feed): the name only chooses what to show."""
    helpers = len(available_helper_ids(now=now, room_id=room.pk))
    viewer = (
        with_role_flags(User.objects.filter(username=wiki_name, is_active=True)).first()
        if wiki_name
        else None
    )
    answer: dict[str, Any] = {"helpers_online": helpers, "helper": False}
    if viewer is not None and is_helper(viewer):
        answer.update(helper=True, **waiting_summary(now=now))
    return answer
