"""How a wiki sign-in becomes a chat account (docs/wiki.md, "Sign-in").

The profile's ``sub`` is the account: the same wiki account always lands in the same chat
account, whatever its name. The name is the wiki's, as the wiki spells it (Unicode,
spaces), and follows a rename on the next sign-in. A local account that already holds the
name (made before the chat was linked to the wiki, or by the demo) becomes the wiki
account's, since chat names have always been wiki names; a staff or superuser account
never does, as that would hand its powers to whoever holds the name on the wiki.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.shortcuts import render

from accounts.models import User


def wiki_id_of(sociallogin: SocialLogin) -> int:
    return int(sociallogin.account.extra_data["sub"])


def wiki_name_of(sociallogin: SocialLogin) -> str:
    return str(sociallogin.account.extra_data["username"])


def registered_at(value: object) -> datetime | None:
    """Extension:OAuth gives the registration as a MediaWiki timestamp (``20261205120000``);
    None for accounts older than the wiki's registration records."""
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        return None
    return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


class WikiAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            return
        holder = self._holder_of(sociallogin)
        if holder is None:
            return
        if holder.is_staff or holder.is_superuser:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "accounts/wiki_name_taken.html",
                    {"name": wiki_name_of(sociallogin)},
                    status=409,
                )
            )
        sociallogin.connect(request, holder)

    def _holder_of(self, sociallogin: SocialLogin) -> User | None:
        """A chat account that is already this wiki account's (by id) or holds its name
        without being another wiki account's."""
        by_id = User.objects.filter(wiki_id=wiki_id_of(sociallogin)).first()
        if by_id is not None:
            return by_id
        return User.objects.filter(username=wiki_name_of(sociallogin), wiki_id__isnull=True).first()

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: Any) -> User:
        user = super().populate_user(request, sociallogin, data)
        user.wiki_id = wiki_id_of(sociallogin)
        # Rate limits and the helpers' view of the asker go by account age: a wiki account
        # is as old as it is on the wiki, not as old as its first visit to the chat.
        registered = registered_at(sociallogin.account.extra_data.get("registered"))
        if registered is not None:
            user.date_joined = registered
        return user
