"""Mentions end to end: the name in either form resolves to the person, completion offers
the text that does, and hostile mention syntax keeps the renderer linear."""

from __future__ import annotations

import time

import pytest

from livechat import actions
from livechat.formatting import render
from tests.conftest import json_client, make_user

pytestmark = pytest.mark.django_db


def mentioned(user, room, body: str) -> list[str]:
    return actions.send_message(user=user, room=room, body=body).payload["mentions"]


def test_it_resolves_names_with_spaces_and_punctuation_in_either_form(alice, room):
    make_user("John Smith")
    make_user("Bob (WMF)")
    make_user("Zoë")
    body = "@John_Smith @[Bob (WMF)] @zoë and @[John Smith] again, @Nobody"
    assert mentioned(alice, room, body) == ["John Smith", "Bob (WMF)", "Zoë"]


def test_it_compares_only_the_first_letter_case_as_mediawiki_does(alice, room):
    make_user("iPhoneFan")  # made before names were canonical
    make_user("McDonald")
    assert mentioned(alice, room, "@IPhoneFan @iPhoneFan @McDonald") == ["iPhoneFan", "McDonald"]
    assert mentioned(alice, room, "@mcDonald") == ["McDonald"]
    # Beyond the first letter, case matters, as on the wiki.
    assert mentioned(alice, room, "@mcdonald @MCDONALD @Mcdonald") == []


def test_an_exact_name_wins_over_its_first_letter_variant(alice, room):
    make_user("Eve")
    make_user("eve")
    assert mentioned(alice, room, "@Eve") == ["Eve"]


@pytest.fixture
def client(alice):
    return json_client(alice)


def test_completion_offers_the_mention_that_reads_back(client, alice, room):
    for name in ("John Smith", "Johanna", "Joe (WMF)", "Jo."):
        make_user(name)
    users = client.get("/api/users/?prefix=Jo").json()["users"]
    offered = {user["username"]: user["mention"] for user in users}
    assert offered == {
        "Joe (WMF)": "@[Joe (WMF)]",
        "Johanna": "@Johanna",
        "John Smith": "@John_Smith",
        "Jo.": "@[Jo.]",
    }
    for username, mention in offered.items():
        text = f"thanks {mention}, that helped"
        assert mentioned(alice, room, text) == [username]


def test_completion_reads_what_the_composer_holds_after_the_at_sign(client):
    make_user("John Smith")
    for prefix in ("John_S", "@John_S", "@[John S", "john s"):
        names = [
            u["username"] for u in client.get("/api/users/", {"prefix": prefix}).json()["users"]
        ]
        assert names == ["John Smith"], prefix


@pytest.mark.parametrize(
    "hostile",
    [
        "@[" * 2000,
        "@[" + "a" * 3998,
        "@a-" * 1333,
        "@" + "a'" * 1999,
        ("@" + "a" * 149 + ".") * 26,
        "@[a] " * 800,
    ],
)
def test_the_renderer_stays_fast_on_hostile_mentions(hostile):
    started = time.perf_counter()
    render(hostile)
    assert time.perf_counter() - started < 1.0


def test_the_sanitizer_keeps_who_a_mention_names_for_any_wiki_name():
    from livechat.formatting import render

    html = render("hi @[John Smith], @Zoë and @[Bob (WMF)]").html
    for name in ("John Smith", "Zoë", "Bob (WMF)"):
        assert f'data-user="{name}"' in html
