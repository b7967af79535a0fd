from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

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
