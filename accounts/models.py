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
    # Public archives (the wiki's monthly transcript pages, the chat's day transcripts)
    # show the person's name unless they opt out: a help desk's record is public with
    # names, as the wiki's own help desk and talk pages are, and anyone may step out of it.
    name_in_archives = models.BooleanField(
        _("show my name in the public archives"),
        default=True,
        help_text=_(
            "Off: the archives show you as “Anonymous 1”, “Anonymous 2”… instead of your "
            "name, with no link to your user page."
        ),
    )

    # The interface language the person chose (one of LANGUAGES); blank: automatic, the
    # browser's Accept-Language. ?uselang= still wins for one page (core.i18n.choose). No
    # choices here: LANGUAGES grows with the shipped translations (and LIVECHAT_LANGUAGES),
    # which must not need a migration; the settings form offers what is shipped.
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("The interface language; blank: your browser's language."),
    )

    # The time zone the server writes dates and times in (core.tz; an IANA name such as
    # "Asia/Seoul"); blank: automatic, the browser's zone (its cookie), and UTC in mail.
    # No choices, as for the language: the zone database changes without a migration.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("The time zone of dates and times; blank: your browser's time zone."),
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


class WikiMentor(models.Model):
    """One entry of the wiki's mentor list (``MediaWiki:GrowthMentors.json``) as last read,
    kept so that signing in can apply it without asking the wiki (accounts.wiki_roles)."""

    # GrowthExperiments' weights (IMentorWeights): how many tickets a mentor holds in the
    # draw for a new mentee. Anything else on the page counts as the default, as there.
    WEIGHTS = (0, 1, 2, 4)
    DEFAULT_WEIGHT = 2

    # The wiki name: a wiki account's username here (the list's user id is the wiki's
    # local id, not the OAuth profile's central one, so the name is what matches).
    username = models.CharField(_("username"), max_length=MAX_LENGTH, unique=True)
    wiki_user_id = models.PositiveBigIntegerField(_("wiki user id"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=DEFAULT_WEIGHT)
    # False: the mentor takes mentees only by hand, never in the draw.
    automatic = models.BooleanField(_("automatically assigned"), default=True)
    message = models.TextField(_("introduction message"), blank=True)

    class Meta:
        verbose_name = _("wiki mentor")
        verbose_name_plural = _("wiki mentors")

    def __str__(self) -> str:
        return self.username

    @property
    def draw_weight(self) -> int:
        """The weight in the draw for new mentees: none for a mentor the wiki does not
        assign automatically."""
        return self.weight if self.automatic else 0


class WikiRoleGrant(models.Model):
    """A role membership the wiki granted: added because the wiki said so, and removed when
    it stops saying so. A membership without a grant was given here and is never removed
    by the wiki."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="wiki_role_grants", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32)  # a wire name: accounts.roles.ROLES

    class Meta:
        verbose_name = _("role granted by the wiki")
        verbose_name_plural = _("roles granted by the wiki")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="wiki_role_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.role}"
