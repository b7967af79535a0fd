"""WebSocket fan-out load generator for /ws/rooms/<slug>/ (docs/api.md, wire contract v1).

N clients sign in over HTTP (before anything is measured), open one socket each, wait for
``hello``; then ``--senders`` of them send ``message.send`` frames at ``--rate`` messages/s in
total, evenly paced, for ``--duration`` seconds. Every client records every
``message.created`` event it receives; the body carries the step, sender, sequence number and
send time, so latency = receive time - send time on the same machine clock.

    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:8101 \\
        --rooms 1 --clients-per-room 200 --senders 20 --rate 10,20,40 --duration 12

Several comma-separated rates run as a ladder over the same sockets, stopping after the
first step whose p99 passes ``--stop-p99-ms``. The client shares the machine with the
server, so it does as little as possible per frame: a substring test, then one regex.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import re
import resource
import secrets
import string
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benv import PASSWORD, username  # noqa: E402

# The body of every benchmark message: "bench <run> <step> <sender> <seq> <send time ns>".
BODY_RE = re.compile(r'"body":"bench (\w+) (\d+) (\d+) (\d+) (\d+)"')
EVENT_ID_RE = re.compile(r'"event_id":(\d+)')
HELLO_TIMEOUT_S = 60.0
SETTLE_AFTER_CLOSE_S = 5.0


# --- configuration and results -----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the server is, parsed once from --url."""

    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        return cls(host=parts.hostname or "127.0.0.1", port=parts.port or 80)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def socket_url(self, slug: str) -> str:
        return f"ws://{self.host}:{self.port}/ws/rooms/{slug}/"


@dataclass(frozen=True)
class Scenario:
    rooms: int
    clients_per_room: int
    senders: int
    rates: tuple[float, ...]
    duration: float
    slug_prefix: str = "bench-room-"
    drain: float = 10.0
    stop_p99_ms: float = 200.0
    pause: float = 2.0
    # Offer permessage-deflate, as browsers do (the server decides whether to use it).
    deflate: bool = False


@dataclass
class StepResult:
    rate: float
    duration: float
    sent: int = 0
    acked: int = 0
    errors: int = 0
    expected: int = 0
    delivered: int = 0
    duplicated: int = 0
    late: int = 0
    lost: int = 0
    # An event whose id is not above the previous one on the same socket.
    reordered: int = 0
    deliveries_per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    connect_errors: int = 0
    error_samples: list[str] = field(default_factory=list)


# --- signing in ----------------------------------------------------------------------------


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def login_sync(target: Target, user: str, password: str) -> str:
    """Django's login dance; returns the sessionid. Blocking: run it in a thread."""
    conn = http.client.HTTPConnection(target.host, target.port, timeout=120)
    try:
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        response.read()
        # A client may pick its own CSRF secret when the page sets none (a 32-character
        # alphanumeric cookie is all Django checks the form token against).
        alphabet = string.ascii_letters + string.digits
        token = _cookies(response).get("csrftoken") or "".join(
            secrets.choice(alphabet) for _ in range(32)
        )
        form = urlencode({"username": user, "password": password, "csrfmiddlewaretoken": token})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
            "Origin": target.origin,
            "Referer": f"{target.origin}/accounts/login/",
        }
        conn.request("POST", "/accounts/login/", body=form, headers=headers)
        response = conn.getresponse()
        response.read()
        session = _cookies(response).get("sessionid")
        if not session:
            raise RuntimeError(f"login as {user} failed: HTTP {response.status}")
        return session
    finally:
        conn.close()


async def login_all(target: Target, users: int, concurrency: int = 4) -> list[str]:
    """One session per account bench-0..users-1, at most ``concurrency`` logins at once
    (the server hashes passwords on its single sync thread anyway)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> str:
        async with gate:
            return await asyncio.to_thread(login_sync, target, username(index), PASSWORD)

    return list(await asyncio.gather(*(one(i) for i in range(users))))


# --- clients -------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one step observed, across all clients."""

    run: str
    step: int
    latencies_ns: list[int] = field(default_factory=list)
    delivered: int = 0
    duplicated: int = 0
    late: int = 0
    reordered: int = 0
    acked: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    last_rx: float = 0.0


@dataclass
class Client:
    index: int
    room: int
    ws: ClientConnection
    # (sender, seq) pairs seen in the current step, packed into one int.
    seen: set[int] = field(default_factory=set)
    # The newest event id this socket received (ids of a room only grow).
    last_event_id: int = 0


def note_error(tally: Tally, text: str) -> None:
    tally.errors += 1
    if len(tally.error_samples) < 5:
        tally.error_samples.append(text[:300])


def handle_frame(client: Client, text: str, state: dict[str, Tally]) -> None:
    """Count one server frame. Most frames are events; presence frames are skipped
    without parsing (they carry the whole online list)."""
    tally = state["tally"]
    if '"message.created"' in text:
        id_match = EVENT_ID_RE.search(text)
        if id_match is not None:
            event_id = int(id_match.group(1))
            if event_id <= client.last_event_id:
                tally.reordered += 1
            client.last_event_id = max(client.last_event_id, event_id)
        match = BODY_RE.search(text)
        if match is None:
            return
        run, step, sender, seq, sent_ns = match.groups()
        if run != tally.run or int(step) != tally.step:
            tally.late += 1  # a straggler from an earlier step
            return
        key = (int(sender) << 32) | int(seq)
        if key in client.seen:
            tally.duplicated += 1
            return
        client.seen.add(key)
        tally.latencies_ns.append(time.time_ns() - int(sent_ns))
        tally.delivered += 1
        tally.last_rx = time.monotonic()
    elif text.startswith('{"type":"ack"'):
        tally.acked += 1
    elif text.startswith('{"type":"error"') or text.startswith('{"type":"resync"'):
        note_error(tally, text)


async def receive_loop(client: Client, state: dict[str, Tally]) -> None:
    try:
        async for frame in client.ws:
            if isinstance(frame, str):
                handle_frame(client, frame, state)
    except Exception as exc:  # a dropped socket is an error of the run, not a crash
        note_error(state["tally"], f"client {client.index}: {exc!r}")
        return
    if client.ws.close_code not in (None, 1000):
        note_error(state["tally"], f"client {client.index} closed: {client.ws.close_code}")


async def open_client(
    target: Target, slug: str, session: str | None, index: int, room: int, deflate: bool = False
) -> Client:
    headers = {"Origin": target.origin}
    if session is not None:
        headers["Cookie"] = f"sessionid={session}"
    ws = await connect(
        target.socket_url(slug),
        additional_headers=headers,
        compression="deflate" if deflate else None,
        ping_interval=None,  # keepalive pings would only add noise to a short run
        open_timeout=HELLO_TIMEOUT_S,
        max_size=2**22,
    )
    async with asyncio.timeout(HELLO_TIMEOUT_S):
        while True:
            frame = await ws.recv()
            if isinstance(frame, str) and frame.startswith('{"type":"hello"'):
                return Client(index=index, room=room, ws=ws)


async def open_clients(
    target: Target, scenario: Scenario, sessions: Sequence[str | None], concurrency: int = 20
) -> tuple[list[Client], list[str]]:
    """The clients that got their ``hello``, and why the others did not (a refused
    handshake is a result of the run, not a reason to abort it)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> Client:
        room = index % scenario.rooms
        async with gate:
            return await open_client(
                target,
                f"{scenario.slug_prefix}{room}",
                sessions[index % len(sessions)],
                index,
                room,
                scenario.deflate,
            )

    total = scenario.rooms * scenario.clients_per_room
    outcomes = await asyncio.gather(*(one(i) for i in range(total)), return_exceptions=True)
    clients = [o for o in outcomes if isinstance(o, Client)]
    failures = [repr(o)[:300] for o in outcomes if not isinstance(o, Client)]
    return clients, failures


# --- a measured step -----------------------------------------------------------------------


def pick_senders(clients: list[Client], count: int) -> list[Client]:
    """Spread senders over rooms: clients are interleaved by room, so the first ``count``
    clients cover the rooms round-robin."""
    if count > len(clients):
        raise ValueError(f"--senders {count} is more than the {len(clients)} clients")
    return clients[:count]


async def send_loop(
    client: Client,
    sender: int,
    tally: Tally,
    *,
    rate: float,
    start: float,
    end: float,
    phase: float,
) -> int:
    """Send at ``rate``/s on an absolute schedule (no drift); returns the count sent."""
    loop = asyncio.get_running_loop()
    interval = 1.0 / rate
    seq = 0
    while (due := start + phase + seq * interval) < end:
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        body = f"bench {tally.run} {tally.step} {sender} {seq} {time.time_ns()}"
        frame = json.dumps(
            {
                "type": "message.send",
                "body": body,
                "client_id": f"{tally.run}-{tally.step}-{sender}-{seq}",
            }
        )
        try:
            await client.ws.send(frame)
        except Exception as exc:
            note_error(tally, f"send by client {client.index}: {exc!r}")
            break
        seq += 1
    return seq


def percentile(sorted_values: list[int], q: float) -> float:
    """Nearest-rank percentile of nanosecond values, in milliseconds."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return sorted_values[index] / 1e6


async def wait_for_drain(tally: Tally, expected: int, sent: int, timeout: float) -> None:
    """Give stragglers time to arrive: until all are in, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tally.delivered >= expected and tally.acked >= sent:
            return
        await asyncio.sleep(0.05)


def summarise(
    tally: Tally, rate: float, scenario: Scenario, sent: int, expected: int, start: float
) -> StepResult:
    latencies = sorted(tally.latencies_ns)
    elapsed = max(tally.last_rx - start, 1e-9)
    return StepResult(
        rate=rate,
        duration=scenario.duration,
        sent=sent,
        acked=tally.acked,
        errors=tally.errors,
        expected=expected,
        delivered=tally.delivered,
        duplicated=tally.duplicated,
        late=tally.late,
        lost=expected - tally.delivered,
        reordered=tally.reordered,
        deliveries_per_s=round(tally.delivered / elapsed, 1) if tally.delivered else 0.0,
        p50_ms=round(percentile(latencies, 0.50), 1),
        p95_ms=round(percentile(latencies, 0.95), 1),
        p99_ms=round(percentile(latencies, 0.99), 1),
        max_ms=round(percentile(latencies, 1.0), 1),
        error_samples=tally.error_samples,
    )


async def run_step(
    clients: list[Client], state: dict[str, Tally], scenario: Scenario, rate: float, step: int
) -> StepResult:
    tally = Tally(run=state["tally"].run, step=step)
    for client in clients:
        client.seen.clear()
    state["tally"] = tally
    senders = pick_senders(clients, scenario.senders)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    end = start + scenario.duration
    wall_start = time.monotonic() + 0.2
    counts = await asyncio.gather(
        *(
            send_loop(c, i, tally, rate=rate / len(senders), start=start, end=end, phase=i / rate)
            for i, c in enumerate(senders)
        )
    )
    sent = sum(counts)
    # Every member of the sender's room gets each message, the sender included.
    members = Counter(c.room for c in clients)
    expected = sum(n * members[c.room] for n, c in zip(counts, senders, strict=True))
    await wait_for_drain(tally, expected, sent, scenario.drain)
    return summarise(tally, rate, scenario, sent, expected, wall_start)


async def run_ladder(
    target: Target, scenario: Scenario, sessions: Sequence[str | None]
) -> list[StepResult]:
    """Connect everyone, run each rate in turn, stop after p99 passes the limit."""
    clients, failures = await open_clients(target, scenario, sessions)
    if failures:
        print(f"{len(failures)} sockets failed to open: {failures[0]}", file=sys.stderr)
    state = {"tally": Tally(run=secrets.token_hex(4), step=-1)}
    readers = [asyncio.create_task(receive_loop(c, state)) for c in clients]
    results: list[StepResult] = []
    try:
        await asyncio.sleep(scenario.pause)  # let the join-time presence storm settle
        for step, rate in enumerate(scenario.rates):
            result = await run_step(clients, state, scenario, rate, step)
            result.connect_errors = len(failures)
            results.append(result)
            print(format_step(result), file=sys.stderr, flush=True)
            if result.p99_ms > scenario.stop_p99_ms:
                break
            await asyncio.sleep(scenario.pause)
    finally:
        await close_all(clients, readers)
        # Let the server finish its disconnect work before anything else connects.
        await asyncio.sleep(SETTLE_AFTER_CLOSE_S)
    return results


async def close_all(clients: list[Client], readers: list[asyncio.Task[None]]) -> None:
    async def close(client: Client) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await client.ws.close()

    await asyncio.gather(*(close(c) for c in clients))
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


# --- command line --------------------------------------------------------------------------


def format_step(r: StepResult) -> str:
    return (
        f"rate {r.rate:g}/s: sent {r.sent} acked {r.acked} expected {r.expected} "
        f"delivered {r.delivered} ({r.deliveries_per_s:.0f}/s) "
        f"p50 {r.p50_ms} p95 {r.p95_ms} p99 {r.p99_ms} max {r.max_ms} ms; "
        f"lost {r.lost} dup {r.duplicated} reordered {r.reordered} late {r.late} errors {r.errors} "
        f"connect errors {r.connect_errors}"
    )


def raise_fd_limit() -> None:
    """Each socket is a descriptor; the soft limit is often 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def event_loop_factory() -> Any:
    """uvloop when installed: the client shares two cores with the server."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8101")
    parser.add_argument("--rooms", type=int, default=1)
    parser.add_argument("--clients-per-room", type=int, default=200)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--rate", default="10", help="messages/s in total; a,b,c for a ladder")
    parser.add_argument("--duration", type=float, default=12.0, help="seconds per step")
    parser.add_argument("--slug-prefix", default="bench-room-")
    parser.add_argument(
        "--users", type=int, default=0, help="accounts to sign in (0: one per client)"
    )
    parser.add_argument("--no-login", action="store_true", help="for the baseline server")
    parser.add_argument("--drain", type=float, default=10.0, help="max wait for stragglers, s")
    parser.add_argument("--stop-p99-ms", type=float, default=200.0)
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser.parse_args(argv)


def scenario_from(args: argparse.Namespace) -> Scenario:
    return Scenario(
        rooms=args.rooms,
        clients_per_room=args.clients_per_room,
        senders=args.senders,
        rates=tuple(float(r) for r in args.rate.split(",")),
        duration=args.duration,
        slug_prefix=args.slug_prefix,
        drain=args.drain,
        stop_p99_ms=args.stop_p99_ms,
        deflate=args.deflate,
    )


async def main_async(args: argparse.Namespace) -> list[StepResult]:
    target = Target.parse(args.url)
    scenario = scenario_from(args)
    clients = scenario.rooms * scenario.clients_per_room
    sessions: list[str | None]
    if args.no_login:
        sessions = [None]
    else:
        started = time.monotonic()
        sessions = list(await login_all(target, args.users or clients))
        print(
            f"signed in {len(sessions)} accounts in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
        )
    return await run_ladder(target, scenario, sessions)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    raise_fd_limit()
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        results = runner.run(main_async(args))
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        for result in results:
            print(format_step(result))


if __name__ == "__main__":
    main()
