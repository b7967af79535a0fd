"""The asker's side of a help room: the page and the widget carry the help desk's banner
and tell their script where availability is; other rooms do not. The question-states API
gives the chips of history loaded over HTTP."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from livechat import actions as chat
from livechat.models import Room
from tests.conftest import fresh, json_client, make_user

from .helpers import ask, reply, say

pytestmark = pytest.mark.django_db


def page(user, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def chat_config(html: str) -> dict:
    match = re.search(
        r'<script id="chat-config" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert match
    return json.loads(match.group(1))


def states(client, slug: str, ids) -> dict:
    response = client.get(
        f"/api/rooms/{slug}/question-states/", {"messages": ",".join(map(str, ids))}
    )
    assert response.status_code == 200, response.content
    return response.json()["questions"]


# --- the page and the widget -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/rooms/help-desk/", "/rooms/help-desk/embed/"])
def test_a_help_room_has_the_banner_above_the_message_box(alice, room, path):
    html = page(alice, path)

    assert 'id="helpdesk-banner"' in html
    # The live region the script fills, polite (role=status), above the composer.
    assert re.search(r'id="helpdesk-availability"[^>]*role="status"', html)
    assert html.index('id="helpdesk-banner"') < html.index('id="composer"')
    assert "helpdesk/room-helpdesk.js" in html
    assert "helpdesk/room-helpdesk.css" in html
    # Its script is there before chat.js, so that it hears every question event.
    assert html.index("helpdesk/room-helpdesk.js") < html.index("livechat/chat.js")


@pytest.mark.parametrize("path", ["/rooms/help-desk/", "/rooms/help-desk/embed/"])
def test_the_config_says_it_is_a_help_room_and_where_availability_is(alice, room, path):
    config = chat_config(page(alice, path))

    assert config["help"] is True
    assert config["availabilityUrl"] == "/api/rooms/help-desk/availability/"


@pytest.mark.parametrize("path", ["/rooms/lounge/", "/rooms/lounge/embed/"])
def test_another_room_has_no_banner(alice, other_room, path):
    html = page(alice, path)
    config = chat_config(html)

    assert config["help"] is False
    assert config["availabilityUrl"] is None
    assert "helpdesk-banner" not in html
    assert "room-helpdesk" not in html


def test_the_banner_links_the_help_pages_and_the_notification_settings(alice, room, settings):
    settings.LIVECHAT_HELP_PAGES = [("Help contents", "https://wiki.example/wiki/Help:Contents")]

    html = page(alice, "/rooms/help-desk/")

    assert '<a href="https://wiki.example/wiki/Help:Contents"' in html
    assert ">Help contents</a>" in html
    assert 'href="/notifications/settings/"' in html


def test_the_default_help_pages_are_on_the_configured_wiki(settings):
    urls = [url for _title, url in settings.LIVECHAT_HELP_PAGES]

    assert urls == [
        f"{settings.LIVECHAT_WIKI_URL}Help:Contents",
        f"{settings.LIVECHAT_WIKI_URL}Wikipedia:Teahouse",
    ]


# --- GET /api/rooms/<slug>/question-states/ --------------------------------------------------


def test_it_gives_the_question_of_each_first_message_on_the_page(alice, bob, mentor, room):
    question = ask(alice, room)
    follow_up = say(alice, room, "It is for an article about birds.")
    answer = reply(mentor, question)
    other = ask(bob, room)

    ids = [question.first_message_id, follow_up.pk, answer.pk, other.first_message_id]
    found = states(json_client(bob), "help-desk", ids)

    assert set(found) == {str(question.first_message_id), str(other.first_message_id)}
    alices = found[str(question.first_message_id)]
    assert alices["id"] == question.pk
    assert alices["state"] == "answered"
    assert alices["asker"]["username"] == "Alice"
    assert found[str(other.first_message_id)]["state"] == "waiting"


def test_it_never_leaks_the_text_of_a_hidden_first_message(alice, moderator, room):
    question = ask(alice, room, "my phone number is 555-0199")
    chat.set_hidden(user=fresh(moderator), message_id=question.first_message_id, hidden=True)

    response = json_client(make_user("Reader")).get(
        "/api/rooms/help-desk/question-states/", {"messages": str(question.first_message_id)}
    )

    assert response.status_code == 200
    assert "555-0199" not in response.content.decode()
    assert response.json()["questions"][str(question.first_message_id)]["state"] == "waiting"


def test_it_leaves_out_messages_of_other_rooms(alice, room, settings):
    settings.LIVECHAT_HELP_ROOMS = ["help-desk", "help-two"]
    second = Room.objects.create(slug="help-two", name="Help two")
    elsewhere = ask(alice, second)

    assert states(json_client(alice), "help-desk", [elsewhere.first_message_id]) == {}


def test_its_queries_do_not_grow_with_the_page(alice, room, django_assert_max_num_queries):
    one = [ask(alice, room).first_message_id]
    many = [ask(make_user(f"Asker {n}"), room).first_message_id for n in range(30)]
    client = json_client(alice)

    def cost(ids) -> int:
        with CaptureQueriesContext(connection) as queries:
            states(client, "help-desk", ids)
        return len(queries)

    assert cost(one) == cost(many)
    # The session and the user, the room, the questions, their people.
    with django_assert_max_num_queries(5):
        states(client, "help-desk", many)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "messages"),
        ({"messages": ""}, "messages"),
        ({"messages": "1,two"}, "messages"),
        ({"messages": "0"}, "messages"),
        ({"messages": ",".join(str(n) for n in range(1, 102))}, "messages"),
    ],
)
def test_it_refuses_a_bad_list_of_ids_clearly(alice, room, query, field):
    response = json_client(alice).get("/api/rooms/help-desk/question-states/", query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == field
    assert "messages" in error["detail"]


def test_it_answers_404_for_a_room_that_is_not_a_help_room(alice, other_room):
    response = json_client(alice).get("/api/rooms/lounge/question-states/", {"messages": "1"})

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "detail": "lounge is not a help room.",
    }


def test_it_answers_404_for_a_help_room_that_does_not_exist(alice, settings):
    response = json_client(alice).get("/api/rooms/help-desk/question-states/", {"messages": "1"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_is_for_signed_in_people_only(client, room):
    response = client.get("/api/rooms/help-desk/question-states/", {"messages": "1"})

    assert response.status_code == 403
