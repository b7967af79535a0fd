"""Write everything stored about a person as JSON (docs/privacy.md "Export"): the same
document as "Download my data", for an administrator answering a request by mail."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.personal_data import export_filename, export_personal_data
from moderation.actions import user_named


class Command(BaseCommand):
    help = _("Write everything the chat stores about a person as JSON (UTF-8).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help=_("The account's name, as the chat spells it."))
        parser.add_argument(
            "--output",
            "-o",
            help=_("The file to write (default: livechat-data-<name>-<date>.json; - for stdout)."),
        )

    def handle(self, *args: Any, username: str, output: str | None, **options: Any) -> None:
        user = user_named(username)
        if user is None:
            raise CommandError(_("No account is named %(name)s.") % {"name": username})
        text = json.dumps(export_personal_data(user=user), ensure_ascii=False, indent=2)
        if output == "-":
            self.stdout.write(text)
            return
        path = output or export_filename(user=user)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        self.stdout.write(_("Wrote %(path)s.") % {"path": path})
