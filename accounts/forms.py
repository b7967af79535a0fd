"""Forms that create or rename users: what a person types is normalized the wiki's way
(``john_smith`` -> ``John smith``) before the model's validator checks it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import User
from .usernames import MAX_LENGTH, normalize_username


class WikiUsernameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("label", _("User name"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalize_username(super().to_python(value))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {
            **super().widget_attrs(widget),
            "autocapitalize": "none",
            "autocomplete": "username",
        }


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's "add user" form (with Django's choice of a usable password or none)."""

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)
        field_classes = {"username": WikiUsernameField}


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {"username": WikiUsernameField}
