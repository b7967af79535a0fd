"""Coverage: how fast questions get a first reply, and when the community is missing
helpers (docs/coverage.md). Reads for the coverage page and its JSON, and the timer that
samples how many helpers are available.

The reads are three queries whatever the number of questions: the help rooms, the
questions of the period (three columns each), and the period's hourly helper samples.
The percentiles, shares and the heat map's buckets are computed here in Python, the same
on SQLite and PostgreSQL; a 90-day period of a wiki's help desk is a few thousand rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Invalid
from core.params import parse_choice
from livechat.models import Room
from livechat.payloads import iso
from timers import api as timers

from .availability import available_helper_ids
from .models import HelperSample, Question

PERIODS: tuple[int, ...] = (7, 30, 90)
DEFAULT_DAYS = 30
# "Answered within": 10 minutes, 1 hour, 1 day.
THRESHOLDS: tuple[int, ...] = (10 * 60, 60 * 60, 24 * 60 * 60)
DAYS_IN_WEEK = 7
HOURS_IN_DAY = 24

SAMPLE_KIND = "helpdesk.sample"
SAMPLE_MINUTES = 10
SAMPLE_KEY_PREFIX = "helpdesk:sample:"


# --- parameters --------------------------------------------------------------------------


def parse_days(value: object) -> int:
    """The period: 7, 30 or 90 days (30 when not given)."""
    if value is None or value == "":
        return DEFAULT_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or value not in PERIODS:
        raise Invalid(
            _("days must be one of %(choices)s.")
            % {"choices": ", ".join(str(days) for days in PERIODS)},
            field="days",
        )
    return value


def help_rooms() -> list[Room]:
    """The help rooms that exist, in the order LIVECHAT_HELP_ROOMS names them."""
    order = {slug: index for index, slug in enumerate(settings.LIVECHAT_HELP_ROOMS)}
    rooms = Room.objects.filter(slug__in=order)
    return sorted(rooms, key=lambda room: order[room.slug])


def parse_room(value: object, *, rooms: Sequence[Room]) -> Room | None:
    """One of ``rooms`` by slug; None (every help room) when not given."""
    slug = parse_choice(value, field="room", choices=tuple(room.slug for room in rooms))
    return next((room for room in rooms if room.slug == slug), None)


# --- the figures ----------------------------------------------------------------------------


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` percentile of ascending values, interpolated between the two
    nearest ranks as PostgreSQL's percentile_cont does; None for no values."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    below = math.floor(position)
    above = math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def hour_of_week(moment: datetime) -> tuple[int, int]:
    """(weekday, hour) in UTC: Monday is 0."""
    utc = moment.astimezone(UTC)
    return utc.weekday(), utc.hour


def start_of_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class _Cell:
    hours: int = 0  # how often this hour of the week occurs in the period
    questions: int = 0
    unattended: int = 0  # asked while no helper was available
    sampled_hours: int = 0
    helper_hours: float = 0.0
    helpers_max: int = 0


def coverage(*, room: Room | None, days: int, now: datetime) -> dict[str, Any]:
    """The coverage of ``room`` (every help room when None) over the ``days`` before
    ``now`` (docs/coverage.md "The figures"). Two queries."""
    since = now - timedelta(days=days)
    questions = Question.objects.filter(asked_at__gte=since, asked_at__lte=now)
    samples = HelperSample.objects.filter(hour__gte=start_of_hour(since), hour__lte=now)
    if room is None:
        questions = questions.filter(room__slug__in=settings.LIVECHAT_HELP_ROOMS)
        samples = samples.filter(room__isnull=True)
    else:
        questions = questions.filter(room=room)
        samples = samples.filter(room=room)

    cells = [[_Cell() for _hour in range(HOURS_IN_DAY)] for _day in range(DAYS_IN_WEEK)]
    moment = start_of_hour(since)
    while moment <= now:
        day, hour = hour_of_week(moment)
        cells[day][hour].hours += 1
        moment += timedelta(hours=1)
    waits: list[float] = []
    rows = list(questions.values_list("asked_at", "first_reply_at", "helpers_available"))
    for asked_at, first_reply_at, helpers_available in rows:
        if first_reply_at is not None:
            waits.append(max(0.0, (first_reply_at - asked_at).total_seconds()))
        day, hour = hour_of_week(asked_at)
        cell = cells[day][hour]
        cell.questions += 1
        cell.unattended += helpers_available == 0

    for hour_start, count, total, most in samples.values_list(
        "hour", "samples", "helpers_total", "helpers_max"
    ):
        if not count:
            continue
        day, hour = hour_of_week(hour_start)
        cell = cells[day][hour]
        cell.sampled_hours += 1
        cell.helper_hours += total / count
        cell.helpers_max = max(cell.helpers_max, most)

    waits.sort()
    return {
        "room": room.slug if room else None,
        "days": days,
        "since": iso(since),
        "until": iso(now),
        "asked": len(rows),
        "replied": len(waits),
        "first_reply": {
            "median_seconds": _seconds(percentile(waits, 0.5)),
            "p90_seconds": _seconds(percentile(waits, 0.9)),
        },
        "within": [_within(rows, seconds, now) for seconds in THRESHOLDS],
        "heatmap": {
            "timezone": "UTC",
            "sample_minutes": SAMPLE_MINUTES,
            "cells": [
                {
                    "weekday": day,
                    "hour": hour,
                    "hours": cell.hours,
                    "questions": cell.questions,
                    "unattended": cell.unattended,
                    "sampled_hours": cell.sampled_hours,
                    "helper_hours": round(cell.helper_hours, 2),
                    "helpers_max": cell.helpers_max,
                }
                for day, hours in enumerate(cells)
                for hour, cell in enumerate(hours)
            ],
        },
    }


def _within(
    rows: list[tuple[datetime, datetime | None, int]], seconds: int, now: datetime
) -> dict[str, Any]:
    """The share of questions answered within ``seconds``, of those asked at least that
    long ago: a question asked five minutes ago has not yet failed "within an hour"."""
    limit = timedelta(seconds=seconds)
    eligible = [(asked, replied) for asked, replied, _n in rows if asked <= now - limit]
    answered = sum(
        1 for asked, replied in eligible if replied is not None and replied - asked <= limit
    )
    return {
        "seconds": seconds,
        "eligible": len(eligible),
        "answered": answered,
        "share": round(answered / len(eligible), 4) if eligible else None,
    }


# --- words -----------------------------------------------------------------------------------


def describe_duration(seconds: int | None) -> str:
    """A wait as a person reads it: "45 seconds", "12 minutes", "2 h 05 min", "3 d 4 h"."""
    if seconds is None:
        return _("no reply yet")
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = round(seconds / 60)
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if not minutes:
            return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    days, hours = divmod(hours, 24)
    if not hours:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}


# --- sampling helpers ---------------------------------------------------------------------------


def slot_of(moment: datetime) -> datetime:
    """The start of the sampling slot ``moment`` falls in (every SAMPLE_MINUTES, UTC)."""
    utc = moment.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % SAMPLE_MINUTES, second=0, microsecond=0)


def sample_key(slot: datetime) -> str:
    # One key per slot, not one for "the sampler": a handler cannot move its own timer
    # (the worker then finds it renewed and rolls the handler back), and every way of
    # starting the sampler converges on the same key for the same slot.
    return f"{SAMPLE_KEY_PREFIX}{slot:%Y%m%dT%H%M}"


def ensure_sampling(*, now: datetime) -> bool:
    """Schedule the sample of the next slot unless it is already waiting (one
    statement); say whether this call scheduled it. The page and the JSON call it, so
    the sampler starts without a manual step (docs/coverage.md "Sampling")."""
    slot = slot_of(now) + timedelta(minutes=SAMPLE_MINUTES)
    return timers.schedule_once(key=sample_key(slot), kind=SAMPLE_KIND, due_at=slot)


def record_sample(*, room_id: int | None, helpers: int, now: datetime) -> bool:
    """Add one sample of ``helpers`` available to the hour of ``now``; say whether it
    counted (a second sample in the same slot does not)."""
    slot = slot_of(now)
    hour = start_of_hour(now)
    rows = HelperSample.objects.filter(hour=hour).filter(
        Q(room_id=room_id) if room_id is not None else Q(room__isnull=True)
    )
    updated = rows.filter(sampled_at__lt=slot).update(
        samples=F("samples") + 1,
        helpers_total=F("helpers_total") + helpers,
        helpers_max=Greatest("helpers_max", Value(helpers)),
        sampled_at=slot,
    )
    if updated:
        return True
    try:
        # A savepoint: the handler's transaction goes on if the row exists already
        # (sampled in this slot, or by a second worker just now).
        with transaction.atomic():
            HelperSample.objects.create(
                room_id=room_id,
                hour=hour,
                samples=1,
                helpers_total=helpers,
                helpers_max=helpers,
                sampled_at=slot,
            )
    except IntegrityError:
        return False
    return True


def sample_helpers(*, now: datetime) -> None:
    """Count the helpers available now, site-wide and in each help room (a helper
    blocked in a room is not available there), and schedule the next sample."""
    record_sample(room_id=None, helpers=len(available_helper_ids(now=now)), now=now)
    for room in help_rooms():
        helpers = len(available_helper_ids(now=now, room_id=room.pk))
        record_sample(room_id=room.pk, helpers=helpers, now=now)
    ensure_sampling(now=now)


def _sample_timer(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    sample_helpers(now=now)


def register() -> None:
    timers.register_handler(SAMPLE_KIND, _sample_timer)
    # Every worker that starts makes sure the sampler runs (one idempotent statement).
    timers.register_startup(lambda now: ensure_sampling(now=now))
