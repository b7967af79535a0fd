"""The JSON API, as a browser uses it: session cookie, CSRF header on writes."""

from __future__ import annotations

import pytest
from django.test import Client

from livechat import actions
from livechat.models import Message, Room, RoomEvent
from tests.conftest import json_client

pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_a_json_403(room):
    response = Client().get("/api/rooms/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_rooms_lists_unread_and_last_event(alice, bob, room, other_room):
    actions.send_message(user=bob, room=room, body="one")
    actions.send_message(user=bob, room=room, body="two")
    actions.send_message(user=alice, room=room, body="mine does not count")
    rooms = json_client(alice).get("/api/rooms/").json()["rooms"]
    by_slug = {r["slug"]: r for r in rooms}
    assert by_slug["help-desk"]["unread_count"] == 2
    assert by_slug["help-desk"]["last_event_id"] == 3
    assert by_slug["help-desk"]["online_count"] == 0
    assert by_slug["lounge"]["unread_count"] == 0


def test_post_creates_201_and_a_repeat_answers_200_with_the_first(alice, room):
    client = json_client(alice)
    first = client.post("/api/rooms/help-desk/messages/", {"body": "hi", "client_id": "c-9"})
    again = client.post("/api/rooms/help-desk/messages/", {"body": "hi", "client_id": "c-9"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1


def test_writes_without_the_csrf_header_are_refused_in_json(alice, room):
    response = json_client(alice).post(
        "/api/rooms/help-desk/messages/", body='{"body": "x"}', csrf=False
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["detail"]
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("not json", 400, "invalid"),
        ("[1]", 400, "invalid"),
        ('{"body": ""}', 400, "invalid"),
        ('{"body": 3}', 400, "invalid"),
        ('{"body": "' + "x" * 4001 + '"}', 400, "too_long"),
        ('{"body": "x", "reply_to": 999}', 404, "not_found"),
        # Found by fuzzing the socket's frames: the same inputs over HTTP were 500s.
        ('{"body": "\\ud800"}', 400, "invalid"),  # half a surrogate pair: no UTF-8 holds it
        ("[" * 100_000 + "]" * 100_000, 400, "invalid"),  # nested past what json can parse
        ('{"body": NaN}', 400, "invalid"),  # not JSON, though Python reads it
    ],
)
def test_bad_input_gets_a_named_error(alice, room, body, status, code):
    response = json_client(alice).post("/api/rooms/help-desk/messages/", body=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["detail"]


def test_unknown_room_is_404(alice, room):
    response = json_client(alice).get("/api/rooms/nope/messages/")
    assert response.status_code == 404
    assert "nope" in response.json()["error"]["detail"]


def test_history_pages_backwards_with_before(alice, room):
    ids = [actions.send_message(user=alice, room=room, body=f"m{i}").message.pk for i in range(7)]
    client = json_client(alice)
    page = client.get("/api/rooms/help-desk/messages/?limit=3").json()
    assert [m["id"] for m in page["messages"]] == ids[-3:]
    assert page["has_more"] is True
    page = client.get(f"/api/rooms/help-desk/messages/?limit=3&before={ids[4]}").json()
    assert [m["id"] for m in page["messages"]] == ids[1:4]
    page = client.get(f"/api/rooms/help-desk/messages/?limit=3&before={ids[1]}").json()
    assert [m["id"] for m in page["messages"]] == ids[:1]
    assert page["has_more"] is False


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "before=-1", "before=abc"])
def test_history_refuses_bad_paging(alice, room, query):
    response = json_client(alice).get(f"/api/rooms/help-desk/messages/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_history_does_not_use_offset(alice, room, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actions.send_message(user=alice, room=room, body="x")
    with CaptureQueriesContext(connection) as queries:
        json_client(alice).get("/api/rooms/help-desk/messages/?before=100&limit=10")
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_events_return_only_what_changed(alice, bob, room):
    message = actions.send_message(user=alice, room=room, body="a").message
    actions.send_message(user=alice, room=room, body="b")
    actions.toggle_reaction(user=bob, message_id=message.pk, emoji="👍")
    client = json_client(bob)

    page = client.get("/api/rooms/help-desk/events/?after=1").json()
    assert [e["event_id"] for e in page["events"]] == [2, 3]
    assert page["events"][1]["kind"] == "reaction.changed"
    assert page["events"][1]["message"]["reactions"][0]["users"] == ["Bob"]
    assert page["last_event_id"] == 3
    assert page["has_more"] is False

    page = client.get("/api/rooms/help-desk/events/?after=3").json()
    assert page == {"events": [], "last_event_id": 3, "has_more": False}

    page = client.get("/api/rooms/help-desk/events/?after=0&limit=2").json()
    assert [e["event_id"] for e in page["events"]] == [1, 2]
    assert page["has_more"] is True


def test_events_too_old_are_410_resync(alice, room):
    for i in range(3):
        actions.send_message(user=alice, room=room, body=str(i))
    RoomEvent.objects.filter(event_id__lte=2).delete()
    Room.objects.filter(pk=room.pk).update(pruned_through_event_id=2)
    client = json_client(alice)
    response = client.get("/api/rooms/help-desk/events/?after=1")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "resync"
    assert client.get("/api/rooms/help-desk/events/?after=2").status_code == 200
    assert client.get("/api/rooms/help-desk/events/?after=50").status_code == 410


def test_events_need_after(alice, room):
    response = json_client(alice).get("/api/rooms/help-desk/events/")
    assert response.status_code == 400
    assert "after" in response.json()["error"]["detail"]


def test_patch_edits_and_answers_conflict_with_409(alice, bob, room):
    message = actions.send_message(user=alice, room=room, body="v1").message
    client = json_client(alice)
    url = f"/api/messages/{message.pk}/"
    ok = client.patch(url, {"body": "v2", "base_revision": 1})
    assert ok.status_code == 200
    assert ok.json()["revision"] == 2
    stale = client.patch(url, {"body": "v2b", "base_revision": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["current_revision"] == 2
    other = json_client(bob).patch(url, {"body": "bob", "base_revision": 2})
    assert other.status_code == 403


def test_revisions_list_every_version(alice, room):
    message = actions.send_message(user=alice, room=room, body="v1").message
    actions.edit_message(user=alice, message_id=message.pk, body="v2", base_revision=1)
    revisions = json_client(alice).get(f"/api/messages/{message.pk}/revisions/").json()["revisions"]
    assert [(r["number"], r["body"]) for r in revisions] == [(1, "v1"), (2, "v2")]
    assert revisions[0]["editor"]["username"] == "Alice"


def test_reactions_toggle_over_http(alice, bob, room):
    message = actions.send_message(user=alice, room=room, body="v1").message
    client = json_client(bob)
    url = f"/api/messages/{message.pk}/reactions/"
    assert client.post(url, {"emoji": "🎉"}).json()["reactions"][0]["count"] == 1
    assert client.post(url, {"emoji": "🎉"}).json()["reactions"] == []
    assert client.post(url, {"emoji": "nope"}).status_code == 400
    assert client.post("/api/messages/999/reactions/", {"emoji": "🎉"}).status_code == 404


def test_method_not_allowed_is_a_json_405(alice, room):
    response = json_client(alice).delete("/api/rooms/help-desk/messages/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert "DELETE is not allowed" in response.json()["error"]["detail"]
