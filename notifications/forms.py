from __future__ import annotations

from django import forms
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
