from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Invalid, NotFound, TooLong
from livechat import actions
from livechat.models import Message, MessageRevision, RoomEvent
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


def test_it_persists_the_message_its_first_revision_and_one_event(alice, room):
    change = actions.send_message(user=alice, room=room, body="  Hello **there**  ")

    message = Message.objects.get()
    assert message.body == "Hello **there**"
    assert "<strong>there</strong>" in message.html
    assert change.created
    assert change.event_id == 1
    revision = MessageRevision.objects.get()
    assert (revision.number, revision.body, revision.editor) == (1, "Hello **there**", alice)
    event = RoomEvent.objects.get()
    assert (event.room, event.event_id, event.kind) == (room, 1, "message.created")
    assert event.payload == change.payload
    assert change.payload["author"] == {"id": alice.pk, "username": "Alice", "roles": []}
    assert change.payload["revision"] == 1
    assert change.payload["edited_at"] is None


def test_it_numbers_events_contiguously_per_room(alice, room, other_room):
    ids = [actions.send_message(user=alice, room=room, body=f"m{i}").event_id for i in range(3)]
    other = actions.send_message(user=alice, room=other_room, body="elsewhere").event_id
    assert ids == [1, 2, 3]
    assert other == 1
    room.refresh_from_db()
    assert room.last_event_id == 3


@pytest.mark.parametrize("body", ["", "   ", "\n\t "])
def test_it_refuses_an_empty_message(alice, room, body):
    with pytest.raises(Invalid, match="empty"):
        actions.send_message(user=alice, room=room, body=body)
    assert not Message.objects.exists()
    assert not RoomEvent.objects.exists()


@pytest.mark.parametrize("body", [None, 42, ["a"], {"text": "a"}])
def test_it_refuses_a_body_that_is_not_text(alice, room, body):
    with pytest.raises(Invalid, match="must be text"):
        actions.send_message(user=alice, room=room, body=body)


def test_it_refuses_a_message_over_the_limit_and_names_it(alice, room, settings):
    settings.LIVECHAT_MAX_MESSAGE_LENGTH = 10
    actions.send_message(user=alice, room=room, body="x" * 10)
    with pytest.raises(TooLong, match="11 characters long; the limit is 10"):
        actions.send_message(user=alice, room=room, body="x" * 11)
    assert Message.objects.count() == 1


def test_it_measures_the_limit_after_stripping(alice, room, settings):
    settings.LIVECHAT_MAX_MESSAGE_LENGTH = 5
    assert actions.send_message(user=alice, room=room, body="  hello \n").created


def test_a_repeated_client_id_returns_the_first_message_and_writes_nothing(alice, room):
    first = actions.send_message(user=alice, room=room, body="once", client_id="c-1")
    again = actions.send_message(user=alice, room=room, body="once (retry)", client_id="c-1")

    assert not again.created
    assert again.message.pk == first.message.pk
    assert again.event_id == first.event_id
    assert again.payload["body"] == "once"
    assert Message.objects.count() == 1
    assert RoomEvent.objects.count() == 1
    room.refresh_from_db()
    assert room.last_event_id == 1, "a repeat must not use up an event id"


def test_client_ids_are_per_author(alice, bob, room):
    a = actions.send_message(user=alice, room=room, body="a", client_id="same")
    b = actions.send_message(user=bob, room=room, body="b", client_id="same")
    assert a.message.pk != b.message.pk


@pytest.mark.parametrize("client_id", ["x" * 65, 12, ["c"]])
def test_it_refuses_a_bad_client_id(alice, room, client_id):
    with pytest.raises(Invalid, match="client_id"):
        actions.send_message(user=alice, room=room, body="hi", client_id=client_id)


def test_a_reply_points_at_a_message_of_the_same_room(alice, bob, room, other_room):
    question = actions.send_message(user=alice, room=room, body="How do I cite?")
    answer = actions.send_message(
        user=bob, room=room, body="Use <ref>", reply_to=question.message.pk
    )
    assert answer.payload["reply_to"] == question.message.pk

    elsewhere = actions.send_message(user=alice, room=other_room, body="hi")
    with pytest.raises(NotFound, match="reply target"):
        actions.send_message(user=bob, room=room, body="x", reply_to=elsewhere.message.pk)
    with pytest.raises(Invalid, match="reply_to"):
        actions.send_message(user=bob, room=room, body="x", reply_to="1")
    room.refresh_from_db()
    assert room.last_event_id == 2, "a refused reply gives its event id back"


def test_mentions_are_resolved_to_real_users(alice, bob, room):
    change = actions.send_message(user=alice, room=room, body="@Bob and @nobody, see @bob")
    assert change.payload["mentions"] == ["Bob"]


def test_the_author_payload_carries_roles(mentor, room):
    change = actions.send_message(user=fresh(mentor), room=room, body="I can help")
    assert change.payload["author"]["roles"] == ["mentor"]


def test_an_inactive_account_cannot_send(alice, room):
    alice.is_active = False
    alice.save()
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        actions.send_message(user=alice, room=room, body="hi")


@pytest.mark.django_db(transaction=True)
def test_the_same_client_id_at_the_same_moment_creates_one_message(alice, room):
    """Two sockets (two threads, two connections) racing with one client_id."""
    if connection.vendor == "sqlite":
        # SQLite serialises writers, which is the property under test; still run it.
        pass
    barrier = threading.Barrier(4)
    results: list[actions.Change] = []
    errors: list[BaseException] = []

    def send() -> None:
        from django.db import connections

        try:
            barrier.wait()
            results.append(actions.send_message(user=alice, room=room, body="race", client_id="r"))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({r.message.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Message.objects.count() == 1
    assert RoomEvent.objects.count() == 1
