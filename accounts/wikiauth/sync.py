"""After a wiki sign-in: the account follows the profile (its name, its roles), and the
apps that care are told (accounts.signals.wiki_signed_in)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.signals import user_logged_in
from allauth.socialaccount.models import SocialLogin
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from accounts.signals import wiki_signed_in

from .provider import WikiProvider

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="accounts.wikiauth.after_sign_in")
def after_sign_in(
    sender: type, request: HttpRequest, user: User, sociallogin: SocialLogin | None = None, **_: Any
) -> None:
    if sociallogin is None or sociallogin.account.provider != WikiProvider.id:
        return
    follow_profile(user, sociallogin.account.extra_data)


def follow_profile(user: User, profile: dict[str, Any]) -> None:
    """Make ``user`` the wiki account of ``profile``: its id, its current name, its roles."""
    from accounts.wiki_roles import apply_wiki_roles

    name = str(profile["username"])
    fields = []
    if user.wiki_id != int(profile["sub"]):
        user.wiki_id = int(profile["sub"])
        fields.append("wiki_id")
    if user.username != name:
        # Renamed on the wiki since the last sign-in. If a local account took the new name
        # meanwhile, the person keeps the old one until an administrator sorts it out.
        if User.objects.filter(username=name).exclude(pk=user.pk).exists():
            logger.warning(
                "Wiki account %s was renamed to %r, a name a chat account already holds; "
                "keeping the name %r",
                profile["sub"],
                name,
                user.username,
            )
        else:
            user.username = name
            fields.append("username")
    with transaction.atomic():
        if fields:
            user.save(update_fields=fields)
        apply_wiki_roles(user, groups=profile.get("groups") or ())
    wiki_signed_in.send(sender=User, user=user, profile=profile)
