"""Run the real ASGI application in a server process, against the test database.

Browser tests and cross-process tests need real servers: pytest-django's live_server
speaks WSGI only. The server process gets the test database's name, so what a
``transaction=True`` test commits is what the server sees.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_database_env() -> dict[str, str]:
    """Environment pointing a server process at the database the tests use."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return {"SQLITE_PATH": str(name)}
    parts = urlsplit(settings.DATABASE_URL)
    return {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """Die like a crashed process: no disconnect handlers, no goodbyes."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@contextlib.contextmanager
def asgi_server(
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
    kind: str = "daphne",
    deflate: bool = False,
) -> Iterator[Server]:
    """A server process: daphne (what `make run` serves), or ``kind="uvicorn"`` as
    production runs it (scripts/serve.sh), whose protocol writes the room fan-out's
    frames directly (core.wsprotocol); ``deflate`` lets uvicorn accept per-message
    deflate from clients that offer it (production turns it off)."""
    port = free_port()
    log = tmp_path / f"server-{port}.log"
    full_env = {
        **os.environ,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LIVECHAT_REDIS_PREFIX": settings.LIVECHAT_REDIS_PREFIX,
        **test_database_env(),
        **(env or {}),
    }
    # As in production (docs/deployment.md): the server refuses frames over the chat's
    # limit from their header, before reading the payload.
    frame_limit = full_env.get("LIVECHAT_MAX_FRAME_BYTES", str(settings.LIVECHAT_MAX_FRAME_BYTES))
    command = [
        sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
        "--websocket-max-message-size", frame_limit,
        "--websocket-max-frame-size", frame_limit,
        "config.asgi:application",
    ]  # fmt: skip
    if kind == "uvicorn":
        command = [
            sys.executable, "-m", "uvicorn", "config.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
            "--ws", "core.wsprotocol:BoundedWebSocketProtocol", "--ws-max-size", frame_limit,
            "--ws-per-message-deflate", "true" if deflate else "false",
            "--log-level", "warning",
        ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, port=port, log=log)
    try:
        wait_for_port(server)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def wait_for_port(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.output()}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", server.port), timeout=0.5),
        ):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen within {timeout} s:\n{server.output()}")
