"""Roles are Django groups (Mentors, Moderators).

Reading a user's groups is a query per user, which would make every message payload cost
one. Instead, whoever loads users annotates the role flags in the same SELECT
(:func:`with_role_flags`): the auth backend does it for the signed-in user, selectors do it
for message authors. :func:`roles_of` reads those flags, and only queries when a user
object was loaded without them.
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db.models import Exists, OuterRef, QuerySet

MENTORS: Final = "Mentors"
MODERATORS: Final = "Moderators"

# Group name -> the role name used on the wire, in wire order.
ROLE_GROUPS: Final = {MENTORS: "mentor", MODERATORS: "moderator"}

_CACHE_ATTR = "_livechat_roles"


def _flag(role: str, prefix: str) -> str:
    return f"{prefix}role_{role}"


def with_role_flags(queryset: QuerySet[Any], *, user_field: str = "") -> QuerySet[Any]:
    """Annotate one boolean per role on each row, for the user at ``user_field``
    (``""`` when the queryset is of users, ``"author"`` for messages)."""
    user_id_ref = OuterRef(f"{user_field}_id" if user_field else "pk")
    prefix = f"{user_field}_" if user_field else ""
    membership = Group.user_set.through.objects  # type: ignore[attr-defined]
    return queryset.annotate(
        **{
            _flag(role, prefix): Exists(
                membership.filter(user_id=user_id_ref, group__name=group_name)
            )
            for group_name, role in ROLE_GROUPS.items()
        }
    )


def adopt_role_flags(user: AbstractBaseUser, row: object, *, user_field: str = "") -> None:
    """Cache on ``user`` the role flags annotated on ``row`` by :func:`with_role_flags`."""
    prefix = f"{user_field}_" if user_field else ""
    flags = [getattr(row, _flag(role, prefix), None) for role in ROLE_GROUPS.values()]
    if None in flags:
        return
    roles = [role for role, flag in zip(ROLE_GROUPS.values(), flags, strict=True) if flag]
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
        cached = [role for group, role in ROLE_GROUPS.items() if group in names]
        setattr(user, _CACHE_ATTR, cached)
    return list(cached)


def is_moderator(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) or "moderator" in roles_of(user)


def public_user(user: AbstractBaseUser) -> dict[str, object]:
    """A user as every API and event shows them."""
    return {"id": user.pk, "username": user.get_username(), "roles": roles_of(user)}
