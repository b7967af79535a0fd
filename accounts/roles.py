"""Roles: the one place that says what a role is.

A role is a Django group (``Mentors``, ``Moderators``) that the chat knows by a short wire
name (``"mentor"``, ``"moderator"``): the name API payloads carry in ``roles``, templates
read, and abuse filters see in ``user_groups``. Everything else asks this module
(:data:`MENTOR`, :data:`MODERATOR`, :data:`ROLES`) instead of spelling a name again.

Reading a user's groups is a query per user, which would make every message payload cost
one. Instead, whoever loads users annotates the role flags in the same SELECT
(:func:`with_role_flags`): the auth backend does it for the signed-in user, selectors do it
for message authors. :func:`roles_of` reads those flags, and only queries when a user
object was loaded without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Role:
    # On the wire (payloads' "roles"), in templates, and in abuse filters' user_groups.
    name: str
    # The Django group that grants it (accounts/migrations/0002 creates them).
    group: str
    # What a person reads, e.g. in the admin.
    label: str | Promise


MENTOR: Final = Role(name="mentor", group="Mentors", label=gettext_lazy("Mentor"))
MODERATOR: Final = Role(name="moderator", group="Moderators", label=gettext_lazy("Moderator"))

# Every role, in wire order (payloads list a user's roles in this order).
ROLES: Final[tuple[Role, ...]] = (MENTOR, MODERATOR)

# The group names, for code that places users in groups (tests, seed_demo).
MENTORS: Final = MENTOR.group
MODERATORS: Final = MODERATOR.group

# Roles exempt from rate limits and slow mode: the people who answer.
UNLIMITED: Final = frozenset({MENTOR.name, MODERATOR.name})

# What abuse filters' ``user_groups`` holds besides the roles, as MediaWiki's does: "*"
# (everyone) and "user" (every signed-in account), so filters pasted from a wiki that test
# `"user" in user_groups` keep their meaning.
EVERYONE_GROUP: Final = "*"
USER_GROUP: Final = "user"

_CACHE_ATTR = "_livechat_roles"


def _flag(role: Role, prefix: str) -> str:
    return f"{prefix}role_{role.name}"


def with_role_flags(queryset: QuerySet[Any], *, user_field: str = "") -> QuerySet[Any]:
    """Annotate one boolean per role on each row, for the user at ``user_field``
    (``""`` when the queryset is of users, ``"author"`` for messages)."""
    user_id_ref = OuterRef(f"{user_field}_id" if user_field else "pk")
    prefix = f"{user_field}_" if user_field else ""
    membership = Group.user_set.through.objects  # type: ignore[attr-defined]
    return queryset.annotate(
        **{
            _flag(role, prefix): Exists(
                membership.filter(user_id=user_id_ref, group__name=role.group)
            )
            for role in ROLES
        }
    )


def adopt_role_flags(user: AbstractBaseUser, row: object, *, user_field: str = "") -> None:
    """Cache on ``user`` the role flags annotated on ``row`` by :func:`with_role_flags`."""
    prefix = f"{user_field}_" if user_field else ""
    flags = [getattr(row, _flag(role, prefix), None) for role in ROLES]
    if None in flags:
        return
    roles = [role.name for role, flag in zip(ROLES, flags, strict=True) if flag]
    setattr(user, _CACHE_ATTR, roles)


def roles_of(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """The user's wire roles, in a fixed order; ``[]`` for anonymous users."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        adopt_role_flags(user, user)  # type: ignore[arg-type]
        cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        cached = [role.name for role in ROLES if role.group in names]
        setattr(user, _CACHE_ATTR, cached)
    return list(cached)


def forget_roles(user: AbstractBaseUser) -> None:
    """Drop the roles cached on ``user``, after its groups changed (accounts.wiki_roles)."""
    user.__dict__.pop(_CACHE_ATTR, None)
    for role in ROLES:
        user.__dict__.pop(_flag(role, ""), None)


def has_role(user: AbstractBaseUser | AnonymousUser, role: Role) -> bool:
    return role.name in roles_of(user)


def is_moderator(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, MODERATOR)


def is_unlimited(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Mentors, moderators and superusers write without rate limits or slow mode."""
    return bool(getattr(user, "is_superuser", False)) or not UNLIMITED.isdisjoint(roles_of(user))


def filter_groups(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """What abuse filters see as ``user_groups``, shaped like MediaWiki's: ``"*"`` for
    everyone, ``"user"`` for every signed-in account, then the wire name of each role,
    e.g. ``["*", "user", "moderator"]``. (A superuser outside the Moderators group is a
    plain "user" here: filters read groups, not Django's flags.)"""
    if not user.is_authenticated:
        return [EVERYONE_GROUP]
    return [EVERYONE_GROUP, USER_GROUP, *roles_of(user)]


def public_user(user: AbstractBaseUser) -> dict[str, object]:
    """A user as every API and event shows them."""
    return {"id": user.pk, "username": user.get_username(), "roles": roles_of(user)}


def is_helper(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Mentors and moderators (and superusers): the people who answer questions."""
    return is_unlimited(user)


def helper_groups() -> tuple[str, ...]:
    """The groups whose members are helpers (for queries over all helpers)."""
    return (MENTOR.group, MODERATOR.group)
