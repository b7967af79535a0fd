from __future__ import annotations

from django.http import HttpRequest

from .roles import roles_of


def user_roles(request: HttpRequest) -> dict[str, list[str]]:
    """The signed-in person's roles, for every template (the mentors' indicator)."""
    user = getattr(request, "user", None)
    return {"user_roles": roles_of(user) if user is not None else []}
