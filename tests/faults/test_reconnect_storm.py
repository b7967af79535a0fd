"""A reconnect storm: 2,000 page-like sockets on one server process, the process restarted
on the same port, every socket back (the page's backoff and jitter), resumed and live
within the time docs/operations.md states, and /healthz answering all along."""

from __future__ import annotations

import asyncio
import os
import resource
import time
import urllib.request
from pathlib import Path

import pytest

from accounts.roles import MENTORS

from .client import PageClient
from .services import PRODUCTION_WS, app_servers, seed_rooms
from .stream import until

pytestmark = [pytest.mark.faults, pytest.mark.storm]

ROOMS = 100
PER_ROOM = 20  # people per room, one socket each: 2,000 sockets
SOCKETS = ROOMS * PER_ROOM
# docs/operations.md, "Faults": measured on this machine (2 cores shared with other work,
# load 1.7-4), all 2,000 back 16-20 s after the restarted server listens (22-26 s after
# its SIGTERM), the server busy on one core meanwhile (~8 ms of CPU per reconnect and
# resume); the test allows 3 times the slower figure.
BACK_WITHIN = 60.0
# /healthz during the storm: measured at most 0.3-0.5 s; allowed 6 times the slower.
HEALTHZ_WITHIN = 3.0


def raise_open_files(needed: int) -> None:
    """Clients and the server (a child: it inherits the limit) each hold a descriptor per
    socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(hard, max(needed, soft))
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        pytest.fail(f"the storm needs {needed} open files; the hard limit allows {soft}")


def diagnose(clients: list[PageClient]) -> str:
    from collections import Counter

    return (
        f"last ids {Counter(c.last_event_id for c in clients)}, "
        f"refused {[e for c in clients for e in c.refused.values()][:3]}, "
        f"outboxes {sum(len(c.outbox) for c in clients)}, errors "
        f"{[e for c in clients for e in c.errors][:3]}, "
        f"closes {Counter(x for c in clients for x in c.closes)}"
    )


def server_cpu(server) -> float:
    """The server process' CPU seconds (user and system) so far."""
    assert server.process is not None
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def healthz_seconds(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"{url}/healthz", timeout=30) as response:
        assert response.status == 200
        response.read()
    return time.monotonic() - started


async def test_2000_sockets_all_come_back_after_a_restart(
    fault_env: dict[str, str], workdir: Path
) -> None:
    raise_open_files(SOCKETS * 2 + 500)
    # Production mode: DEBUG off (no query log kept per request), as `make serve` runs.
    env = {**fault_env, "DEBUG": "0", "SECRET_KEY": "storm-" * 8, "LIVECHAT_STATIC_MANIFEST": "0"}
    rooms = [f"storm-{number}" for number in range(ROOMS)]
    people = [f"p{number:02d}" for number in range(PER_ROOM)]
    # Helpers, exempt from rate limits: one person sends in many rooms here.
    sessions = seed_rooms(env, rooms, {name: [MENTORS] for name in people})
    with app_servers(env, workdir, count=1, extra=PRODUCTION_WS) as servers:
        server = servers[0]
        clients = [
            PageClient(
                url=lambda room=room: f"{server.ws}/ws/rooms/{room}/",
                origin=lambda: server.http,
                cookie=f"sessionid={sessions[name]}",
                name=f"{room}/{name}",
            )
            for room in rooms
            for name in people
        ]
        by_room = {room: clients[i * PER_ROOM : (i + 1) * PER_ROOM] for i, room in enumerate(rooms)}
        try:
            # The starting point, in batches of 100: what is under test is the storm after
            # the restart, not 2,000 first connects at once with no backoff to spread them
            # (which CI's busier runs did not always get through within two minutes).
            started = time.monotonic()
            for first in range(0, SOCKETS, 100):
                batch = clients[first : first + 100]
                for client in batch:
                    client.start()
                await until(
                    lambda batch=batch: all(c.live.is_set() for c in batch), timeout=60,
                    what=lambda: f"{sum(c.live.is_set() for c in clients)} of {SOCKETS} connected",
                )  # fmt: skip
            connected = time.monotonic() - started
            # One message in every room, seen by everyone in it: the starting point.
            for room in rooms:
                by_room[room][0].submit(f"before {room}")
            await until(
                lambda: all(c.last_event_id == 1 for c in clients), timeout=60,
                what=lambda: f"first: {diagnose(clients)}",
            )  # fmt: skip

            # The restart: SIGTERM (uvicorn closes every socket 1012), then the same port.
            stopped_at = time.monotonic()
            await asyncio.to_thread(server.stop)
            await until(
                lambda: not any(c.live.is_set() for c in clients), timeout=30, what="all lost"
            )
            await asyncio.to_thread(server.start)
            cpu_at_listening = server_cpu(server), own_cpu()

            probes: list[float] = []

            async def probe() -> None:
                while True:
                    probes.append(await asyncio.to_thread(healthz_seconds, server.http))
                    await asyncio.sleep(0.1)

            prober = asyncio.create_task(probe())
            try:
                back = await until(
                    lambda: all(c.hellos == 2 and c.live.is_set() for c in clients),
                    timeout=BACK_WITHIN,
                    what=lambda: (
                        f"{sum(c.hellos == 2 for c in clients)} of {SOCKETS} back "
                        f"(connect attempts {sum(c.connects for c in clients)}): "
                        + diagnose(clients)
                    ),
                )
            finally:
                prober.cancel()
            outage = time.monotonic() - stopped_at
            server_seconds = server_cpu(server) - cpu_at_listening[0]
            test_seconds = own_cpu() - cpu_at_listening[1]

            # Back and live: a message in every room reaches everyone in it, once.
            for room in rooms:
                by_room[room][1].submit(f"after {room}")
            await until(
                lambda: all(c.last_event_id == 2 for c in clients), timeout=60, what="after"
            )
        finally:
            await asyncio.gather(*(c.stop() for c in clients))

        attempts = sum(c.connects for c in clients) - 2 * SOCKETS
        print(
            f"\n{SOCKETS} sockets: first connect {connected:.1f} s; restart: all back {back:.1f} s "
            f"after listening, {outage:.1f} s after SIGTERM; {attempts} failed attempts; "
            f"/healthz {len(probes)} probes, max {max(probes):.3f} s; CPU meanwhile: server "
            f"{server_seconds:.1f} s, clients {test_seconds:.1f} s; "
            f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"test {time.monotonic() - started:.1f} s"
        )
        for client in clients:
            assert not client.errors, client.errors
            assert client.applied == [1, 2] and client.duplicates == 0 and client.resyncs == 0
        assert len(probes) >= 1
        assert max(probes) < HEALTHZ_WITHIN, sorted(probes)[-5:]
