"""Memory per idle socket: open 2,000 authenticated sockets to one server process and read
its resident set size (/proc/<pid>/status VmRSS) before and after.

The sockets are spread over the 50 bench rooms (40 each) and share 200 signed-in
accounts, like users with several tabs. Every socket waits for its ``hello`` and then stays
idle (no keepalive pings from the client) for ``--settle`` seconds before the second reading.

    .venv/bin/python bench/idle_sockets.py --servers daphne,uvicorn --sockets 2000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benv import ROOM_COUNT  # noqa: E402
from bench.loadgen import (  # noqa: E402
    Scenario,
    Target,
    close_all,
    event_loop_factory,
    login_all,
    open_clients,
    raise_fd_limit,
)
from bench.servers import Server, rss_kib, running  # noqa: E402

ACCOUNTS = 200


@dataclass(frozen=True)
class Footprint:
    server: str
    sockets: int
    rss_before_kib: int
    rss_after_kib: int
    rss_closed_kib: int
    connect_s: float
    failed: int
    # Tracebacks in the server's log (the mass connect and disconnect are a stress test).
    server_errors: int

    @property
    def kib_per_socket(self) -> float:
        return (self.rss_after_kib - self.rss_before_kib) / self.sockets


async def warm_up(target: Target, sessions: list[str | None]) -> None:
    """One socket first, so that lazy imports and connection pools are not counted as
    the cost of the 2,000."""
    scenario = Scenario(rooms=1, clients_per_room=1, senders=0, rates=(1,), duration=0)
    clients, _ = await open_clients(target, scenario, sessions)
    await close_all(clients, [])


async def measure(
    server: Server, sessions: list[str | None], sockets: int, settle: float
) -> Footprint:
    target = Target.parse(server.url)
    await warm_up(target, sessions)
    await asyncio.sleep(settle)
    before = rss_kib(server.pid)
    scenario = Scenario(
        rooms=ROOM_COUNT, clients_per_room=sockets // ROOM_COUNT, senders=0, rates=(1,), duration=0
    )
    started = time.monotonic()
    clients, failures = await open_clients(target, scenario, sessions)
    connect_s = time.monotonic() - started
    await asyncio.sleep(settle)
    after = rss_kib(server.pid)
    await close_all(clients, [])
    await asyncio.sleep(settle)
    return Footprint(
        server_errors=server.log.read_text(errors="replace").count("Traceback"),
        server=server.label,
        sockets=len(clients),
        failed=len(failures),
        rss_before_kib=before,
        rss_after_kib=after,
        rss_closed_kib=rss_kib(server.pid),
        connect_s=round(connect_s, 1),
    )


async def run(args: argparse.Namespace) -> list[Footprint]:
    sessions: list[str | None] | None = None
    results: list[Footprint] = []
    for repeat in range(args.repeat):
        for kind in args.servers.split(","):
            with running(kind, args.layer, variant=args.variant) as server:
                if sessions is None:
                    sessions = list(
                        await login_all(Target.parse(server.url), min(ACCOUNTS, args.sockets))
                    )
                result = await measure(server, sessions, args.sockets, args.settle)
                print(
                    f"[{repeat}] {result} -> {result.kib_per_socket:.1f} KiB/socket",
                    file=sys.stderr,
                )
                results.append(result)
    return results


def table(results: list[Footprint]) -> list[str]:
    lines = [
        "| server | sockets | RSS before MiB | RSS with sockets MiB | KiB/socket (median) "
        "| RSS after close MiB | connect s | failed | server tracebacks | runs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in dict.fromkeys(r.server for r in results):
        rows = [r for r in results if r.server == label]
        lines.append(
            f"| {label} | {rows[0].sockets} "
            f"| {statistics.median(r.rss_before_kib for r in rows) / 1024:.0f} "
            f"| {statistics.median(r.rss_after_kib for r in rows) / 1024:.0f} "
            f"| {statistics.median(r.kib_per_socket for r in rows):.1f} "
            f"| {statistics.median(r.rss_closed_kib for r in rows) / 1024:.0f} "
            f"| {statistics.median(r.connect_s for r in rows):g} "
            f"| {sum(r.failed for r in rows)} | {sum(r.server_errors for r in rows)} "
            f"| {len(rows)} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--servers", default="daphne,uvicorn")
    parser.add_argument("--layer", default="pubsub", choices=["pubsub", "core"])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before reading RSS")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variant", default="", help="candidate server change (bench/variants.py)")
    args = parser.parse_args()
    raise_fd_limit()  # the client holds one descriptor per socket too
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        results = runner.run(run(args))
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
