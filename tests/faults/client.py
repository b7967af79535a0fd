"""A test client that behaves like the room page (static/livechat/): one socket at a time,
reconnected with the page's backoff and jitter (connection.js), `resume` after every hello
but the first (room.js), events applied strictly in id order (delivery.js), an outbox
resent with the same client_id after any doubt and after an `unavailable` error
(sending.js, outbox.js).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

# connection.js
FIRST_DELAY = 0.5
MAX_DELAY = 15.0


def backoff_delay(attempt: int, rng: random.Random = random._inst) -> float:  # type: ignore[attr-defined]
    """connection.js's backoffDelay: 0.5 s doubling up to 15 s, "equal jitter"."""
    ceiling = min(MAX_DELAY, FIRST_DELAY * 2**attempt)
    return ceiling / 2 + rng.random() * (ceiling / 2)


def unavailable_delay(retry_after: float, rng: random.Random = random._inst) -> float:  # type: ignore[attr-defined]
    """sending.js's retryDelay for an `unavailable` send: the server's hint, with jitter."""
    return retry_after * (0.5 + rng.random())


_ids = itertools.count(1)


@dataclass
class PageClient:
    url: Callable[[], str]  # the server to connect to (may change: another process)
    origin: Callable[[], str]
    cookie: str
    name: str = ""
    on_frame: Callable[[dict[str, Any]], None] | None = None

    last_event_id: int | None = None
    applied: list[int] = field(default_factory=list)  # event ids, in the order applied
    message_ids: list[int] = field(default_factory=list)  # message.created, in order
    duplicates: int = 0
    gaps: int = 0
    resyncs: int = 0
    outbox: dict[str, str] = field(default_factory=dict)  # client_id -> body, oldest first
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> message id
    refused: dict[str, dict[str, Any]] = field(default_factory=dict)
    unavailable_errors: int = 0
    hellos: int = 0
    connects: int = 0
    closes: list[int | None] = field(default_factory=list)
    online: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.socket: Any = None
        self.live = asyncio.Event()
        self.stopped = False
        self.attempt = 0
        self.task: asyncio.Task[None] | None = None
        self.retries: set[asyncio.Task[None]] = set()
        self.held: dict[int, dict[str, Any]] = {}
        self.resume_asked_after: int | None = None

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        self.task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        self.stopped = True
        for task in self.retries:
            task.cancel()
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    async def run(self) -> None:
        while not self.stopped:
            self.connects += 1
            try:
                async with websockets.connect(
                    self.url(),
                    additional_headers={"Origin": self.origin(), "Cookie": self.cookie},
                    open_timeout=20,
                    ping_interval=None,
                    max_queue=None,
                ) as socket:
                    self.socket = socket
                    async for text in socket:
                        self.receive(json.loads(text))
                    self.closes.append(socket.close_code)
            except (OSError, websockets.exceptions.WebSocketException, TimeoutError) as error:
                if isinstance(error, websockets.exceptions.ConnectionClosed):
                    code = error.rcvd.code if error.rcvd is not None else None
                else:  # a refused handshake: its HTTP status, if any
                    code = getattr(error, "code", None)
                self.closes.append(code)
            except Exception as error:  # a bug of this client: kept, and the test fails
                self.errors.append(repr(error))
            self.socket = None
            self.live.clear()
            if self.stopped:
                return
            # connection.js scheduleRetry
            delay = backoff_delay(self.attempt)
            self.attempt += 1
            await asyncio.sleep(delay)

    # -- frames ----------------------------------------------------------------------------

    def receive(self, frame: dict[str, Any]) -> None:
        if self.on_frame is not None:
            self.on_frame(frame)
        kind = frame["type"]
        if kind == "hello":
            self.hellos += 1
            self.attempt = 0  # markHealthy
            self.online = [user["username"] for user in frame["online"]]
            if self.last_event_id is None:
                self.last_event_id = frame["last_event_id"]  # a fresh page: history
            self.live.set()
            if self.hellos > 1:
                self.resume_asked_after = None  # a new socket
                self.ask_resume()
            self.flush()
        elif kind == "event":
            self.apply(frame)
        elif kind == "ack":
            self.outbox.pop(frame["client_id"], None)
            self.acked[frame["client_id"]] = frame["message_id"]
        elif kind == "error":
            self.on_error(frame)
        elif kind == "presence":
            self.online = [user["username"] for user in frame["online"]]
        elif kind == "resync":
            self.resyncs += 1

    def apply(self, frame: dict[str, Any]) -> None:
        event_id = frame["event_id"]
        assert self.last_event_id is not None
        if event_id <= self.last_event_id:
            self.duplicates += 1  # delivery.js drops it
            return
        if event_id != self.last_event_id + 1:
            # delivery.js: held back past the gap, which one `resume` is asked to fill (on
            # a fresh socket, live events may come before the answer to its resume).
            self.held[event_id] = frame
            if self.resume_asked_after != self.last_event_id:
                self.gaps += 1
                self.ask_resume()
            return
        self.take(frame)
        while self.last_event_id + 1 in self.held:
            self.take(self.held.pop(self.last_event_id + 1))

    def take(self, frame: dict[str, Any]) -> None:
        self.last_event_id = frame["event_id"]
        self.applied.append(frame["event_id"])
        if frame["kind"] == "message.created":
            self.message_ids.append(frame["message"]["id"])

    def ask_resume(self) -> None:
        if self.send({"type": "resume", "after_event_id": self.last_event_id}):
            self.resume_asked_after = self.last_event_id

    def on_error(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        if frame["code"] == "unavailable":
            self.unavailable_errors += 1
            if client_id in self.outbox:
                # sending.js postpone(): kept, sent again after the server's hint.
                task = asyncio.create_task(self.resend_later(client_id, frame["retry_after"]))
                self.retries.add(task)
                task.add_done_callback(self.retries.discard)
            return
        if client_id in self.outbox:
            self.outbox.pop(client_id)
            self.refused[client_id] = frame

    async def resend_later(self, client_id: str, retry_after: float) -> None:
        await asyncio.sleep(unavailable_delay(retry_after))
        if client_id in self.outbox and self.live.is_set():
            self.send_entry(client_id)

    # -- sending ---------------------------------------------------------------------------

    def send(self, frame: dict[str, Any]) -> bool:
        if self.socket is None or not self.live.is_set():
            return False
        asyncio.create_task(self._send(json.dumps(frame)))
        return True

    async def _send(self, text: str) -> None:
        with contextlib.suppress(websockets.exceptions.ConnectionClosed, AttributeError):
            await self.socket.send(text)

    def submit(self, body: str) -> str:
        client_id = f"{self.name}-{next(_ids)}"
        self.outbox[client_id] = body
        self.send_entry(client_id)
        return client_id

    def send_entry(self, client_id: str) -> bool:
        return self.send(
            {"type": "message.send", "body": self.outbox[client_id], "client_id": client_id}
        )

    def flush(self) -> None:
        for client_id in list(self.outbox):
            self.send_entry(client_id)
