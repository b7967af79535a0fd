"""The backlog in words, for `run_timers --status` and the admin's list of timers."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .worker import Backlog


def backlog_sentences(late: Backlog) -> list[str]:
    oldest = late["oldest_due_at"]
    if late["overdue"] and oldest is not None:
        overdue = ngettext(
            "%(count)d timer is overdue; the oldest was due at %(due)s.",
            "%(count)d timers are overdue; the oldest was due at %(due)s.",
            late["overdue"],
        ) % {
            "count": late["overdue"],
            "due": timezone.localtime(oldest).isoformat(sep=" ", timespec="seconds"),
        }
    else:
        overdue = _("No timer is overdue.")
    if not late["parked"]:
        return [overdue]
    parked = ngettext(
        "%(count)d timer is parked after failing too often.",
        "%(count)d timers are parked after failing too often.",
        late["parked"],
    ) % {"count": late["parked"]}
    return [overdue, parked]
