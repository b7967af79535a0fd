"""The wiki as an allauth provider: allauth's MediaWiki provider, keeping the profile.

allauth finds providers through the ``provider`` module of each installed app; this one
replaces allauth's own ``mediawiki`` (which is not installed) under the same id, so
allauth's settings key ``SOCIALACCOUNT_PROVIDERS["mediawiki"]`` still applies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.mediawiki.provider import MediaWikiProvider

from .views import WikiOAuth2Adapter

# The fields of Extension:OAuth's profile (rest.php/oauth2/resource/profile) the chat keeps.
PROFILE_FIELDS = ("sub", "username", "editcount", "groups", "blocked", "registered")


class WikiProvider(MediaWikiProvider):
    # /accounts/wiki/login/ and /accounts/wiki/login/callback/ (the callback registered
    # with the wiki's OAuth consumer, docs/wiki.md).
    slug = "wiki"
    oauth2_adapter_class = WikiOAuth2Adapter

    def extract_extra_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        # allauth keeps only the name and address; the chat needs the groups (roles), the
        # edit count and registration (the asker's experience) and whether they are blocked.
        return {field: data.get(field) for field in PROFILE_FIELDS}

    def extract_common_fields(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"username": data.get("username")}

    def extract_email_addresses(self, data: Mapping[str, Any]) -> list[EmailAddress]:
        # The chat asks for identity only (no email grant), and notifications verify an
        # address of their own (docs/notifications.md).
        return []


provider_classes = [WikiProvider]
