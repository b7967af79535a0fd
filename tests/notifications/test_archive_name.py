"""The choice "Show my name in the public archives" (User.name_in_archives) on the
settings page: shown by default, unticked and ticked again with its own form, in the
person's language."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/archives/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_names_are_shown_until_the_person_opts_out(db):
    alice = make_user("Alice")
    assert alice.name_in_archives is True
    html = signed_in(alice).get("/notifications/settings/").content.decode()
    assert "Your name in the public archives" in html
    assert 'name="name_in_archives"' in html
    assert 'aria-describedby="id_name_in_archives_helptext"' in html
    assert 'id="id_name_in_archives" checked' in html
    assert 'id="id_name_in_archives_helptext"' in html


def test_it_opts_out_and_back_in(db):
    alice = make_user("Alice")
    client = signed_in(alice)

    response = client.post(URL, {})
    assert response.status_code == 302
    assert User.objects.get(pk=alice.pk).name_in_archives is False
    html = client.get("/notifications/settings/").content.decode()
    assert "the public archives show you anonymously" in html
    assert 'id="id_name_in_archives" checked' not in html

    client.post(URL, {"name_in_archives": "on"})
    assert User.objects.get(pk=alice.pk).name_in_archives is True


def test_it_needs_a_sign_in_and_a_post(db):
    assert Client().post(URL, {}).status_code == 302
    assert signed_in(make_user("Bob")).get(URL).status_code == 405
