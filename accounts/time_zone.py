"""A person's time zone (``User.time_zone``): an IANA name, or blank for automatic (the
browser's zone, from its cookie). The rules that apply it to a page and to mail are
core.tz's."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import tz
from core.errors import Invalid

from .models import User


def set_time_zone(*, user: User, time_zone: str) -> None:
    """Save ``user``'s time zone; ``""`` goes back to automatic."""
    if time_zone and tz.valid(time_zone) != time_zone:
        raise Invalid(_("This time zone is not known."))
    User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
