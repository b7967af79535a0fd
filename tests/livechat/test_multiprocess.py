"""Two real server processes sharing Redis and the database: messages, presence and
typing cross between them, and a killed process's users drop out of the online list."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from livechat.models import Message
from tests.conftest import session_cookie
from tests.servers import asgi_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.redis,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="several processes need a shared channel layer: set REDIS_URL (CI does)",
    ),
]


async def open_ws(server, cookie: str, slug: str = "help-desk"):
    socket = await websockets.connect(
        f"{server.ws}/ws/rooms/{slug}/",
        additional_headers={"Origin": server.http, "Cookie": cookie},
        open_timeout=10,
    )
    hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert hello["type"] == "hello"
    return socket, hello


async def next_of(socket, kind: str, timeout: float = 10) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind:
                return frame


def online(frame: dict) -> list[str]:
    return [user["username"] for user in frame["online"]]


@pytest.mark.parametrize("kind", ["daphne", "uvicorn"])
async def test_chat_presence_and_typing_cross_server_processes(alice, bob, room, tmp_path, kind):
    env = {"LIVECHAT_PRESENCE_TTL": "3"}
    alice_cookie = await database_sync_to_async(session_cookie)(alice)
    bob_cookie = await database_sync_to_async(session_cookie)(bob)
    with (
        asgi_server(tmp_path, env=env, kind=kind) as one,
        asgi_server(tmp_path, env=env, kind=kind) as two,
    ):
        a, _ = await open_ws(one, alice_cookie)
        b, hello = await open_ws(two, bob_cookie)
        assert online(hello) == ["Alice", "Bob"]

        frame = await next_of(a, "presence")
        while "Bob" not in online(frame):
            frame = await next_of(a, "presence")

        await a.send(json.dumps({"type": "message.send", "body": "across", "client_id": "x1"}))
        event = await next_of(b, "event")
        assert event["message"]["body"] == "across"
        assert (await next_of(a, "ack"))["client_id"] == "x1"

        await b.send(json.dumps({"type": "typing"}))
        assert (await next_of(a, "typing"))["user"]["username"] == "Bob"

        # Process one dies without closing its sockets: Alice must drop out of the
        # online list within the presence TTL, pruned by process two.
        one.kill()
        frame = await next_of(b, "presence", timeout=15)
        while "Alice" in online(frame):
            frame = await next_of(b, "presence", timeout=15)
        assert online(frame) == ["Bob"]
        await b.close()
    assert await database_sync_to_async(Message.objects.count)() == 1


async def test_concurrent_sends_through_two_processes_reach_every_socket_in_order(
    alice, bob, room, tmp_path
):
    """Both processes send at once, each from several database threads (core.dbthreads):
    the room's ids stay contiguous, and every socket of either process gets each event
    exactly once, in id order, however Redis interleaves the two processes' publishes
    (livechat.fanout puts them back in order)."""
    # Past the per-person rate limits: this is about order, not about limits.
    env = {
        "LIVECHAT_DB_THREADS": "4",
        "LIVECHAT_RATE_LIMIT_COUNT": "1000",
        "LIVECHAT_RATE_LIMIT_NEW_COUNT": "1000",
    }
    cookies = [await database_sync_to_async(session_cookie)(user) for user in (alice, bob)]
    per_sender, senders_per_process = 15, 2
    with (
        asgi_server(tmp_path, env=env, kind="uvicorn") as one,
        asgi_server(tmp_path, env=env, kind="uvicorn") as two,
    ):
        readers = [
            (await open_ws(server, cookie))[0] for server in (one, two) for cookie in cookies
        ]
        senders = [
            (await open_ws(server, cookies[n % 2]))[0]
            for server in (one, two)
            for n in range(senders_per_process)
        ]
        total = per_sender * len(senders)

        async def send_all(socket, index: int) -> None:
            for seq in range(per_sender):
                frame = {
                    "type": "message.send",
                    "body": f"{index}-{seq}",
                    "client_id": f"{index}-{seq}",
                }
                await socket.send(json.dumps(frame))

        async def events_of(socket) -> list[int]:
            ids: list[int] = []
            while len(ids) < total:
                ids.append((await next_of(socket, "event", timeout=30))["event_id"])
            return ids

        reading = [asyncio.create_task(events_of(s)) for s in readers + senders]
        await asyncio.gather(*(send_all(s, i) for i, s in enumerate(senders)))
        received = await asyncio.gather(*reading)
        for ids in received:
            assert ids == list(range(1, total + 1))
        for socket in readers + senders:
            await socket.close()
    assert await database_sync_to_async(Message.objects.count)() == total
