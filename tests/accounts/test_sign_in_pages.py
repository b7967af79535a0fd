"""The sign-in pages allauth brings: only the wiki's sign-in is open to people; allauth's
local-account pages (sign-up, passwords, email) are off, and what remains is in the chat's
own layout (docs/wiki.md, "Sign-in with the wiki account")."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/reauthenticate/",
    ],
)
def test_allauths_local_account_pages_are_off(client, path):
    assert client.get(path).status_code == 404


def test_there_are_no_other_accounts_to_connect(client, alice):
    client.force_login(alice)
    response = client.get("/accounts/3rdparty/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_inactive_account_page_is_the_chats(client):
    page = client.get("/accounts/inactive/").content.decode()
    assert "This chat account has been deactivated." in page
    assert 'class="site-header"' in page


def test_the_sign_in_page_offers_the_wiki_when_it_is_configured(client, settings):
    settings.LIVECHAT_WIKI_OAUTH_REST = "https://meta.wikimedia.org/w/rest.php"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "mediawiki": {"APPS": [{"client_id": "a-consumer-key", "secret": "its-secret"}]}
    }
    page = client.get("/accounts/login/?next=/rooms/help-desk/").content.decode()
    assert '<form method="post" action="/accounts/wiki/login/?next=%2Frooms%2Fhelp-desk%2F"' in page
    assert "Local account" in page
