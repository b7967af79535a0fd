from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import tz

from .kinds import EMAIL_KINDS


class EmailSettingsForm(forms.Form):
    address = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("Leave it empty to get no email at all."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Email me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(kind.kind, kind.label) for kind in EMAIL_KINDS.values()],
    )


class ArchiveNameForm(forms.Form):
    """The person's choice about their name in the public archives (accounts.privacy),
    offered on the settings page beside the email settings."""

    name_in_archives = forms.BooleanField(
        label=_("Show my name in the public archives"),
        required=False,
        help_text=_(
            "Questions and answers from the help rooms are published in the chat’s archive "
            "and on the wiki. Untick this and they show you as “Anonymous 1”, “Anonymous 2”… "
            "with no link to your user page. What you wrote stays in them."
        ),
    )


def language_choices() -> list[tuple[str, str]]:
    # Read on every form: LANGUAGES is a setting (tests and LIVECHAT_LANGUAGES change it).
    # Each language by its own name, as a wiki's language menu shows them.
    return [("", _("Automatic (your browser's language)")), *settings.LANGUAGES]


class LanguageForm(forms.Form):
    """The person's interface language (accounts.language), on the settings page."""

    language = forms.ChoiceField(
        label=_("Interface language"),
        required=False,
        choices=language_choices,
        help_text=_(
            "The language of the chat's pages, buttons and emails. A link with ?uselang= "
            "(the wiki passes yours) still shows that page in its language."
        ),
    )


def time_zone_choices() -> list[tuple[str, str]]:
    # IANA names as they are: identifiers, the same in every language (the template marks
    # them as such).
    return [("", _("Automatic (your browser's time zone)")), *((z, z) for z in tz.choices())]


class TimeZoneForm(forms.Form):
    """The person's time zone (accounts.time_zone), on the settings page."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=time_zone_choices,
        help_text=_(
            "The time zone of the dates and times the chat writes, on its pages and in its "
            "emails. Automatic: your browser's on the pages, UTC in emails."
        ),
    )
