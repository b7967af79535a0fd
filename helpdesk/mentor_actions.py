"""Writes of mentors' settings: new-mentee weight, Away with a return date and a backup,
muting escalation notices; and assigning a mentor (docs/helpdesk.md "Mentors")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts.models import User, WikiMentor
from accounts.roles import MENTOR, has_role, is_helper
from accounts.wiki_roles import wiki_mentor
from core import clock
from core.errors import Forbidden, Invalid, NotFound

from .models import MentorProfile, Mentorship

MAX_AWAY_DAYS = 365
MAX_MUTE_MINUTES = 24 * 60

_UNSET = object()


def _clean_away(value: object) -> date | None:
    if value in (None, ""):
        return None
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:  # well formed but no such day: 2026-02-30
        parsed = None
    if parsed is None:
        raise Invalid(_("away_until must be a date such as 2027-01-03."), field="away_until")
    today = clock.now().date()
    if parsed < today:
        raise Invalid(_("away_until must not be in the past."), field="away_until")
    if parsed > today + timedelta(days=MAX_AWAY_DAYS):
        raise Invalid(
            _("Away lasts at most a year: the return date must be before %(limit)s.")
            % {"limit": (today + timedelta(days=MAX_AWAY_DAYS)).isoformat()},
            field="away_until",
        )
    return parsed


def _clean_backup(value: object, *, user: User) -> User | None:
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        backup = User.objects.filter(pk=value).first()
    elif isinstance(value, str):
        backup = User.objects.filter(username=value).first()
    else:
        backup = None
    if backup is None:
        raise Invalid(_("The backup mentor does not exist."), field="backup")
    if backup.pk == user.pk:
        raise Invalid(_("You cannot be your own backup."), field="backup")
    if not has_role(backup, MENTOR):
        raise Invalid(
            _("%(name)s is not a mentor and cannot be a backup.") % {"name": backup.username},
            field="backup",
        )
    return backup


def sync_wiki_weights(mentors: Mapping[int, WikiMentor]) -> None:
    """Keep the weights of mentors on the wiki's mentor list as the wiki sets them (user pk
    -> their entry; accounts.wiki_roles calls this). A mentor the wiki does not assign
    automatically gets weight none; a missing profile is created. Three statements at
    most, whatever the count."""
    if not mentors:
        return
    weights = {pk: entry.draw_weight for pk, entry in mentors.items()}
    current = dict(
        MentorProfile.objects.filter(user_id__in=list(weights)).values_list("user_id", "weight")
    )
    MentorProfile.objects.bulk_create(
        [
            MentorProfile(user_id=pk, weight=weight)
            for pk, weight in weights.items()
            if pk not in current
        ],
        ignore_conflicts=True,
    )
    changed = [
        MentorProfile(user_id=pk, weight=weights[pk])
        for pk, weight in current.items()
        if weight != weights[pk]
    ]
    MentorProfile.objects.bulk_update(changed, ["weight"])


def weight_set_on_wiki(user: User) -> bool:
    """Whether the wiki's mentor list sets this mentor's weight (the settings form then
    shows it read-only)."""
    return wiki_mentor(user) is not None


def _clean_weight(value: object) -> int:
    if value not in MentorProfile.Weight.values or isinstance(value, bool):
        raise Invalid(
            _("weight must be one of %(choices)s.")
            % {"choices": ", ".join(str(v) for v in MentorProfile.Weight.values)},
            field="weight",
        )
    return int(value)  # type: ignore[arg-type]


def _clean_mute(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_MUTE_MINUTES:
        raise Invalid(
            _("mute_minutes must be a whole number from 0 to %(limit)d.")
            % {"limit": MAX_MUTE_MINUTES},
            field="mute_minutes",
        )
    return value


def update_helper_settings(
    *,
    user: User,
    weight: object = _UNSET,
    away_until: object = _UNSET,
    backup: object = _UNSET,
    mute_minutes: object = _UNSET,
) -> MentorProfile:
    """Change what was given, leave the rest; helpers only."""
    if not is_helper(user):
        raise Forbidden(_("Only mentors and moderators have help-desk settings."))
    with transaction.atomic():
        profile, _created = MentorProfile.objects.select_for_update().get_or_create(user=user)
        if weight is not _UNSET:
            weight = _clean_weight(weight)
            # The wiki's list would overwrite it within minutes (accounts.wiki_roles).
            if weight != profile.weight and weight_set_on_wiki(user):
                raise Invalid(
                    _("Your weight for new mentees is set on the wiki's mentor list."),
                    field="weight",
                )
            profile.weight = weight
        if away_until is not _UNSET:
            profile.away_until = _clean_away(away_until)
        if backup is not _UNSET:
            profile.backup = _clean_backup(backup, user=user)
        if mute_minutes is not _UNSET:
            minutes = _clean_mute(mute_minutes)
            profile.muted_until = clock.now() + timedelta(minutes=minutes) if minutes else None
        profile.save()
    return profile


def assign_mentor(*, actor: User, mentee: User, mentor: User) -> Mentorship:
    """A moderator gives a newcomer a mentor (replacing any drawn one)."""
    from accounts.roles import is_moderator

    if not is_moderator(actor):
        raise Forbidden(_("Only moderators can assign mentors."))
    if not has_role(mentor, MENTOR):
        raise Invalid(_("%(name)s is not a mentor.") % {"name": mentor.username}, field="mentor")
    if mentor.pk == mentee.pk:
        raise Invalid(_("Nobody can mentor themselves."), field="mentor")
    mentorship, _created = Mentorship.objects.update_or_create(
        mentee=mentee,
        defaults={
            "mentor": mentor,
            "source": Mentorship.Source.ADMIN,
            "assigned_at": clock.now(),
        },
    )
    return mentorship


def get_user(pk: int) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise NotFound(_("User %(id)d does not exist.") % {"id": pk})
    return user
