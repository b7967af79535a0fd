"""A person's interface language (``User.language``): one of LANGUAGES, or blank for
automatic (the browser's ``Accept-Language``). The rules that apply it to a page are
core.i18n's; mail, which has no browser to ask, reads :func:`language_for`."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.i18n import offered

from .models import User


def set_language(*, user: User, language: str) -> None:
    """Save ``user``'s interface language; ``""`` goes back to automatic."""
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(_("This language is not offered."))
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def language_for(user: User) -> str:
    """The language ``user`` reads mail in: their choice while it is still shipped, the
    site's language otherwise (automatic has no browser to ask)."""
    return offered(user.language) or settings.LANGUAGE_CODE
