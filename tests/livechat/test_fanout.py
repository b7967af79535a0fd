"""The room fan-out (livechat.fanout): one subscription per room per process, events put in
order once for the room, written straight to each socket or queued for it, and never
lost, doubled or reordered between the two paths."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from prometheus_client import REGISTRY

from core.wsframes import PreparedFrame
from core.wsprotocol import DIRECT_WRITE
from livechat import actions, selectors
from livechat.broadcast import room_group
from livechat.events import EventFrames
from livechat.fanout import PreparedEvent, RoomFanout, fanout_for
from livechat.models import RoomEvent
from moderation import actions as moderation_actions
from tests.conftest import Socket, session_cookie, ws_headers
from tests.servers import asgi_server

pytestmark = pytest.mark.django_db(transaction=True)


class FakeSocket:
    """A subscriber that records what it is offered."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.events: list[int] = []
        self.frames: list[str] = []

    def offer_event(self, event: PreparedEvent) -> bool:
        self.events.append(event.event_id)
        return True

    def offer_frame(self, frame: PreparedFrame) -> bool:
        self.frames.append(frame.text)
        return True


async def logged(room, *bodies: str, user) -> list[PreparedEvent]:
    """Messages written to the log but not published (as if the layer had not yet
    delivered them), as the fan-out would receive them."""
    with mock.patch("livechat.events.publish_event_on_commit"):
        for body in bodies:
            await database_sync_to_async(actions.send_message)(user=user, room=room, body=body)
    rows = await database_sync_to_async(list)(RoomEvent.objects.filter(room=room))
    return [PreparedEvent.of(EventFrames.of(row)) for row in rows]


def members(layer, room) -> list[str]:
    return sorted(layer.groups.get(room_group(room.pk), {}))


async def test_a_room_is_one_subscription_per_process_whatever_its_sockets(
    room, other_room, settings
):
    # Group membership read from the in-memory layer's own table (Redis's pub/sub layer
    # keeps it per shard); tests/livechat/test_multiprocess.py covers Redis.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    layer = get_channel_layer()
    fanout = RoomFanout(layer)
    one, two, elsewhere = FakeSocket(1), FakeSocket(2), FakeSocket(3)
    await fanout.join(room, one)
    await fanout.join(room, two)
    await fanout.join(other_room, elsewhere)
    assert members(layer, room) == [fanout.channel]
    assert members(layer, other_room) == [fanout.channel]

    await fanout.leave(room.pk, one)
    assert members(layer, room) == [fanout.channel], "a socket is still there"
    await fanout.leave(room.pk, two)
    assert members(layer, room) == [], "the last one left: the process unsubscribes"
    assert members(layer, other_room) == [fanout.channel]
    await fanout.close()


async def test_an_event_is_offered_once_to_every_local_socket_of_its_room_only(
    room, other_room, alice
):
    fanout = RoomFanout(get_channel_layer())
    here, there = FakeSocket(1), FakeSocket(2)
    await fanout.join(room, here)
    await fanout.join(other_room, there)
    (event,) = await logged(room, "hello", user=alice)
    message = {
        "type": "room.event",
        "room_id": room.pk,
        "event_id": event.event_id,
        "public": event.public.text,
        "moderator": None,
    }
    counted_before = REGISTRY.get_sample_value("livechat_deliveries_total") or 0.0
    fanout.dispatch(message)
    fanout.dispatch(message)  # the same publish twice (a retried send)
    assert here.events == [1] and there.events == []
    # Written directly, so counted here (the ASGI send that counts the others never saw it).
    assert REGISTRY.get_sample_value("livechat_deliveries_total") == counted_before + 1
    await fanout.close()


async def test_events_published_out_of_order_are_read_once_for_the_room_and_put_in_order(
    room, alice
):
    fanout = RoomFanout(get_channel_layer())
    sockets = [FakeSocket(n) for n in range(5)]
    for socket in sockets:
        await fanout.join(room, socket)
    first, second, third, fourth = await logged(room, "1", "2", "3", "4", user=alice)

    def arrive(event: PreparedEvent) -> None:
        fanout.dispatch(
            {
                "type": "room.event",
                "room_id": room.pk,
                "event_id": event.event_id,
                "public": event.public.text,
                "moderator": None,
            }
        )

    arrive(first)
    with mock.patch.object(selectors, "events_after", wraps=selectors.events_after) as reads:
        arrive(fourth)  # 2 and 3 were published by another process, still on their way
        arrive(second)  # arrives while the gap is being read
        await fanout.settled()
        arrive(third)  # late: already offered from the log
    assert reads.call_count == 1, "one read of the log for the room, not one per socket"
    for socket in sockets:
        assert socket.events == [1, 2, 3, 4]
    await fanout.close()


async def test_presence_goes_to_everyone_and_typing_to_everyone_but_the_typist(room):
    fanout = RoomFanout(get_channel_layer())
    alice_tab, alice_other_tab, bob_tab = FakeSocket(1), FakeSocket(1), FakeSocket(2)
    for socket in (alice_tab, alice_other_tab, bob_tab):
        await fanout.join(room, socket)
    fanout.dispatch({"type": "room.presence", "room_id": room.pk, "frame": '{"p":1}'})
    fanout.dispatch({"type": "room.typing", "room_id": room.pk, "user_id": 1, "frame": '{"t":1}'})
    assert alice_tab.frames == alice_other_tab.frames == ['{"p":1}']
    assert bob_tab.frames == ['{"p":1}', '{"t":1}']
    await fanout.close()


# --- through the consumer -----------------------------------------------------------------


class DirectWrite:
    """The server's direct write (core.wsprotocol) as a socket sees it: it takes frames
    until the peer's buffer is 'full'."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.paused = False

    def __call__(self, frame: PreparedFrame) -> bool:
        if self.paused:
            return False
        self.frames.append(json.loads(frame.text))
        return True


async def open_direct(user, room) -> tuple[Socket, DirectWrite]:
    from config.asgi import application

    cookie = await database_sync_to_async(session_cookie)(user)
    communicator = WebsocketCommunicator(
        application, f"/ws/rooms/{room.slug}/", headers=ws_headers(cookie)
    )
    writer = DirectWrite()
    communicator.scope["extensions"] = {DIRECT_WRITE: {"write": writer}}
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    socket = Socket(communicator)
    # Every frame the socket can write at once goes the direct way, its hello included.
    await until(lambda: any(f["type"] == "hello" for f in writer.frames))
    socket.hello = next(f for f in writer.frames if f["type"] == "hello")
    return socket, writer


async def test_frames_written_directly_and_queued_ones_interleave_without_loss_or_reorder(
    room, alice, bob
):
    socket, writer = await open_direct(bob, room)

    async def send(body: str) -> None:
        await database_sync_to_async(actions.send_message)(user=alice, room=room, body=body)

    await send("one")
    await send("two")
    await until(lambda: len(events(writer)) >= 2)
    writer.paused = True  # the peer stopped reading: frames queue and go by ASGI send
    await send("three")
    queued = await socket.recv_type("event")
    writer.paused = False
    await send("four")
    await until(lambda: len(events(writer)) >= 3)

    direct = [f["event_id"] for f in events(writer)]
    assert direct == [1, 2, 4]
    assert queued["event_id"] == 3
    assert await socket.nothing()
    await socket.close()


async def test_the_answer_to_a_frame_is_written_directly_and_counted(room, alice):
    socket, writer = await open_direct(alice, room)
    before, written_before = delivered(), len(writer.frames)
    await socket.send({"type": "message.send", "body": "hi", "client_id": "k1"})
    await until(lambda: any(f["type"] == "ack" for f in writer.frames) and events(writer))
    kinds = [f["type"] for f in writer.frames if f["type"] in ("ack", "event")]
    assert kinds == ["ack", "event"]  # the ack before the event it announces
    # Each frame written counts as a delivery, however it went (presence ones too).
    assert delivered() - before == len(writer.frames) - written_before
    assert await socket.nothing()
    await socket.close()


def delivered() -> float:
    return REGISTRY.get_sample_value("livechat_deliveries_total") or 0.0


async def test_a_moderator_gets_the_hidden_text_and_everyone_else_does_not(
    room, alice, bob, moderator
):
    _, bob_writes = await open_direct(bob, room)
    _, moderator_writes = await open_direct(moderator, room)
    message = await database_sync_to_async(actions.send_message)(user=alice, room=room, body="rude")
    await database_sync_to_async(moderation_actions.hide_message)(
        moderator=moderator, message_id=message.message.pk, reason="rude"
    )
    await until(lambda: len(events(bob_writes)) >= 2 and len(events(moderator_writes)) >= 2)
    bob_hidden, moderator_hidden = events(bob_writes)[1], events(moderator_writes)[1]
    assert bob_hidden["message"]["hidden"] and bob_hidden["message"]["body"] == ""
    assert moderator_hidden["message"]["body"] == "rude"


def events(writer: DirectWrite) -> list[dict[str, Any]]:
    return [f for f in writer.frames if f["type"] == "event"]


async def until(condition, rounds: int = 200) -> None:
    """Poll until ``condition`` holds: the frames come from the loop's other tasks and
    the database thread, not from a timer."""
    import asyncio

    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_the_fan_out_is_per_event_loop_and_layer():
    layer = get_channel_layer()
    assert fanout_for(layer) is fanout_for(layer)


# --- through a real server ----------------------------------------------------------------


# Long enough for per-message deflate to compress it.
RUDE = " ".join(["rude"] * 200)


@pytest.mark.parametrize("deflate", [False, True], ids=["plain", "per-message-deflate"])
async def test_uvicorn_writes_the_room_frames_directly_compressed_or_not(
    alice, bob, moderator, room, tmp_path, deflate
):
    """uvicorn as production runs it: the fan-out writes the frame prepared once to each
    socket (core.wsprotocol), or compresses it in the socket's own context when the socket
    negotiated per-message deflate; either way every client reads the same events, and
    a hidden message's text reaches the moderator only."""
    import asyncio

    import websockets

    cookies = {
        user.username: await database_sync_to_async(session_cookie)(user)
        for user in (alice, bob, moderator)
    }
    # A plain room: in a help room the message would also open a question (more events).
    env = {"LIVECHAT_HELP_ROOMS": ""}
    with asgi_server(tmp_path, kind="uvicorn", deflate=deflate, env=env) as server:
        sockets = {}
        for name, cookie in cookies.items():
            ws = await websockets.connect(
                f"{server.ws}/ws/rooms/{room.slug}/",
                additional_headers={"Origin": server.http, "Cookie": cookie},
                compression="deflate" if deflate else None,
                open_timeout=10,
            )
            assert bool(ws.protocol.extensions) == deflate
            sockets[name] = ws

        async def events(ws, count: int) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            async with asyncio.timeout(10):
                while len(found) < count:
                    frame = json.loads(await ws.recv())
                    if frame["type"] == "event":
                        found.append(frame)
            return found

        # Written through the sockets: the server's own channel layer carries them.
        await sockets[alice.username].send(
            json.dumps({"type": "message.send", "body": RUDE, "client_id": "r"})
        )
        (created,) = await events(sockets[moderator.username], 1)
        await sockets[moderator.username].send(
            json.dumps(
                {"type": "message.hide", "message_id": created["message"]["id"], "reason": "rude"}
            )
        )
        seen = {
            name: [created, *await events(ws, 1)]
            if name == moderator.username
            else await events(ws, 2)
            for name, ws in sockets.items()
        }
        for ws in sockets.values():
            await ws.close()
    for name, (created, hidden) in seen.items():
        assert [created["event_id"], hidden["event_id"]] == [1, 2]
        assert created["message"]["body"] == RUDE
        expected = RUDE if name == moderator.username else ""
        assert hidden["message"]["body"] == expected, name


async def test_a_room_gets_at_most_one_online_list_per_interval_and_the_newest_one_last(
    room, settings, clock
):
    settings.LIVECHAT_PRESENCE_COALESCE_MS = 1000
    timers: list[tuple[float, Any]] = []
    fanout = RoomFanout(
        get_channel_layer(), schedule=lambda delay, fire: timers.append((delay, fire))
    )
    socket = FakeSocket(1)
    await fanout.join(room, socket)

    def presence(text: str) -> None:
        fanout.dispatch({"type": "room.presence", "room_id": room.pk, "frame": text})

    presence("one")
    assert socket.frames == ["one"], "the first list goes out at once"
    clock.advance(seconds=0.4)
    presence("two")
    presence("three")
    assert socket.frames == ["one"], "held back within the interval"
    assert [delay for delay, _ in timers] == [pytest.approx(0.6)], "one release, when it ends"
    clock.advance(seconds=0.6)
    timers.pop()[1]()
    assert socket.frames == ["one", "three"], "the newest list, once"

    clock.advance(seconds=1)
    presence("four")
    assert socket.frames == ["one", "three", "four"], "a quiet interval later: at once"
    assert not timers
    await fanout.close()
