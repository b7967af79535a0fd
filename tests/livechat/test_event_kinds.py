"""The event log is generic: kinds belong to registered subjects (livechat.events), and
every way out of the log — live frames, resume, the gap filler, the events API — goes
through the one registry. An app's own kinds plug in without livechat knowing them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from livechat import actions, events
from livechat.events import Subject, allocate_event_id, log_event
from livechat.models import Room, RoomEvent
from tests.conftest import fresh, json_client


def _public_question(payload: dict[str, Any]) -> dict[str, Any]:
    # Stands in for a help-desk question: its private note is for moderators only.
    if "note" not in payload:
        return payload
    return {key: value for key, value in payload.items() if key != "note"}


QUESTION = Subject(name="question", public=_public_question)


@pytest.fixture
def question_kinds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Register a "question" subject for one test, as a later app would in ready()."""
    monkeypatch.setitem(events._subjects, "question", QUESTION)
    monkeypatch.setitem(events._kinds, "question.opened", QUESTION)
    yield


def log_question(room: Room, payload: dict[str, Any], kind: str = "question.opened") -> int:
    with transaction.atomic():
        event_id = allocate_event_id(room.pk)
        log_event(
            room_id=room.pk, event_id=event_id, kind=kind, payload=payload, now=timezone.now()
        )
    return event_id


def log_unknown_kind(room: Room) -> int:
    """An event of a kind nobody registers any more (its app was removed)."""
    with transaction.atomic():
        event_id = allocate_event_id(room.pk)
        RoomEvent.objects.create(
            room=room, event_id=event_id, kind="poll.closed", payload={}, created_at=timezone.now()
        )
    return event_id


def events_api(user: Any, after: int = 0) -> dict[str, Any]:
    response = json_client(user).get(f"/api/rooms/help-desk/events/?after={after}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_it_carries_each_kind_under_its_own_subject(question_kinds, alice, moderator, room):
    actions.send_message(user=alice, room=room, body="How do I cite?")
    log_question(room, {"id": 1, "state": "waiting", "note": "asked twice"})

    public = events_api(fresh(alice))["events"]
    assert [(e["kind"], sorted(e)) for e in public] == [
        ("message.created", ["event_id", "kind", "message"]),
        ("question.opened", ["event_id", "kind", "question"]),
    ]
    assert public[1]["question"] == {"id": 1, "state": "waiting"}, "the note is withheld"
    moderators = events_api(fresh(moderator))["events"]
    assert moderators[1]["question"]["note"] == "asked twice"


@pytest.mark.django_db
def test_a_frame_needs_a_moderators_copy_only_when_something_is_withheld(question_kinds):
    plain = events.EventFrames.build(event_id=1, kind="question.opened", payload={"id": 1})
    private = events.EventFrames.build(
        event_id=2, kind="question.opened", payload={"id": 1, "note": "x"}
    )
    assert plain.moderator is None
    assert private.moderator is not None and '"note":"x"' in private.moderator
    assert '"note"' not in private.public


@pytest.mark.django_db
def test_an_unknown_kind_goes_out_without_an_object_so_clients_advance(alice, room):
    actions.send_message(user=alice, room=room, body="before")
    unknown = log_unknown_kind(room)
    actions.send_message(user=alice, room=room, body="after")

    page = events_api(fresh(alice))
    assert [e["event_id"] for e in page["events"]] == [1, 2, 3]
    assert page["events"][1] == {"event_id": unknown, "kind": "poll.closed"}
    assert page["last_event_id"] == 3


@pytest.mark.django_db
def test_it_refuses_to_log_a_kind_nobody_registered(room):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured), transaction.atomic():
        log_event(room_id=room.pk, event_id=1, kind="poll.opened", payload={}, now=timezone.now())
    room.refresh_from_db()
    assert RoomEvent.objects.count() == 0


@pytest.mark.django_db
def test_replays_redact_a_message_hidden_since_through_its_subject(alice, moderator, room):
    from moderation import actions as moderation

    sent = actions.send_message(user=alice, room=room, body="rude words")
    moderation.hide_message(moderator=moderator, message_id=sent.message.pk, reason="Insult")

    created = events_api(fresh(alice))["events"][0]
    assert created["kind"] == "message.created"
    assert created["message"]["hidden"] is True and created["message"]["body"] == ""
    stored = RoomEvent.objects.get(room=room, event_id=1).payload
    assert stored["hidden"] is False, "the log itself keeps what was true then"


@pytest.mark.django_db(transaction=True)
async def test_resume_replays_other_kinds_and_unknown_ones_in_order(
    question_kinds, connect, alice, room
):
    await database_sync_to_async(actions.send_message)(user=alice, room=room, body="one")
    await database_sync_to_async(log_question)(room, {"id": 7, "state": "waiting"})
    await database_sync_to_async(log_unknown_kind)(room)

    socket = await connect(alice)
    await socket.send({"type": "resume", "after_event_id": 0})
    replayed = [await socket.recv_type("event") for _ in range(3)]
    assert [(e["event_id"], e["kind"]) for e in replayed] == [
        (1, "message.created"),
        (2, "question.opened"),
        (3, "poll.closed"),
    ]
    assert replayed[1]["question"] == {"id": 7, "state": "waiting"}
    assert "message" not in replayed[2] and "question" not in replayed[2]


@pytest.mark.django_db(transaction=True)
async def test_live_delivery_of_another_kind_and_the_gap_filler_use_the_registry(
    question_kinds, connect, alice, room
):
    from unittest import mock

    socket = await connect(alice)
    # The layer drops the question's frame; the next message's frame pulls it from the log.
    with mock.patch("livechat.events.publish_event_on_commit"):
        await database_sync_to_async(log_question)(room, {"id": 3, "state": "waiting"})
    await database_sync_to_async(actions.send_message)(user=alice, room=room, body="next")

    first = await socket.recv_type("event")
    second = await socket.recv_type("event")
    assert (first["event_id"], first["kind"], first["question"]["id"]) == (1, "question.opened", 3)
    assert (second["event_id"], second["kind"]) == (2, "message.created")


@pytest.mark.django_db
def test_http_send_answers_with_the_event_id_the_socket_ack_carries(alice, room):
    client = json_client(alice)
    answer = client.post("/api/rooms/help-desk/messages/", {"body": "hello", "client_id": "c-9"})
    answer = answer.json()
    assert answer["event_id"] == 1
    assert answer["id"] == RoomEvent.objects.get(event_id=1).payload["id"]
    repeat = client.post("/api/rooms/help-desk/messages/", {"body": "hello", "client_id": "c-9"})
    repeat = repeat.json()
    assert repeat["event_id"] == 1, "a repeat names the event of the first send"
