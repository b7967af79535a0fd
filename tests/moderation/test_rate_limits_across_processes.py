"""Rate limits are counted in Redis: two server processes share one budget."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from tests.conftest import session_cookie
from tests.servers import asgi_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.redis,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="several processes need a shared store: set REDIS_URL (CI does)",
    ),
]


async def send_and_answer(server, cookie: str, body: str) -> dict:
    async with websockets.connect(
        f"{server.ws}/ws/rooms/help-desk/",
        additional_headers={"Origin": server.http, "Cookie": cookie},
        open_timeout=10,
    ) as socket:
        await socket.send(json.dumps({"type": "message.send", "body": body, "client_id": body}))
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await socket.recv())
                if frame["type"] in ("ack", "error"):
                    return frame


async def test_two_processes_count_against_one_budget(alice, room, tmp_path):
    cookie = await database_sync_to_async(session_cookie)(alice)
    env = {"LIVECHAT_RATE_LIMIT_NEW_COUNT": "3", "LIVECHAT_RATE_LIMIT_NEW_WINDOW": "60"}
    with asgi_server(tmp_path, env=env) as one, asgi_server(tmp_path, env=env) as two:
        answers = [
            await send_and_answer(server, cookie, f"m{i}")
            for i, server in enumerate([one, two, one, two])
        ]
    assert [a["type"] for a in answers] == ["ack", "ack", "ack", "error"]
    assert answers[3]["code"] == "rate_limited"
    assert "at most 3 every 60 seconds" in answers[3]["detail"]
