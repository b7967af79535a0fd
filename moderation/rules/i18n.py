"""gettext for the sentences the rule language shows moderators, without making the
package depend on a configured Django: in the chat the sentences follow the active
language; run bare (bench/filter_bench.py, a script) they stay in English.

makemessages finds these by their usual names (``_``, ``ngettext``, ``gettext_lazy``,
``gettext_noop``).
"""

from __future__ import annotations

from typing import Any


def _django_ready() -> bool:
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is always installed with the chat
        return False
    return settings.configured


def _(message: str) -> str:
    if _django_ready():
        from django.utils.translation import gettext

        return gettext(message)
    return message


def ngettext(singular: str, plural: str, number: int) -> str:
    if _django_ready():
        from django.utils.translation import ngettext as django_ngettext

        return django_ngettext(singular, plural, number)
    return singular if number == 1 else plural


def gettext_noop(message: str) -> str:
    """Marks a module-level sentence for translation; translate it where it is used."""
    return message


def gettext_lazy(message: str) -> Any:
    """A sentence translated when it is shown (module-level tables read by the admin)."""
    try:
        from django.utils.functional import lazy
    except ImportError:  # pragma: no cover
        return message
    return lazy(_, str)(message)
