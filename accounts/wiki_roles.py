"""Roles from the wiki (docs/wiki.md "Roles"): the wiki's mentor list makes mentors, its
groups (``LIVECHAT_WIKI_MODERATOR_GROUPS``) make moderators.

Local roles can add, never take away. A role is a Django group (accounts.roles); when the
wiki grants a role the person does not hold here, they are added to the group and a
:class:`~accounts.models.WikiRoleGrant` records that the wiki did it. When the wiki stops
granting it, only such a membership is removed. A membership given here (no grant) survives
whatever the wiki says. Only wiki accounts (``user.wiki_id`` set, username = wiki name) are
touched.

Two ways in:

- :func:`apply_wiki_roles` at sign-in, with the OAuth profile's groups and the mentor list
  as last stored (no HTTP);
- :func:`refresh_wiki_roles` every ``LIVECHAT_WIKI_ROLES_SECONDS`` (a timer the help desk
  keeps, helpdesk.jobs): reads the mentor list and every wiki account's groups, stores the
  list, and reconciles everyone. When the wiki cannot be reached, nothing changes.

Whoever keeps per-mentor settings (the help desk's weights) listens with
:func:`on_wiki_mentors`, so this module needs to know nothing of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from itertools import islice

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from wiki.client import Mentor, Wiki, WikiUnavailable

from .models import User, WikiMentor, WikiRoleGrant
from .roles import MENTOR, MODERATOR, ROLES, Role, forget_roles

logger = logging.getLogger(__name__)

# Users reconciled per round of queries (keeps IN lists well under SQLite's limits).
USERS_PER_BATCH = 500

# Called with the wiki accounts just reconciled that are on the mentor list (user pk ->
# their entry), inside the transaction that applied their roles.
MentorListener = Callable[[Mapping[int, WikiMentor]], None]
_mentor_listeners: list[MentorListener] = []


def on_wiki_mentors(listener: MentorListener) -> None:
    """Call ``listener`` whenever mentors on the wiki's list have had their roles applied
    (the help desk keeps their weights in step)."""
    if listener not in _mentor_listeners:
        _mentor_listeners.append(listener)


def moderator_groups() -> frozenset[str]:
    return frozenset(settings.LIVECHAT_WIKI_MODERATOR_GROUPS)


def _weight(value: int) -> int:
    # As GrowthExperiments' MentorWeightManager: a weight it does not know is the default.
    return value if value in WikiMentor.WEIGHTS else WikiMentor.DEFAULT_WEIGHT


def store_mentor_list(mentors: Iterable[Mentor]) -> None:
    """Replace the stored mentor list with ``mentors`` (as :meth:`Wiki.mentors` read it)."""
    entries = {mentor.username: mentor for mentor in mentors}
    with transaction.atomic():
        WikiMentor.objects.exclude(username__in=list(entries)).delete()
        WikiMentor.objects.bulk_create(
            [
                WikiMentor(
                    username=mentor.username,
                    wiki_user_id=mentor.user_id,
                    weight=_weight(mentor.weight),
                    automatic=mentor.automatic,
                    message=mentor.message,
                )
                for mentor in entries.values()
            ],
            update_conflicts=True,
            unique_fields=["username"],
            update_fields=["wiki_user_id", "weight", "automatic", "message"],
        )


def wiki_mentor(user: User) -> WikiMentor | None:
    """The user's entry on the stored mentor list; None for a local account or a wiki
    account that is not on it."""
    if not user.from_wiki:
        return None
    return WikiMentor.objects.filter(username=user.username).first()


def apply_wiki_roles(user: User, *, groups: Iterable[str]) -> None:
    """Apply what the wiki says of ``user``: moderator when ``groups`` (their wiki groups,
    e.g. the OAuth profile's) meet ``LIVECHAT_WIKI_MODERATOR_GROUPS``, mentor when they are
    on the mentor list as last stored. A local account is left alone."""
    if not user.from_wiki:
        return
    with transaction.atomic():
        listed = wiki_mentor(user)
        wanted = {MENTOR: listed is not None, MODERATOR: not moderator_groups().isdisjoint(groups)}
        _reconcile({user.pk: wanted})
        if listed is not None:
            _tell_listeners({user.pk: listed})
    forget_roles(user)


def refresh_wiki_roles(*, wiki: Wiki) -> bool:
    """Read the mentor list and every wiki account's groups, store the list and apply both
    to everyone; say whether it did. An unreachable wiki changes nothing (logged): the
    next round tries again.

    A wiki account the wiki does not know by its name (renamed or gone) keeps its
    moderator role as it is; its next sign-in brings its new name and groups."""
    names = list(User.objects.filter(wiki_id__isnull=False).values_list("username", flat=True))
    try:
        mentors = wiki.mentors()
        found = wiki.users(names) if names else {}
    except WikiUnavailable as error:
        logger.warning("Roles from the wiki not refreshed (kept as they were): %s", error)
        return False
    moderators = moderator_groups()
    with transaction.atomic():
        store_mentor_list(mentors)
        listed = {entry.username: entry for entry in WikiMentor.objects.all()}
        people = User.objects.filter(wiki_id__isnull=False).values_list("pk", "username")
        for batch in _batches(people.iterator(), USERS_PER_BATCH):
            wanted: dict[int, dict[Role, bool]] = {}
            mentors_here: dict[int, WikiMentor] = {}
            for pk, name in batch:
                wanted[pk] = {MENTOR: name in listed}
                if name in found:
                    wanted[pk][MODERATOR] = not moderators.isdisjoint(found[name].groups)
                if name in listed:
                    mentors_here[pk] = listed[name]
            _reconcile(wanted)
            if mentors_here:
                _tell_listeners(mentors_here)
    return True


def _batches(rows: Iterable[tuple[int, str]], size: int) -> Iterable[list[tuple[int, str]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _tell_listeners(mentors: Mapping[int, WikiMentor]) -> None:
    for listener in _mentor_listeners:
        listener(mentors)


def _reconcile(wanted: Mapping[int, Mapping[Role, bool]]) -> None:
    """Make each user's roles what the wiki wants (user pk -> role -> granted?; a role left
    out is not decided and stays as it is), adding and recording grants, and removing only
    what the wiki granted. Five statements or fewer per role, whatever the count."""
    if not wanted:
        return
    group_ids = _group_ids()
    membership = User.groups.through
    users = list(wanted)
    held = set(
        membership.objects.filter(user_id__in=users, group_id__in=group_ids.values()).values_list(
            "user_id", "group_id"
        )
    )
    granted = set(WikiRoleGrant.objects.filter(user_id__in=users).values_list("user_id", "role"))
    join: list[object] = []
    grant: list[WikiRoleGrant] = []
    for role in ROLES:
        group_id = group_ids[role]
        leave: list[int] = []
        for user_id, roles in wanted.items():
            if role not in roles:
                continue
            has, by_wiki = (user_id, group_id) in held, (user_id, role.name) in granted
            if roles[role] and not has:
                join.append(membership(user_id=user_id, group_id=group_id))
                if not by_wiki:
                    grant.append(WikiRoleGrant(user_id=user_id, role=role.name))
            elif not roles[role] and by_wiki:
                leave.append(user_id)
        if leave:
            membership.objects.filter(group_id=group_id, user_id__in=leave).delete()
            WikiRoleGrant.objects.filter(role=role.name, user_id__in=leave).delete()
    membership.objects.bulk_create(join, ignore_conflicts=True)
    WikiRoleGrant.objects.bulk_create(grant, ignore_conflicts=True)


def _group_ids() -> dict[Role, int]:
    # get_or_create: migration 0002 makes the groups, but tests that flush the database
    # start without them.
    return {role: Group.objects.get_or_create(name=role.group)[0].pk for role in ROLES}
