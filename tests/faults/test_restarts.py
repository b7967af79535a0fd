"""Redis restarted, PostgreSQL restarted, a server process killed, each in the middle of a
stream of sends from page-like clients on two server processes: every client ends with
every message exactly once and in order, nothing acknowledged is lost, and the servers
recover without a restart of their own."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import websockets

from accounts.roles import MENTORS

from .services import PostgresCluster, RedisServer, app_servers, seed
from .stream import assert_nothing_lost, make_clients, settle, stream_with_fault, until

pytestmark = pytest.mark.faults

PER_CLIENT = 25
NAMES = ["Ann", "Ben", "Cat", "Dan"]


def mentors() -> dict[str, list[str]]:
    # Helpers are exempt from rate limits: the stream is not slowed by them.
    return {name: [MENTORS] for name in NAMES}


async def hello_online(server, session: str, room: str) -> list[str]:
    async with websockets.connect(
        f"{server.ws}/ws/rooms/{room}/",
        additional_headers={"Origin": server.http, "Cookie": f"sessionid={session}"},
        open_timeout=20,
    ) as socket:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 20))
    if frame["type"] != "hello":
        return []
    return [user["username"] for user in frame["online"]]


async def test_it_loses_nothing_when_redis_restarts_mid_stream(
    fault_env: dict[str, str], redis_server: RedisServer, postgres: PostgresCluster, workdir: Path
) -> None:
    room = "redis-restart"
    env = {
        **fault_env,
        "LIVECHAT_PRESENCE_TTL": "3",
        "LIVECHAT_RATE_LIMIT_COUNT": "3",
        "LIVECHAT_RATE_LIMIT_NEW_COUNT": "3",
    }
    sessions = seed(env, room, {**mentors(), "Newt": [], "Probe": []})
    with app_servers(env, workdir) as servers:
        clients = make_clients(servers, {n: sessions[n] for n in NAMES}, room)

        async def restart_redis() -> None:
            await asyncio.to_thread(redis_server.stop)
            # Down until a send has been answered "unavailable" (the blocks cache is in
            # Redis), then back: an empty Redis, as after a restart without persistence.
            await until(
                lambda: any(c.unavailable_errors for c in clients),
                timeout=30,
                what="a send answered unavailable",
            )
            await asyncio.to_thread(redis_server.start)

        try:
            await stream_with_fault(
                clients, per_client=PER_CLIENT, fault=restart_redis, fault_after=20
            )
            total = PER_CLIENT * len(clients)
            await settle(clients, total)
            assert_nothing_lost(clients, total, postgres, room)

            # Presence recovers: the sockets' heartbeats write it again into the empty Redis.
            online: list[str] = []
            for _ in range(200):
                online = await hello_online(servers[1], sessions["Probe"], room)
                if set(NAMES) <= set(online):
                    break
            assert set(NAMES) <= set(online), online

            # Rate limits recover: counted again, in the new Redis.
            newt = make_clients(servers, {"Newt": sessions["Newt"]}, room)[0]
            newt.start()
            await until(newt.live.is_set, timeout=30, what="Newt's hello")
            for number in range(4):
                newt.submit(f"newt {number}")
            await until(
                lambda: len(newt.acked) + len(newt.refused) == 4, timeout=30, what="Newt answered"
            )
            assert len(newt.acked) == 3
            assert [e["code"] for e in newt.refused.values()] == ["rate_limited"]
            await newt.stop()
        finally:
            for client in clients:
                await client.stop()


async def test_it_loses_nothing_when_postgresql_restarts_mid_stream(
    fault_env: dict[str, str], postgres: PostgresCluster, workdir: Path
) -> None:
    room = "pg-restart"
    sessions = seed(fault_env, room, mentors())
    with app_servers(fault_env, workdir) as servers:
        clients = make_clients(servers, sessions, room)

        async def restart_postgres() -> None:
            await asyncio.to_thread(postgres.stop)
            await until(
                lambda: any(c.unavailable_errors for c in clients),
                timeout=30,
                what="a send answered unavailable",
            )
            await asyncio.to_thread(postgres.start)

        try:
            await stream_with_fault(
                clients, per_client=PER_CLIENT, fault=restart_postgres, fault_after=20
            )
            total = PER_CLIENT * len(clients)
            await settle(clients, total)
            assert_nothing_lost(clients, total, postgres, room)
            # The outbox did its work: sends were postponed, then taken once each.
            assert sum(c.unavailable_errors for c in clients) > 0
            # The same server processes, never restarted.
            assert all(s.process is not None and s.process.poll() is None for s in servers)
        finally:
            for client in clients:
                await client.stop()


async def test_it_loses_nothing_when_a_server_process_is_killed(
    fault_env: dict[str, str], postgres: PostgresCluster, workdir: Path
) -> None:
    room = "kill-server"
    sessions = seed(fault_env, room, mentors())
    with app_servers(fault_env, workdir) as servers:
        clients = make_clients(servers, sessions, room)

        async def kill_one() -> None:
            await asyncio.to_thread(servers[0].kill)

        try:
            await stream_with_fault(clients, per_client=PER_CLIENT, fault=kill_one, fault_after=20)
            total = PER_CLIENT * len(clients)
            await settle(clients, total)
            assert_nothing_lost(clients, total, postgres, room)
            # Half the clients were on the killed process and came back on the other.
            assert sum(1 for c in clients if c.hellos > 1) >= len(clients) // 2
        finally:
            for client in clients:
                await client.stop()
