from __future__ import annotations

import unicodedata

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .usernames import MAX_LENGTH, validate_username


class User(AbstractUser):
    """A wiki user. Roles are Django groups (see accounts.roles); the name follows the
    wiki's rules (see accounts.usernames)."""

    username = models.CharField(
        _("username"),
        max_length=MAX_LENGTH,
        unique=True,
        help_text=_(
            "Required. The user's name on the wiki: letters, digits, spaces and most "
            "punctuation, but not # < > [ ] | { } / @ : =."
        ),
        validators=[validate_username],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    # The person's wiki identity: the OAuth profile's "sub" (their central user id on a
    # Wikimedia wiki, the local id elsewhere). Set once they sign in with the wiki; the
    # username then follows their wiki name. None: a local account (superusers, the demo).
    wiki_id = models.PositiveBigIntegerField(
        _("wiki user id"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set when the person signs in with their wiki account."),
    )

    class Meta:
        indexes = [
            # Case-insensitive prefix search for @mention completion.
            models.Index(models.functions.Upper("username"), name="user_username_upper_idx"),
        ]

    @classmethod
    def normalize_username(cls, username: str) -> str:
        # Django's default is NFKC, which folds "＠" into "@" *after* validation; the wiki
        # (and accounts.usernames) uses NFC. The rest of the wiki's normalization is the
        # forms' job (accounts.forms), so code creating users keeps the name it was given.
        return unicodedata.normalize("NFC", username) if isinstance(username, str) else username

    @property
    def from_wiki(self) -> bool:
        """Whether this account is a wiki account (its blocks and roles come from the wiki)."""
        return self.wiki_id is not None

    def __str__(self) -> str:
        return self.username
