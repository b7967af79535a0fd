"""The room socket through the real ASGI application (router, origin check, auth)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from livechat import actions
from livechat.models import Message, RoomEvent

pytestmark = pytest.mark.django_db(transaction=True)


async def test_hello_is_the_first_frame(connect, alice, room):
    socket = await connect(alice)
    hello = socket.hello
    assert hello["room"] == {"slug": "help-desk", "name": "Help desk"}
    assert hello["user"] == {"id": alice.pk, "username": "Alice", "roles": []}
    assert hello["last_event_id"] == 0
    assert [u["username"] for u in hello["online"]] == ["Alice"]


async def test_a_message_reaches_every_socket_once_and_the_sender_gets_an_ack(
    connect, alice, bob, room
):
    a = await connect(alice)
    b = await connect(bob)
    await a.send({"type": "message.send", "body": "hi **all**", "client_id": "c-1"})

    ack = await a.recv_type("ack")
    event_a = await a.recv_type("event")
    event_b = await b.recv_type("event")
    assert ack["client_id"] == "c-1" and ack["event_id"] == 1
    assert event_a == event_b
    assert event_b["event_id"] == 1
    assert event_b["kind"] == "message.created"
    assert event_b["message"]["id"] == ack["message_id"]
    assert event_b["message"]["body"] == "hi **all**"
    assert event_b["message"]["author"]["username"] == "Alice"
    assert await a.nothing() and await b.nothing(), "no second copy"


async def test_a_repeated_client_id_acks_the_first_message_and_broadcasts_nothing(
    connect, alice, bob, room
):
    a = await connect(alice)
    b = await connect(bob)
    await a.send({"type": "message.send", "body": "once", "client_id": "dup"})
    first = await a.recv_type("ack")
    await b.recv_type("event")

    # The same client_id again, e.g. after a reconnect, on a second socket.
    a2 = await connect(alice)
    await a2.send({"type": "message.send", "body": "once", "client_id": "dup"})
    again = await a2.recv_type("ack")
    assert again == first
    assert await b.nothing()
    assert await database_sync_to_async(Message.objects.count)() == 1


async def test_edits_and_reactions_go_out_as_events_in_order(connect, alice, bob, room):
    a = await connect(alice)
    b = await connect(bob)
    await a.send({"type": "message.send", "body": "frist", "client_id": "x"})
    ack = await a.recv_type("ack")
    await a.send(
        {
            "type": "message.edit",
            "message_id": ack["message_id"],
            "body": "first",
            "base_revision": 1,
        }
    )
    # Two sockets' writes race (each runs on a database thread of its own): the reaction
    # is sent once the edit is in, so that the order below is the order of the writes.
    assert (await a.recv_type("event"))["kind"] == "message.created"
    assert (await a.recv_type("event"))["kind"] == "message.edited"
    await b.send({"type": "reaction.toggle", "message_id": ack["message_id"], "emoji": "👍"})

    events = [await b.recv_type("event") for _ in range(3)]
    assert [e["event_id"] for e in events] == [1, 2, 3]
    assert [e["kind"] for e in events] == ["message.created", "message.edited", "reaction.changed"]
    assert events[1]["message"]["body"] == "first"
    assert events[1]["message"]["revision"] == 2
    assert events[2]["message"]["reactions"] == [{"emoji": "👍", "count": 1, "users": ["Bob"]}]


async def test_errors_answer_the_frame_and_keep_the_socket_open(connect, alice, bob, room):
    a = await connect(alice)
    await a.send({"type": "message.send", "body": "   ", "client_id": "e1"})
    error = await a.recv_type("error")
    assert error == {
        "type": "error",
        "code": "invalid",
        "detail": "The message is empty.",
        "client_id": "e1",
    }
    change = await database_sync_to_async(actions.send_message)(user=bob, room=room, body="bob's")
    await a.recv_type("event")
    await a.send(
        {
            "type": "message.edit",
            "message_id": change.message.pk,
            "body": "mine",
            "base_revision": 1,
        }
    )
    error = await a.recv_type("error")
    assert (error["code"], error["message_id"]) == ("forbidden", change.message.pk)

    await a.send({"type": "message.send", "body": "still here"})
    ack = await a.recv_type("ack")
    still_here = await database_sync_to_async(Message.objects.get)(body="still here")
    assert ack["message_id"] == still_here.pk


async def test_an_edit_from_an_old_revision_is_a_conflict_naming_the_current_one(
    connect, alice, room
):
    a = await connect(alice)
    await a.send({"type": "message.send", "body": "v1", "client_id": "k"})
    ack = await a.recv_type("ack")
    edit = {"type": "message.edit", "message_id": ack["message_id"], "base_revision": 1}
    await a.send({**edit, "body": "v2"})
    await a.send({**edit, "body": "v2 from another tab"})
    error = await a.recv_type("error")
    assert error["code"] == "conflict"
    assert error["current_revision"] == 2
    assert error["message"]["body"] == "v2"
    assert "revision 2" in error["detail"]


@pytest.mark.parametrize(
    "raw, detail",
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", 'must be a JSON object with a "type"'),
        ('{"type": 5}', 'must be a JSON object with a "type"'),
        ('{"type": "message.explode"}', "Unknown frame type"),
        ('{"type": "message.send", "body": 12}', "must be text"),
        (
            '{"type": "message.edit", "message_id": "1", "body": "x", "base_revision": 1}',
            "message_id must be a whole number, 1 or more",
        ),
        (
            '{"type": "message.edit", "message_id": 1, "body": "x", "base_revision": true}',
            "base_revision must be a whole number, 1 or more",
        ),
        ('{"type": "reaction.toggle", "message_id": 1, "emoji": ["x"]}', "emoji"),
        ('{"type": "resume", "after_event_id": -1}', "after_event_id"),
        ('{"type": "resume", "after_event_id": "3"}', "after_event_id"),
    ],
)
async def test_a_malformed_frame_gets_an_error_and_the_socket_stays_open(
    connect, alice, room, raw, detail
):
    a = await connect(alice)
    await a.send_raw(raw)
    error = await a.recv_type("error")
    assert error["code"] == "invalid"
    assert detail in error["detail"]
    assert await database_sync_to_async(RoomEvent.objects.count)() == 0, "nothing written"
    await a.send({"type": "message.send", "body": "alive", "client_id": "after"})
    ack = await a.recv_type("ack")
    assert ack["client_id"] == "after"
    alive = await database_sync_to_async(Message.objects.get)()
    assert (alive.pk, alive.body) == (ack["message_id"], "alive")


async def test_an_oversized_frame_is_refused_unparsed(connect, alice, room, settings):
    settings.LIVECHAT_MAX_FRAME_BYTES = 1000
    a = await connect(alice)
    await a.send_raw(json.dumps({"type": "message.send", "body": "x" * 2000}))
    error = await a.recv_type("error")
    assert error["code"] == "too_long"
    assert await database_sync_to_async(Message.objects.count)() == 0


async def test_the_frame_limit_counts_bytes_not_characters(connect, alice, room, settings):
    settings.LIVECHAT_MAX_FRAME_BYTES = 1000
    a = await connect(alice)
    # 600 characters, 1,200 bytes in UTF-8: over the limit as it is stated.
    await a.send_raw(json.dumps({"type": "message.send", "body": "é" * 600}, ensure_ascii=False))
    assert (await a.recv_type("error"))["code"] == "too_long"
    await a.send_raw(json.dumps({"type": "message.send", "body": "é" * 400}, ensure_ascii=False))
    assert (await a.recv_type("ack"))["message_id"]


async def test_binary_frames_are_refused(connect, alice, room):
    a = await connect(alice)
    await a.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await a.recv_type("error"))["code"] == "invalid"


async def test_resume_replays_exactly_what_was_missed(connect, alice, bob, room):
    for i in range(5):
        await database_sync_to_async(actions.send_message)(user=bob, room=room, body=f"m{i}")
    a = await connect(alice)
    assert a.hello["last_event_id"] == 5
    await a.send({"type": "resume", "after_event_id": 2})
    replayed = [await a.recv_type("event") for _ in range(3)]
    assert [e["event_id"] for e in replayed] == [3, 4, 5]
    assert [e["message"]["body"] for e in replayed] == ["m2", "m3", "m4"]
    assert await a.nothing()


async def test_resume_does_not_repeat_what_this_socket_already_got_live(connect, alice, bob, room):
    await database_sync_to_async(actions.send_message)(user=bob, room=room, body="before")
    a = await connect(alice)
    await database_sync_to_async(actions.send_message)(user=bob, room=room, body="live")
    assert (await a.recv_type("event"))["event_id"] == 2
    await a.send({"type": "resume", "after_event_id": 0})
    assert (await a.recv_type("event"))["event_id"] == 1
    assert await a.nothing()


async def test_resume_from_before_the_pruned_log_asks_for_a_resync(connect, alice, bob, room):
    for i in range(3):
        await database_sync_to_async(actions.send_message)(user=bob, room=room, body=f"m{i}")
    await database_sync_to_async(RoomEvent.objects.filter(event_id__lte=2).delete)()
    room.pruned_through_event_id = 2
    await database_sync_to_async(room.save)()
    a = await connect(alice)
    await a.send({"type": "resume", "after_event_id": 1})
    assert (await a.recv_type("resync", "event")) == {"type": "resync"}


async def test_resume_from_the_future_asks_for_a_resync(connect, alice, room):
    a = await connect(alice)
    await a.send({"type": "resume", "after_event_id": 99})
    assert (await a.recv_type("resync", "event"))["type"] == "resync"


async def test_a_dropped_frame_is_filled_from_the_log_before_the_next_one(
    connect, alice, bob, room
):
    """The channel layer may drop a frame; the socket notices the skipped id."""
    a = await connect(alice)
    # Write event 1 without publishing it, as if the layer had dropped it.
    from unittest import mock

    with mock.patch("livechat.events.publish_event_on_commit"):
        await database_sync_to_async(actions.send_message)(user=bob, room=room, body="dropped")
    await database_sync_to_async(actions.send_message)(user=bob, room=room, body="next")

    first, second = await a.recv_type("event"), await a.recv_type("event")
    assert [first["event_id"], second["event_id"]] == [1, 2]
    assert first["message"]["body"] == "dropped"
    assert await a.nothing()


async def test_typing_goes_to_the_others_at_most_once_a_second(connect, alice, bob, room):
    a = await connect(alice)
    b = await connect(bob)
    await a.recv_type("presence")  # Bob joined
    await a.send({"type": "typing"})
    await a.send({"type": "typing"})
    frame = await b.recv_type("typing")
    assert frame == {"type": "typing", "user": {"id": alice.pk, "username": "Alice", "roles": []}}
    assert await b.nothing(0.3), "the second typing frame within a second is dropped"
    assert await a.nothing(0.1), "the typist does not hear themselves"
