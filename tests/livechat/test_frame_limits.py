"""The real ASGI server refuses an oversized frame from its header, before buffering it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import websockets
from channels.db import database_sync_to_async

from tests.conftest import session_cookie
from tests.servers import asgi_server

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_LIMIT = 65536


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def connect(server, cookie):
    socket = await websockets.connect(
        f"{server.ws}/ws/rooms/help-desk/",
        additional_headers={"Origin": server.http, "Cookie": cookie},
        max_size=None,
        open_timeout=10,
    )
    assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "hello"
    return socket


async def test_an_oversized_frame_closes_the_socket_without_growing_memory(alice, room, tmp_path):
    cookie = await database_sync_to_async(session_cookie)(alice)
    env = {"LIVECHAT_MAX_FRAME_BYTES": str(FRAME_LIMIT)}
    with asgi_server(tmp_path, env=env) as server:
        warm = await connect(server, cookie)
        await warm.close()
        before = rss_kib(server.process.pid)

        # Over the chat's limit, under daphne's default (1 MiB): only our setting refuses it.
        huge = "x" * (FRAME_LIMIT * 12)
        for _ in range(10):
            socket = await connect(server, cookie)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.send(huge)
                async with asyncio.timeout(10):
                    while True:  # skip presence chatter until the server hangs up
                        assert json.loads(await socket.recv())["type"] == "presence"
            # The server fails the connection with 1009 ("message too big") and drops it
            # while the client is still writing, so the close frame may not get through.
            received = closed.value.rcvd
            assert received is None or received.code == 1009

        grown_mib = (rss_kib(server.process.pid) - before) / 1024
        # Refused from the header, the payloads (7.5 MiB in all) are never buffered.
        assert grown_mib < 4, f"server grew by {grown_mib:.1f} MiB"

        # The server still serves everyone else.
        socket = await connect(server, cookie)
        await socket.send(json.dumps({"type": "message.send", "body": "still fine"}))
        async with asyncio.timeout(10):
            while json.loads(await socket.recv())["type"] != "ack":
                pass
        await socket.close()
