"""Demo data for `make run`: rooms, and one user per role with a password printed once."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import MENTORS, MODERATORS
from livechat import actions
from livechat.models import Room

ROOMS = [
    ("help-desk", "Help desk", "Ask anything about editing the wiki; mentors answer."),
    ("newcomers", "Newcomers' lounge", "Say hello and meet other new editors."),
    ("mentors", "Mentors' room", "Coordination between mentors."),
    ("technical", "Technical questions", "Templates, tables, references and other wikitext."),
]

USERS = [
    # username, groups, is_staff
    ("newcomer", [], False),
    ("mentor", [MENTORS], False),
    ("moderator", [MODERATORS], True),
]


class Command(BaseCommand):
    help = _("Create demo rooms and users (newcomer, mentor, moderator). Idempotent.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help=_("Give the demo users new passwords and print them."),
        )

    def handle(self, *args: Any, reset_passwords: bool = False, **options: Any) -> None:
        for slug, name, description in ROOMS:
            Room.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )

        printed = []
        for username, groups, is_staff in USERS:
            user, created = User.objects.get_or_create(username=username)
            if created or reset_passwords:
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.is_staff = is_staff
                user.save()
                user.groups.set(Group.objects.filter(name__in=groups))
                printed.append((username, password))

        if printed:
            self.stdout.write(self.style.SUCCESS(_("Demo users (passwords are shown only now):")))
            for username, password in printed:
                self.stdout.write(f"  {username:<10} {password}")
            self._greet()
        else:
            self.stdout.write(
                _(
                    "Demo users exist (newcomer, mentor, moderator); "
                    "`python manage.py seed_demo --reset-passwords` prints new passwords."
                )
            )

    def _greet(self) -> None:
        room = Room.objects.get(slug="help-desk")
        if room.messages.exists():
            return
        mentor = User.objects.get(username="mentor")
        actions.send_message(
            user=mentor,
            room=room,
            body="Welcome to the help desk! Ask your question here and a mentor will answer. "
            "You can use **bold**, ''italic'' and [[Help:Contents|wiki links]] :wave:",
        )
