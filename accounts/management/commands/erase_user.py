"""Erase a person's data at their request (docs/privacy.md "Erasure"): the same action as
the admin's "Erase" page, with nobody signed in as the actor (the moderation log says it
came from the command line). Asks for confirmation unless --yes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.erasure import erase_personal_data
from moderation.actions import user_named


class Command(BaseCommand):
    help = _(
        "Erase a person's data: message texts, reactions, thanks, notifications, settings "
        "and the wiki sign-in go; the account is deactivated under a pseudonym. Blocks, "
        "reports and the moderation and abuse logs are kept (docs/privacy.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help=_("The account's name, as the chat spells it."))
        parser.add_argument("--yes", action="store_true", help=_("Do not ask for confirmation."))

    def handle(self, *args: Any, username: str, yes: bool, **options: Any) -> None:
        user = user_named(username)
        if user is None:
            raise CommandError(_("No account is named %(name)s.") % {"name": username})
        if not yes:
            answer = input(
                _("Erase the data of %(name)s? This cannot be undone. Type yes to go on: ")
                % {"name": user.get_username()}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Nothing was erased."))
        done = erase_personal_data(superuser=None, user=user)
        if done.already_erased:
            self.stdout.write(_("%(name)s was erased already.") % {"name": done.pseudonym})
        else:
            self.stdout.write(_("Erased. The account is now %(name)s.") % {"name": done.pseudonym})
