"""Persisted sends/s through the socket, and the query count of one send.

1. In-process, against PostgreSQL: one ``actions.send_message`` under
   ``CaptureQueriesContext`` (every statement, BEGIN and COMMIT included), and the
   mean time of a send on one thread.
2. Through the socket: for each server in ``--servers``, K senders in one room, each
   sending the next ``message.send`` as soon as its ``ack`` comes back, for ``--duration``
   seconds; reports acks/s and ack latency.

    .venv/bin/python bench/send_bench.py --servers daphne,uvicorn --senders 1,4,16
    .venv/bin/python bench/send_bench.py --servers uvicorn --processes 1,2 --rooms 8 \
        --listeners 25 --senders 32     # sends while fanning out, one process and two
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benv import setup_django, username  # noqa: E402
from bench.loadgen import (  # noqa: E402
    Client,
    Target,
    event_loop_factory,
    login_all,
    open_client,
    percentile,
    raise_fd_limit,
)
from bench.servers import PORTS, running  # noqa: E402

ROOM = "bench-room-48"


# --- in-process ----------------------------------------------------------------------------


def query_count(samples: int = 200) -> dict[str, object]:
    """Statements of one send, and the mean in-process time of a send (one thread)."""
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.backends import RolesModelBackend
    from accounts.models import User
    from livechat import actions
    from livechat.models import Room

    # Loaded as a signed-in socket loads it: with its role flags.
    user = RolesModelBackend().get_user(User.objects.get(username=username(0)).pk)
    room = Room.objects.get(slug=ROOM)

    def send() -> None:
        actions.send_message(
            user=user, room=room, body="query count probe", client_id=secrets.token_hex(8)
        )

    send()  # warm connection and caches
    with CaptureQueriesContext(connection) as captured:
        send()
    started = time.perf_counter()
    for _ in range(samples):
        send()
    mean_ms = (time.perf_counter() - started) / samples * 1000
    return {
        "queries": len(captured.captured_queries),
        "statements": [q["sql"][:100] for q in captured.captured_queries],
        "in_process_ms_per_send": round(mean_ms, 2),
    }


# --- through the socket --------------------------------------------------------------------


@dataclass
class SendResult:
    server: str
    processes: int
    rooms: int
    listeners: int
    senders: int
    duration: float
    acked: int
    errors: int
    sends_per_s: float
    ack_p50_ms: float
    ack_p99_ms: float
    # The server processes' CPU (user + system, all threads) while the senders ran, per
    # acknowledged send: less noisy than sends/s on a shared machine, and what bounds a
    # process once it is busy.
    server_cpu_ms_per_send: float = 0.0
    # The rest of the machine's CPU per send, in the same window: PostgreSQL (all its
    # processes), Redis, and this load generator. Together with the server's, what one
    # send costs the machine, and so how far more processes can scale on it.
    postgres_cpu_ms_per_send: float = 0.0
    redis_cpu_ms_per_send: float = 0.0
    client_cpu_ms_per_send: float = 0.0
    # What the listeners received of what was acknowledged, by the end of the run: a
    # send acked faster than it is fanned out is not a faster system, only a queue.
    listener_deliveries_pct: float = 0.0


async def closed_loop(client: Client, deadline: float, latencies: list[int]) -> tuple[int, int]:
    """Send, wait for this send's ack, repeat until the deadline. Returns (acked, errors)."""
    acked = errors = 0
    while time.monotonic() < deadline:
        key = secrets.token_hex(8)
        started = time.perf_counter_ns()
        await client.ws.send(
            json.dumps({"type": "message.send", "body": f"send bench {key}", "client_id": key})
        )
        while True:
            frame = await client.ws.recv()
            if not isinstance(frame, str) or key not in frame:
                continue  # room events and presence for everyone else's sends
            if frame.startswith('{"type":"ack"'):
                acked += 1
                latencies.append(time.perf_counter_ns() - started)
            elif frame.startswith('{"type":"error"'):
                errors += 1
            else:
                continue  # our own message.created event carries the key too
            break
    return acked, errors


def room_of(index: int, rooms: int) -> str:
    """Sender ``index``'s room: bench-room-48, then 47, 46, ... when ``rooms`` > 1."""
    return f"bench-room-{48 - index % rooms}"


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system, all its threads), from /proc; 0 for
    one that is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pids_named(name: str) -> list[int]:
    """Every process whose command name is ``name`` (PostgreSQL's backends, Redis)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_snapshot(servers: Sequence[int]) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each process of each part of the machine."""
    parts = {
        "server": list(servers),
        "postgres": pids_named("postgres"),
        "redis": pids_named("redis-server"),
        "client": [os.getpid()],
    }
    return {part: {pid: cpu_seconds(pid) for pid in pids} for part, pids in parts.items()}


def cpu_used(before: dict[str, dict[int, float]], servers: Sequence[int]) -> dict[str, float]:
    """CPU seconds each part used since ``before`` (a process born since counts whole)."""
    after = cpu_snapshot(servers)
    return {
        part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items())
        for part in after
    }


async def measure_sends(
    label: str,
    targets: list[Target],
    sessions: list[str | None],
    senders: int,
    duration: float,
    *,
    rooms: int = 1,
    listeners: int = 0,
    pids: Sequence[int] = (),
) -> SendResult:
    """Sender i talks to server i mod len(targets), in room i mod ``rooms``; each room
    also has ``listeners`` sockets that only read (spread over the servers), so that the
    server fans out what it persists."""
    clients = await asyncio.gather(
        *(
            open_client(
                targets[i % len(targets)], room_of(i, rooms), sessions[i % len(sessions)], i, 0
            )
            for i in range(senders)
        )
    )
    readers = await asyncio.gather(
        *(
            open_client(
                targets[i % len(targets)], room_of(i, rooms), sessions[i % len(sessions)], i, 0
            )
            for i in range(listeners * rooms)
        )
    )
    received = [0]
    drains = [asyncio.create_task(drain(r, received)) for r in readers]
    latencies: list[int] = []
    cpu_before = cpu_snapshot(pids)
    started = time.monotonic()
    deadline = started + duration
    outcomes = await asyncio.gather(*(closed_loop(c, deadline, latencies) for c in clients))
    elapsed = time.monotonic() - started
    used = cpu_used(cpu_before, pids)
    for task in drains:
        task.cancel()
    await asyncio.gather(*drains, return_exceptions=True)
    await asyncio.gather(*(c.ws.close() for c in [*clients, *readers]))
    latencies.sort()
    acked = sum(a for a, _ in outcomes)
    return SendResult(
        server=label,
        processes=len(targets),
        rooms=rooms,
        listeners=listeners,
        senders=senders,
        duration=round(elapsed, 1),
        acked=acked,
        errors=sum(e for _, e in outcomes),
        sends_per_s=round(acked / elapsed, 1),
        ack_p50_ms=round(percentile(latencies, 0.5), 1),
        ack_p99_ms=round(percentile(latencies, 0.99), 1),
        server_cpu_ms_per_send=round(1000 * used["server"] / max(acked, 1), 2),
        postgres_cpu_ms_per_send=round(1000 * used["postgres"] / max(acked, 1), 2),
        redis_cpu_ms_per_send=round(1000 * used["redis"] / max(acked, 1), 2),
        client_cpu_ms_per_send=round(1000 * used["client"] / max(acked, 1), 2),
        # Every room has the same senders when --senders is a multiple of --rooms.
        listener_deliveries_pct=round(100 * received[0] / max(acked * listeners, 1), 1),
    )


async def drain(client: Client, received: list[int]) -> None:
    """Read everything a listener receives, counting the new messages."""
    with contextlib.suppress(Exception):
        async for frame in client.ws:
            if isinstance(frame, str) and '"message.created"' in frame:
                received[0] += 1


async def socket_benchmarks(args: argparse.Namespace) -> list[SendResult]:
    results: list[SendResult] = []
    sessions: list[str | None] | None = None
    counts = [int(k) for k in args.senders.split(",")]
    for repeat in range(args.repeat):
        for kind in args.servers.split(","):
            for processes in [int(p) for p in args.processes.split(",")]:
                with contextlib.ExitStack() as stack:
                    servers = [
                        stack.enter_context(
                            running(kind, args.layer, port=PORTS[kind] + n, variant=args.variant)
                        )
                        for n in range(processes)
                    ]
                    targets = [Target.parse(server.url) for server in servers]
                    if sessions is None:
                        sessions = list(await login_all(targets[0], max(max(counts), 20)))
                    for senders in counts:
                        result = await measure_sends(
                            servers[0].label,
                            targets,
                            sessions,
                            senders,
                            args.duration,
                            rooms=args.rooms,
                            listeners=args.listeners,
                            pids=[server.pid for server in servers],
                        )
                        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                        print(
                            f"[{repeat}] {asdict(result)} (load average {load})",
                            file=sys.stderr,
                            flush=True,
                        )
                        results.append(result)
    return results


def median_table(results: list[SendResult]) -> list[str]:
    lines = [
        "| server | processes | rooms | listeners per room | senders | persisted sends/s "
        "| ack p50 ms | ack p99 ms | CPU ms per send: server · PostgreSQL · Redis · client "
        "| listeners received | errors | runs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]

    def key(r: SendResult) -> tuple[str, int, int, int, int]:
        return (r.server, r.processes, r.rooms, r.listeners, r.senders)

    for server, processes, rooms, listeners, senders in dict.fromkeys(key(r) for r in results):
        rows = [r for r in results if key(r) == (server, processes, rooms, listeners, senders)]
        lines.append(
            f"| {server} | {processes} | {rooms} | {listeners} | {senders} "
            f"| {statistics.median(r.sends_per_s for r in rows):,.0f} "
            f"| {statistics.median(r.ack_p50_ms for r in rows):g} "
            f"| {statistics.median(r.ack_p99_ms for r in rows):g} "
            f"| {statistics.median(r.server_cpu_ms_per_send for r in rows):.2f} · "
            f"{statistics.median(r.postgres_cpu_ms_per_send for r in rows):.2f} · "
            f"{statistics.median(r.redis_cpu_ms_per_send for r in rows):.2f} · "
            f"{statistics.median(r.client_cpu_ms_per_send for r in rows):.2f} "
            f"| {min(r.listener_deliveries_pct for r in rows):g} % "
            f"| {sum(r.errors for r in rows)} | {len(rows)} |"
        )
    return lines


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--servers", default="uvicorn")
    parser.add_argument("--layer", default="pubsub", choices=["pubsub", "core"])
    parser.add_argument("--senders", default="1,4,16", help="comma-separated sender counts")
    parser.add_argument(
        "--processes", default="1", help="server processes (comma-separated counts), ports 8102+"
    )
    parser.add_argument("--rooms", type=int, default=1, help="rooms the senders spread over")
    parser.add_argument(
        "--listeners", type=int, default=0, help="reading sockets per room (fan-out load)"
    )
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variant", default="", help="candidate server change (bench/variants.py)")
    parser.add_argument("--skip-socket", action="store_true")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    raise_fd_limit()
    probe = query_count()
    print(f"queries per send: {probe['queries']}")
    for statement in probe["statements"]:  # type: ignore[union-attr]
        print(f"    {statement}")
    print(f"in-process time per send (one thread): {probe['in_process_ms_per_send']} ms")
    if args.skip_socket:
        return
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        results = runner.run(socket_benchmarks(args))
    print("\n".join(median_table(results)))


if __name__ == "__main__":
    main()
