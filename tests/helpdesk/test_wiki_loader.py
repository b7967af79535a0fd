"""The chat on the wiki's pages: /wiki/loader.js and the indicator it polls,
/wiki/status.json (docs/wiki.md, "The chat on the wiki's pages"). The loader in a real
wiki page, in Chromium: tests/wiki/test_wiki_loader_browser.py."""

from __future__ import annotations

import json

import pytest

from .helpers import ask, online

pytestmark = pytest.mark.django_db

WIKI = "https://en.wikipedia.org"


@pytest.fixture(autouse=True)
def _embedding_wiki(settings):
    settings.LIVECHAT_EMBED_ORIGINS = [WIKI]


def test_the_loader_starts_itself_with_this_chats_address_and_words(client, settings):
    settings.ALLOWED_HOSTS = ["chat.example.org"]
    response = client.get("/wiki/loader.js", HTTP_HOST="chat.example.org", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"]
    body = response.content.decode()
    assert body.startswith("// The chat on every wiki page")
    call = body.rstrip().splitlines()[-1]
    assert call.startswith("window.livechatHelpChat(") and call.endswith(");")
    config = json.loads(call[len("window.livechatHelpChat(") : -2])
    assert config == {
        "widgetUrl": "https://chat.example.org/rooms/help-desk/embed/",
        "statusUrl": "https://chat.example.org/wiki/status.json?room=help-desk",
        "strings": {
            "button": "Help chat",
            "title": "Help desk chat",
            "close": "Close the help chat",
        },
    }


def test_everyone_sees_how_many_helpers_are_online(client, room, mentor, alice):
    online(mentor)
    ask(alice, room)
    response = client.get("/wiki/status.json", {"user": "Alice"}, HTTP_ORIGIN=WIKI)
    assert response.status_code == 200
    assert response.json() == {
        "helpers_online": 1,
        "helper": False,
        "label": "1 helper online",
        "title": "1 helper online",
    }
    # Read from the wiki's pages: allowed for the wikis that may frame the widget only.
    assert response["Access-Control-Allow-Origin"] == WIKI
    other = client.get("/wiki/status.json", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_a_helper_sees_the_questions_waiting(client, room, mentor, alice, clock):
    ask(alice, room)
    clock.advance(minutes=12)
    status = client.get("/wiki/status.json", {"user": mentor.username}).json()
    assert status["helper"] is True
    assert (status["waiting"], status["oldest_wait_seconds"], status["level"]) == (1, 720, "warn")
    assert status["label"] == "1 question waiting"
    assert status["title"] == "0 helpers online"


def test_nobody_online_says_one_can_still_ask(client, room):
    status = client.get("/wiki/status.json").json()
    assert status["label"] == ""
    assert status["title"] == "No helpers online right now; you can still ask."


def test_a_room_that_is_not_a_help_room_is_refused(client, room):
    response = client.get("/wiki/status.json", {"room": "lounge"}, HTTP_ORIGIN=WIKI)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response["Access-Control-Allow-Origin"] == WIKI


def test_the_indicator_costs_few_queries(client, room, mentor, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        client.get("/wiki/status.json", {"user": mentor.username})
