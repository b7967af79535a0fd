"""Mentors first (docs/helpdesk.md "Mentors"): a newcomer's mentor, drawn at random by
weight on their first question as GrowthExperiments does, and who stands in while the
mentor is Away."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from accounts.models import User
from accounts.roles import MENTORS

from .models import MentorProfile, Mentorship


@dataclass(frozen=True)
class Route:
    """Who a mentee's question goes to first."""

    mentor: User | None  # their mentor (None: no mentor)
    helper: User | None  # the mentor, or the backup while the mentor is away, or nobody
    away_until: date | None  # set when the mentor is away


def draw_mentor(
    *, exclude: int | None = None, now: datetime, rng: random.Random | None = None
) -> User | None:
    """A mentor who takes new mentees, at random by weight (none 0, low 1, medium 2,
    high 4); mentors without a profile count as medium. Away mentors are left out."""
    mentors = list(
        User.objects.filter(groups__name=MENTORS, is_active=True)
        .exclude(pk=exclude)
        .exclude(
            Q(mentor_profile__weight=MentorProfile.Weight.NONE)
            | Q(mentor_profile__away_until__gte=now.date())
        )
        .values_list("pk", "mentor_profile__weight")
        .distinct()
    )
    if not mentors:
        return None
    weights = [MentorProfile.Weight.MEDIUM if weight is None else weight for _, weight in mentors]
    chosen = (rng or random).choices([pk for pk, _ in mentors], weights=weights, k=1)[0]
    return User.objects.get(pk=chosen)


def mentor_of(*, mentee: User, now: datetime, assign: bool) -> User | None:
    """The mentee's mentor; with ``assign``, one is drawn when they have none yet."""
    mentorship = Mentorship.objects.select_related("mentor").filter(mentee=mentee).first()
    if mentorship is not None:
        return mentorship.mentor
    if not assign:
        return None
    mentor = draw_mentor(exclude=mentee.pk, now=now)
    if mentor is None:
        return None
    Mentorship.objects.get_or_create(
        mentee=mentee,
        defaults={"mentor": mentor, "source": Mentorship.Source.AUTO, "assigned_at": now},
    )
    return mentor


def route_for(*, mentee: User, now: datetime, assign: bool = True) -> Route:
    mentor = mentor_of(mentee=mentee, now=now, assign=assign)
    if mentor is None:
        return Route(mentor=None, helper=None, away_until=None)
    profile = MentorProfile.objects.select_related("backup").filter(user=mentor).first()
    if profile is None or profile.away_until is None or profile.away_until < now.date():
        return Route(mentor=mentor, helper=mentor, away_until=None)
    backup = profile.backup
    if backup is not None:
        backup_profile = MentorProfile.objects.filter(user=backup).first()
        if backup_profile and backup_profile.away_until and backup_profile.away_until >= now.date():
            backup = None
    return Route(mentor=mentor, helper=backup, away_until=profile.away_until)
