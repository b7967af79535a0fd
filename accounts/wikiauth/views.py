"""allauth's MediaWiki OAuth 2 views, with the wiki's addresses read from the settings on
each sign-in (allauth's own adapter reads them once, at import)."""

from __future__ import annotations

from allauth.socialaccount.providers.mediawiki.views import MediaWikiOAuth2Adapter
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.http import HttpRequest


def rest_api() -> str:
    """The wiki's ``rest.php`` (``LIVECHAT_WIKI_OAUTH_REST``), without a trailing slash."""
    return settings.LIVECHAT_WIKI_OAUTH_REST.rstrip("/")


class WikiOAuth2Adapter(MediaWikiOAuth2Adapter):
    headers = {"User-Agent": "livechat-helpdesk (accounts/wikiauth)"}

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        base = rest_api()
        self.access_token_url = f"{base}/oauth2/access_token"
        self.authorize_url = f"{base}/oauth2/authorize"
        self.profile_url = f"{base}/oauth2/resource/profile"


oauth2_login = OAuth2LoginView.adapter_view(WikiOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(WikiOAuth2Adapter)
