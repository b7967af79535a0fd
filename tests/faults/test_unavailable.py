"""During an outage of the database or Redis a write that cannot be taken gets a clear,
retryable answer: HTTP 503 with {"error": {"code": "unavailable", ...}} and Retry-After,
an `error` frame with that code on the socket (which stays open), a handshake answered
with that frame and a close "try again later" — never a bare 500 page or a silent drop.
The real services are stopped; nothing is mocked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import requests
import websockets

from .services import PostgresCluster, RedisServer, app_servers, seed

ROOM = "outage-room"


def headers(server, session: str, csrf: str = "faultstest" * 3 + "ok") -> dict:
    return {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Origin": server.http,
        "Referer": server.http + "/",
        "Content-Type": "application/json",
    }


async def open_socket(server, session: str):
    socket = await websockets.connect(
        f"{server.ws}/ws/rooms/{ROOM}/",
        additional_headers={"Origin": server.http, "Cookie": f"sessionid={session}"},
        open_timeout=20,
    )
    return socket


async def next_frame(socket, kind: str, timeout: float = 20) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind:
                return frame


def assert_unavailable_http(response: requests.Response) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Retry-After"] == "1"
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert error["retry_after"] == 1
    assert "Try again" in error["detail"]


@pytest.mark.faults
async def test_it_answers_unavailable_while_the_database_is_down(
    fault_env: dict[str, str], postgres: PostgresCluster, workdir: Path
) -> None:
    sessions = seed(fault_env, ROOM, {"Nina": []})
    with app_servers(fault_env, workdir, count=1) as (server,):
        socket = await open_socket(server, sessions["Nina"])
        await next_frame(socket, "hello")
        postgres.stop()
        try:
            response = await asyncio.to_thread(
                requests.post,
                f"{server.http}/api/rooms/{ROOM}/messages/",
                json={"body": "hello", "client_id": "db-1"},
                headers=headers(server, sessions["Nina"]),
                timeout=20,
            )
            assert_unavailable_http(response)
            # A page: a short one that says so, not a 500.
            page = await asyncio.to_thread(
                requests.get,
                f"{server.http}/rooms/{ROOM}/",
                headers={"Cookie": f"sessionid={sessions['Nina']}"},
                timeout=20,
            )
            assert page.status_code == 503
            assert page.headers["Retry-After"] == "1"
            assert "unavailable for a moment" in page.text
            assert page.headers["Content-Type"].startswith("text/html")

            # The open socket: an error frame answering the send, and it stays open.
            await socket.send(
                json.dumps({"type": "message.send", "body": "hi", "client_id": "db-2"})
            )
            error = await next_frame(socket, "error")
            assert error["code"] == "unavailable"
            assert error["client_id"] == "db-2"
            assert error["retry_after"] == 1
            await socket.send(json.dumps({"type": "typing"}))  # still open: no close
            assert socket.close_code is None

            # A new socket: its handshake cannot read the session; it is accepted, told,
            # and closed "try again later" (1013), which the page answers by reconnecting.
            fresh = await open_socket(server, sessions["Nina"])
            error = await next_frame(fresh, "error")
            assert error["code"] == "unavailable"
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await asyncio.wait_for(fresh.recv(), 20)
            assert fresh.close_code == 1013
        finally:
            postgres.start()

        # Back: the same socket sends (the kept connection was replaced: health checks),
        # and the retried client_id is taken once.
        for _ in range(2):
            await socket.send(
                json.dumps({"type": "message.send", "body": "hi", "client_id": "db-2"})
            )
            ack = await next_frame(socket, "ack")
            assert ack["client_id"] == "db-2"
        await socket.close()
    assert postgres.count("SELECT count(*) FROM livechat_message WHERE client_id = 'db-2'") == 1


@pytest.mark.faults
async def test_it_answers_unavailable_while_redis_is_down(
    fault_env: dict[str, str], redis_server: RedisServer, postgres: PostgresCluster, workdir: Path
) -> None:
    sessions = seed(fault_env, ROOM, {"Omar": []})
    with app_servers(fault_env, workdir, count=1) as (server,):
        socket = await open_socket(server, sessions["Omar"])
        await next_frame(socket, "hello")
        redis_server.stop()
        try:
            # The rate limit cannot be counted: the send is postponed, never let through
            # uncounted and never a 500.
            response = await asyncio.to_thread(
                requests.post,
                f"{server.http}/api/rooms/{ROOM}/messages/",
                json={"body": "hello", "client_id": "r-1"},
                headers=headers(server, sessions["Omar"]),
                timeout=20,
            )
            assert_unavailable_http(response)
            await socket.send(
                json.dumps({"type": "message.send", "body": "hi", "client_id": "r-2"})
            )
            error = await next_frame(socket, "error")
            assert (error["code"], error["client_id"]) == ("unavailable", "r-2")

            fresh = await open_socket(server, sessions["Omar"])
            error = await next_frame(fresh, "error")
            assert error["code"] == "unavailable"
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await asyncio.wait_for(fresh.recv(), 20)
            assert fresh.close_code == 1013
        finally:
            redis_server.start()
        await socket.close()
    assert postgres.count("SELECT count(*) FROM livechat_message WHERE client_id LIKE 'r-%'") == 0
