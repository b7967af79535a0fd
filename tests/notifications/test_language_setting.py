"""The person's interface language (User.language) on the settings page: automatic by
default, one of LANGUAGES or automatic again, each by its own name; the pages and the
person's mail follow it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.language import language_for
from accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/language/"


@pytest.fixture(autouse=True)
def _languages(settings: Any) -> None:
    settings.LANGUAGES = [("en", "English"), ("cs", "Čeština")]


def signed_in(user: User, **headers: str) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def test_it_is_automatic_until_the_person_chooses():
    alice = make_user("Alice")
    assert alice.language == ""
    html = signed_in(alice).get("/notifications/settings/").content.decode()
    assert 'id="language-heading"' in html
    assert '<option value="" selected>Automatic (your browser&#x27;s language)</option>' in html
    assert '<option value="cs" lang="cs">Čeština</option>' in html
    assert 'aria-describedby="id_language_helptext"' in html


def test_it_saves_a_language_and_the_pages_follow_it():
    alice = make_user("Alice")
    client = signed_in(alice, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(URL, {"language": "cs"})
    assert response.status_code == 302
    assert User.objects.get(pk=alice.pk).language == "cs"
    page = client.get("/notifications/settings/")
    assert page["Content-Language"] == "cs"
    assert '<option value="cs" lang="cs" selected>Čeština</option>' in page.content.decode()

    client.post(URL, {"language": ""})
    assert User.objects.get(pk=alice.pk).language == ""
    assert client.get("/notifications/settings/")["Content-Language"] == "en"


def test_it_refuses_a_language_not_offered():
    alice = make_user("Alice")
    client = signed_in(alice)
    for code in ("de", "qqx"):
        client.post(URL, {"language": code})
        assert User.objects.get(pk=alice.pk).language == ""
    assert (
        "This language is not offered." in client.get("/notifications/settings/").content.decode()
    )


def test_it_needs_a_sign_in_and_a_post():
    assert Client().post(URL, {"language": "cs"}).status_code == 302
    assert signed_in(make_user("Bob")).get(URL).status_code == 405


def test_mail_is_in_the_saved_language_while_it_is_shipped(settings: Any):
    alice = make_user("Alice", language="cs")
    assert language_for(alice) == "cs"
    settings.LANGUAGES = [("en", "English")]
    assert language_for(alice) == "en"
    assert language_for(make_user("Bob")) == "en"
