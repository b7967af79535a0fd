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


async def test_chat_presence_and_typing_cross_server_processes(alice, bob, room, tmp_path):
    env = {"LIVECHAT_PRESENCE_TTL": "3"}
    alice_cookie = await database_sync_to_async(session_cookie)(alice)
    bob_cookie = await database_sync_to_async(session_cookie)(bob)
    with asgi_server(tmp_path, env=env) as one, asgi_server(tmp_path, env=env) as two:
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
