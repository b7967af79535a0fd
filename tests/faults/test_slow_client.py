"""A client that never reads, in a busy room: the server's memory for it stays bounded, the
server resets it (core.wsprotocol, as scripts/serve.sh runs uvicorn), and when it wakes up
it resumes like the page: every message exactly once, in order."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time
from pathlib import Path

import pytest

from accounts.roles import MENTORS

from .client import PageClient
from .services import PRODUCTION_WS, PostgresCluster, app_servers, seed
from .stream import assert_nothing_lost, make_clients, settle, until

pytestmark = pytest.mark.faults

SENDERS = ["Ann", "Ben", "Cat", "Dan"]
BODY = "slow " * 790  # ~4,000 characters: the longest message, the most bytes per event
PACE = 0.05  # per sender: 80 messages a second in the room
STALL_SECONDS = 4  # LIVECHAT_WS_STALL_SECONDS for this test (20 in production)
AFTER_RESET = 600  # messages sent after the reset, to show the memory stays put
WARM_UP = 1600  # messages before the slow client comes
BOUND_KIB = 16 * 1024  # growth allowed while the slow client is stalled (see below)
AFTER_KIB = 6 * 1024  # growth allowed after its reset, over AFTER_RESET more messages
TCP_ESTABLISHED = 1


def tcp_state(sock: socket.socket) -> int:
    """The kernel's TCP state of our end (TCP_INFO's first byte): no read needed."""
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def open_raw(port: int, path: str, origin: str, cookie: str) -> tuple[socket.socket, bytes]:
    """A WebSocket handshake over a plain TCP socket with a tiny receive buffer; answers the
    socket and the bytes read past the response headers (the hello, usually)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: the window
    sock.settimeout(20)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {origin}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock, rest


def parse_frames(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Complete server frames (unmasked) in ``data``: (opcode, payload) and the rest."""
    frames = []
    while len(data) >= 2:
        opcode, length, at = data[0] & 0x0F, data[1] & 0x7F, 2
        if length == 126:
            if len(data) < 4:
                break
            length, at = struct.unpack("!H", data[2:4])[0], 4
        elif length == 127:
            if len(data) < 10:
                break
            length, at = struct.unpack("!Q", data[2:10])[0], 10
        if len(data) < at + length:
            break
        frames.append((opcode, data[at : at + length]))
        data = data[at + length :]
    return frames, data


def read_until_hello(sock: socket.socket, data: bytes) -> dict:
    while True:
        frames, data = parse_frames(data)
        for opcode, payload in frames:
            frame = json.loads(payload)
            if opcode == 1 and frame["type"] == "hello":
                assert not data
                return frame
        data += sock.recv(4096)


def read_what_arrived(sock: socket.socket) -> tuple[list[dict], str]:
    """Everything the kernel kept for us before the reset, then how the connection ended."""
    sock.settimeout(5)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            ending = "reset"
            break
        except TimeoutError:
            ending = "still open"
            break
        if not chunk:
            ending = "closed"
            break
        data += chunk
    frames, _ = parse_frames(data)
    return [json.loads(payload) for opcode, payload in frames if opcode == 1], ending


async def test_a_client_that_never_reads_is_bounded_reset_and_resumes(
    fault_env: dict[str, str], postgres: PostgresCluster, workdir: Path
) -> None:
    room = "slow-reader"
    # Production mode, as `make serve` runs: DEBUG off. With DEBUG on, each connection
    # keeps its last 9,000 queries, and the server's memory grows with that log until it
    # is full, however long the warm-up below needed to be for it (a plain send is one
    # statement on PostgreSQL: 9,000 sends per database thread).
    env = {
        **fault_env,
        "DEBUG": "0",
        "SECRET_KEY": "slow-client-" * 4,
        "LIVECHAT_STATIC_MANIFEST": "0",
        "LIVECHAT_WS_STALL_SECONDS": str(STALL_SECONDS),
    }
    # Helpers are exempt from rate limits: the room stays busy.
    sessions = seed(env, room, {name: [MENTORS] for name in [*SENDERS, "Slow"]})
    with app_servers(env, workdir, count=1, extra=PRODUCTION_WS) as servers:
        server = servers[0]
        clients = make_clients(servers, {n: sessions[n] for n in SENDERS}, room)
        for client in clients:
            client.start()
        await until(lambda: all(c.live.is_set() for c in clients), timeout=30, what="hellos")
        sent = 0
        stop = asyncio.Event()
        rss_peak = 0

        async def sender(client: PageClient) -> None:
            nonlocal sent
            while not stop.is_set():
                client.submit(f"{client.name} #{sent} {BODY}")
                sent += 1
                await asyncio.sleep(PACE)  # the load, not a timer

        def sample() -> None:
            nonlocal rss_peak
            rss_peak = max(rss_peak, server.rss_kib())

        senders = [asyncio.create_task(sender(c)) for c in clients]
        try:
            # Warm up: a server's memory grows with its first messages of this size
            # (allocator, connections, buffers), then stays flat.
            await until(lambda: sent >= WARM_UP, timeout=90, what="the warm-up")
            slow, rest = await asyncio.to_thread(
                open_raw, server.port, f"/ws/rooms/{room}/", server.http,
                f"sessionid={sessions['Slow']}",
            )  # fmt: skip
            hello = await asyncio.to_thread(read_until_hello, slow, rest)
            # From here on the slow client reads nothing.
            await until(lambda: "Slow" in clients[0].online, timeout=10, what="Slow online")
            started = time.monotonic()
            rss_before = rss_peak = server.rss_kib()

            def reset() -> bool:
                sample()
                return tcp_state(slow) != TCP_ESTABLISHED

            await until(reset, timeout=90, what="the server resetting the client that never reads")
            reset_after = time.monotonic() - started
            sent_at_reset = sent
            rss_at_reset = server.rss_kib()
            # The room stays busy: nothing more is kept for the client that is gone.
            await until(
                lambda: (sample(), sent >= sent_at_reset + AFTER_RESET)[1],
                timeout=60,
                what="the stream going on after the reset",
            )
            # Its consumer ended as for any lost socket: gone from the room's presence.
            await until(
                lambda: "Slow" not in clients[0].online, timeout=10, what="Slow gone from presence"
            )
            stop.set()
            await asyncio.gather(*senders)
            total = sent
            rss_end = server.rss_kib()
            await settle(clients, total)
        finally:
            stop.set()
            for client in clients:
                await client.stop()

        # The server said why, in its log.
        assert "took no data for" in server.output()
        print(
            f"reset after {reset_after:.1f} s ({sent_at_reset - hello['last_event_id']} "
            f"messages); RSS before {rss_before} KiB, peak {rss_peak}, at the reset "
            f"{rss_at_reset}, after {AFTER_RESET} more {rss_end}"
        )
        # Bounded: while the socket is stalled the server keeps at most its write buffer
        # (64 KiB) and the room's events of STALL_SECONDS for it, here 80 a second of ~8.5
        # KB in the channel layer's queue (public and moderator text): ~3 MB.
        assert rss_peak - rss_before < BOUND_KIB, (rss_before, rss_peak)
        # And nothing more once it is gone, however long the room stays busy (unbounded,
        # this grew by 1.3 MB a second, measured before core.wsprotocol).
        assert rss_end - rss_at_reset < AFTER_KIB, (rss_at_reset, rss_end)

        # The tab wakes up: it takes what reached it, in order, then reconnects (the page's
        # backoff) and resumes from its last event id.
        arrived, ending = await asyncio.to_thread(read_what_arrived, slow)
        slow.close()
        assert ending in ("reset", "closed"), ending
        woken = PageClient(
            url=lambda: f"{server.ws}/ws/rooms/{room}/",
            origin=lambda: server.http,
            cookie=f"sessionid={sessions['Slow']}",
            name="Slow",
        )
        woken.hellos = 1  # its first hello was on the raw socket
        joined = woken.last_event_id = hello["last_event_id"]
        for frame in arrived:
            if frame["type"] == "event":
                woken.apply(frame)
        assert woken.last_event_id < sent_at_reset
        woken.start()
        try:
            await settle([woken], total, timeout=60)
        finally:
            await woken.stop()
        assert woken.hellos == 2
        assert_nothing_lost(clients, total, postgres, room)
        # Every message since its hello exactly once, in order, the same as everyone's.
        assert not woken.errors and woken.duplicates == 0 and woken.resyncs == 0
        assert woken.applied == list(range(joined + 1, total + 1))
        assert woken.message_ids == clients[0].message_ids[joined:]
