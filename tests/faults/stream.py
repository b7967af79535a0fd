"""A stream of sends from page-like clients across server processes, with a fault in the
middle; then the proof that nothing was lost: every client holds every message exactly
once and in order, and every acknowledged message is in the database."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Sequence

from .client import PageClient
from .services import AppServer, PostgresCluster


def make_clients(
    servers: Sequence[AppServer], sessions: dict[str, str], room: str
) -> list[PageClient]:
    """One client per session, spread over the servers; a client whose server is gone
    connects to the next one alive (a load balancer's job in production)."""
    clients = []
    for index, (name, session) in enumerate(sessions.items()):
        order = itertools.cycle(
            list(servers[index % len(servers) :]) + list(servers[: index % len(servers)])
        )

        def pick(order=order) -> AppServer:
            for _ in range(len(servers)):
                server = next(order)
                if server.process is not None and server.process.poll() is None:
                    return server
            return server

        current: dict[str, AppServer] = {}

        def url(pick=pick, current=current, room=room) -> str:
            current["server"] = pick()
            return f"{current['server'].ws}/ws/rooms/{room}/"

        def origin(current=current) -> str:
            return current["server"].http

        clients.append(PageClient(url=url, origin=origin, cookie=f"sessionid={session}", name=name))
    return clients


async def until(
    check: Callable[[], bool], *, timeout: float, what: str | Callable[[], str]
) -> float:
    """Poll until ``check`` holds; the seconds it took."""
    started = time.monotonic()
    deadline = started + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what() if callable(what) else what}: not within {timeout} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def stream_with_fault(
    clients: list[PageClient],
    *,
    per_client: int,
    fault: Callable[[], Awaitable[None]],
    fault_after: int,
    pace: float = 0.02,
) -> None:
    for client in clients:
        client.start()
    await until(lambda: all(c.live.is_set() for c in clients), timeout=30, what="all hello")

    async def sender(client: PageClient) -> None:
        for number in range(per_client):
            client.submit(f"{client.name} #{number}")
            await asyncio.sleep(pace)  # a person typing fast; the load, not a timer

    async def faulty() -> None:
        await until(
            lambda: sum(len(c.acked) for c in clients) >= fault_after,
            timeout=60,
            what="sends before the fault",
        )
        await fault()

    await asyncio.gather(*(sender(c) for c in clients), faulty())


async def settle(clients: list[PageClient], total: int, *, timeout: float = 90) -> float:
    """Wait until every outbox is empty and every client holds ``total`` events."""
    return await until(
        lambda: all(not c.outbox and c.last_event_id == total for c in clients),
        timeout=timeout,
        what=lambda: (
            "every send acknowledged and every event delivered: "
            + ", ".join(
                f"{c.name}: outbox {len(c.outbox)}, last {c.last_event_id}, hellos {c.hellos}, "
                f"closes {c.closes}, errors {c.errors}"
                for c in clients
            )
        ),
    )


def assert_nothing_lost(
    clients: list[PageClient], total: int, postgres: PostgresCluster, room: str
) -> None:
    everything = list(range(1, total + 1))
    first = clients[0].message_ids
    for client in clients:
        assert not client.errors, client.errors
        assert client.applied == everything, f"{client.name} applied out of order or twice"
        assert client.duplicates == 0, f"{client.name} was sent {client.duplicates} duplicates"
        assert client.resyncs == 0
        assert client.message_ids == first  # the same messages, in the same order
        assert not client.refused, client.refused
    acked = {message_id for c in clients for message_id in c.acked.values()}
    assert acked == set(first)
    in_db = postgres.count(
        "SELECT count(*) FROM livechat_message m JOIN livechat_room r ON r.id = m.room_id "
        f"WHERE r.slug = '{room}'"
    )
    assert in_db == total == len(acked)
