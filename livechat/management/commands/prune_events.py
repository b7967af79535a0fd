"""Delete events older than the retention period from the event log.

Run it daily (cron, a systemd timer). Clients that ask for pruned events get `resync`
and reload the history, which holds everything that matters; the log only has to reach
back as far as a client can plausibly be offline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livechat.actions import prune_events


class Command(BaseCommand):
    help = _("Delete room events older than LIVECHAT_EVENT_RETENTION_DAYS.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.LIVECHAT_EVENT_RETENTION_DAYS,
            help=_("Keep events this many days (default: LIVECHAT_EVENT_RETENTION_DAYS)."),
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        if days < 1:
            self.stderr.write(_("--days must be at least 1."))
            raise SystemExit(2)
        deleted = prune_events(before=timezone.now() - timedelta(days=days))
        self.stdout.write(
            ngettext(
                "Deleted %(count)d event older than %(days)d days.",
                "Deleted %(count)d events older than %(days)d days.",
                deleted,
            )
            % {"count": deleted, "days": days}
        )
