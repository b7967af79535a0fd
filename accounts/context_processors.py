from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import is_helper, roles_of


def user_roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles, for every template (the mentors' indicator), and
    whether they help at the help desk (the waiting-questions badge)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"user_roles": [], "is_helper": False}
    return {"user_roles": roles_of(user), "is_helper": is_helper(user)}
