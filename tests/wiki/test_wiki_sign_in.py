"""Sign in with the wiki account, end to end over HTTP: the chat (a real ASGI server on the
test database) -> the stand-in OAuth server (wikioauth/) -> the real local wiki's accounts
-> back to the chat, signed in as the wiki account (docs/wiki.md, "Sign-in")."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
import requests
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import MENTORS, MODERATORS
from tests.servers import Server, asgi_server

from .conftest import LocalWiki
from .test_local_wiki import maintenance
from .test_oauth_standin import log_in, wiki_user

pytestmark = [pytest.mark.wiki, pytest.mark.django_db(transaction=True)]


def chat_env(wiki: LocalWiki) -> dict[str, str]:
    return {
        "LIVECHAT_WIKI_API": wiki.api,
        "LIVECHAT_WIKI_BOT_USER": wiki.bot_user,
        "LIVECHAT_WIKI_BOT_PASSWORD": wiki.bot_password,
        "LIVECHAT_WIKI_OAUTH_REST": wiki.oauth_rest,
        "LIVECHAT_WIKI_OAUTH_KEY": wiki.oauth_key,
        "LIVECHAT_WIKI_OAUTH_SECRET": wiki.oauth_secret,
    }


@pytest.fixture(scope="module")
def chat(
    django_db_setup: None, oauth: LocalWiki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with asgi_server(tmp_path_factory.mktemp("wiki-sign-in"), env=chat_env(oauth)) as server:
        yield server


@pytest.fixture(autouse=True)
def role_groups(transactional_db: None) -> None:
    # An earlier transactional test's flush removes the groups the migration made.
    for name in (MENTORS, MODERATORS):
        Group.objects.get_or_create(name=name)


def sign_in_with_wiki(chat: Server, name: str, password: str) -> requests.Session:
    session = requests.Session()
    home = wiki_round_trip(session, chat, name, password)
    assert home.status_code == 200, home.text
    return session


def wiki_round_trip(
    session: requests.Session, chat: Server, name: str, password: str
) -> requests.Response:
    """What a person does: the chat's sign-in page, "Sign in with your wiki account", the
    wiki's form, and back to the chat (the page it lands on)."""
    page = session.get(f"{chat.http}/accounts/login/?next=/")
    assert "Sign in with your wiki account" in page.text
    form = re.search(r'<form method="post" action="([^"]+)" class="wiki-sign-in">', page.text)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    wiki_form = session.post(
        urljoin(page.url, form.group(1).replace("&amp;", "&")),
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": page.url},
    )
    # On the wiki's side now (the stand-in's sign-in form).
    assert not wiki_form.url.startswith(chat.http), wiki_form.url
    signed_in = log_in(wiki_form, session, name, password)
    assert signed_in.status_code == 302, signed_in.text
    # Back through authorize to the chat's callback, and on to the chat.
    home = session.get(urljoin(wiki_form.url, signed_in.headers["Location"]))
    assert home.url.startswith(chat.http), home.url
    return home


def signed_in_as(session: requests.Session, chat: Server) -> str | None:
    page = session.get(f"{chat.http}/")
    found = re.search(r'<span class="account-name"[^>]*>([^<]+)</span>', page.text)
    return found.group(1) if found else None


def test_a_wiki_account_signs_in_and_is_the_account(chat: Server, oauth: LocalWiki):
    session = sign_in_with_wiki(chat, "Sysop", oauth.passwords["WIKI_SYSOP_PASSWORD"])
    assert signed_in_as(session, chat) == "Sysop"
    user = User.objects.get(username="Sysop")
    wiki = wiki_user(oauth, "Sysop")
    assert user.wiki_id == wiki["userid"]
    assert not user.has_usable_password()  # the wiki checks who they are, not the chat
    # A sysop on the wiki is a moderator here (LIVECHAT_WIKI_MODERATOR_GROUPS).
    assert user.groups.filter(name=MODERATORS).exists()
    # Their account is as old as it is on the wiki.
    assert user.date_joined.strftime("%Y-%m-%dT%H:%M:%SZ") == wiki["registration"]

    # Signing in again lands in the same account.
    again = sign_in_with_wiki(chat, "Sysop", oauth.passwords["WIKI_SYSOP_PASSWORD"])
    assert signed_in_as(again, chat) == "Sysop"
    assert User.objects.filter(wiki_id=wiki["userid"]).count() == 1


def test_a_unicode_name_with_spaces_is_the_name_everywhere(chat: Server, oauth: LocalWiki):
    name = f"Zoë van der Berg {uuid.uuid4().hex[:4]}"
    maintenance("createAndPromote.php", name, "zoe-password-123")
    session = sign_in_with_wiki(chat, name, "zoe-password-123")
    assert signed_in_as(session, chat) == name
    assert User.objects.get(wiki_id=wiki_user(oauth, name)["userid"]).username == name


def test_the_wiki_account_takes_over_the_local_account_of_its_name(chat: Server, oauth: LocalWiki):
    local = User.objects.create_user("Mentor", password="local-demo-password")
    session = sign_in_with_wiki(chat, "Mentor", oauth.passwords["WIKI_MENTOR_PASSWORD"])
    assert signed_in_as(session, chat) == "Mentor"
    local.refresh_from_db()
    assert local.wiki_id == wiki_user(oauth, "Mentor")["userid"]
    assert User.objects.filter(username="Mentor").count() == 1


def test_a_rename_on_the_wiki_follows_on_the_next_sign_in(chat: Server, oauth: LocalWiki):
    wiki_id = wiki_user(oauth, "Newcomer")["userid"]
    User.objects.create_user("Newcomer (before the rename)", wiki_id=wiki_id)
    session = sign_in_with_wiki(chat, "Newcomer", oauth.passwords["WIKI_NEWCOMER_PASSWORD"])
    assert signed_in_as(session, chat) == "Newcomer"
    assert User.objects.get(wiki_id=wiki_id).username == "Newcomer"


def test_a_local_administrator_account_is_never_taken_over(chat: Server, oauth: LocalWiki):
    User.objects.create_superuser("Newcomer", password="a-local-admin-password")
    session = requests.Session()
    refused = wiki_round_trip(session, chat, "Newcomer", oauth.passwords["WIKI_NEWCOMER_PASSWORD"])
    assert refused.status_code == 409
    assert "already uses the name <bdi>Newcomer</bdi>" in refused.text
    admin = User.objects.get(username="Newcomer")
    assert admin.wiki_id is None and admin.is_superuser
    assert signed_in_as(session, chat) is None


def test_a_wrong_wiki_password_signs_nobody_in(chat: Server, oauth: LocalWiki):
    session = requests.Session()
    page = session.get(f"{chat.http}/accounts/login/?next=/")
    form = re.search(r'action="([^"]+)" class="wiki-sign-in"', page.text).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    wiki_form = session.post(
        urljoin(page.url, form.replace("&amp;", "&")),
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": page.url},
    )
    refused = log_in(wiki_form, session, "Newcomer", "not the password")
    assert refused.status_code == 200 and 'role="alert"' in refused.text
    assert signed_in_as(session, chat) is None
    assert not User.objects.filter(username="Newcomer").exists()


def test_without_the_wiki_configured_the_sign_in_page_offers_passwords_only(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'class="wiki-sign-in"' not in page
    assert 'name="password"' in page
