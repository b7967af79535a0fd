from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A wiki user. Roles are Django groups (see accounts.roles)."""

    class Meta:
        indexes = [
            # Case-insensitive prefix search for @mention completion.
            models.Index(models.functions.Upper("username"), name="user_username_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.username
