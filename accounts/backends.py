from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .roles import with_role_flags


class RolesModelBackend(ModelBackend):
    """The model backend, loading the signed-in user together with their roles: every
    request and socket then knows the user's roles without a query of its own."""

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = with_role_flags(user_model._default_manager.all()).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
