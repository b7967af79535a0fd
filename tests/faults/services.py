"""Private outside services for the fault tests: a redis-server and a PostgreSQL cluster of
their own, on free ports, that a test may stop, start and restart at will, and the chat's
server processes (uvicorn, as docs/deployment.md runs it) against them.

Nothing here touches the machine's own PostgreSQL or Redis: faults are provoked on
services nobody else uses.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers import ROOT, free_port


def wait_until(
    check: Callable[[], bool], *, timeout: float, what: str, every: float = 0.05
) -> None:
    """Poll ``check`` until it holds, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout} s")


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


class RedisServer:
    """``redis-server --port N --save '' --appendonly no``: a restart loses everything, as
    a Redis without persistence does."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(self.answers, timeout=15, what="redis-server answering")

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.exceptions.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # a crash: no goodbyes to clients
            self.process.wait(timeout=10)
        self.process = None
        wait_until(lambda: not port_open(self.port), timeout=10, what="redis port closed")

    def restart(self) -> None:
        self.stop()
        self.start()


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"{name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


class PostgresCluster:
    """Its own cluster (initdb on a temporary folder, trust authentication, a free port),
    run as the ``postgres`` user when the tests run as root (initdb refuses root)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="livechat-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.dir.chmod(0o755)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/livechat"

    def run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip

    def init(self) -> None:
        self.run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8")  # fmt: skip
        self.start()
        self.run(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                 "livechat")  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                 "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def count(self, sql: str) -> int:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as connection:
            row = connection.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def base_env(pg: PostgresCluster, redis: RedisServer, prefix: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIVECHAT_", "DATABASE_URL", "REDIS_URL", "SQLITE_PATH"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": pg.url,
        "REDIS_URL": redis.url,
        "LIVECHAT_REDIS_PREFIX": prefix,
        "LIVECHAT_HELP_ROOMS": "",
        "LIVECHAT_UNAVAILABLE_RETRY_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str, input: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=input,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


SEED = """
import json
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import User
from livechat.models import Room

spec = json.loads({spec!r})
Room.objects.get_or_create(slug=spec["room"], defaults={{"name": spec["room"]}})
cookies = {{}}
for name, groups in spec["users"].items():
    user, _ = User.objects.get_or_create(username=name)
    user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups])
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.RolesModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    cookies[name] = session.session_key
print("SEED" + json.dumps(cookies))
"""


def seed(env: dict[str, str], room: str, users: dict[str, list[str]]) -> dict[str, str]:
    """The room and signed-in users (name -> groups); answers name -> session key."""
    spec = json.dumps({"room": room, "users": users})
    out = manage(env, "shell", "-c", SEED.format(spec=spec))
    line = next(line for line in out.splitlines() if line.startswith("SEED"))
    return json.loads(line[4:])


def seed_rooms(
    env: dict[str, str], rooms: list[str], users: dict[str, list[str]]
) -> dict[str, str]:
    """seed() for many rooms at once (one `manage.py shell`); answers name -> session key."""
    script = SEED.replace(
        'Room.objects.get_or_create(slug=spec["room"], defaults={{"name": spec["room"]}})',
        'for slug in spec["rooms"]:\n'
        '    Room.objects.get_or_create(slug=slug, defaults={{"name": slug}})',
    )
    spec = json.dumps({"rooms": rooms, "users": users})
    out = manage(env, "shell", "-c", script.format(spec=spec))
    line = next(line for line in out.splitlines() if line.startswith("SEED"))
    return json.loads(line[4:])


@dataclass
class AppServer:
    """One uvicorn process, with the flags docs/deployment.md recommends."""

    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    extra: list[str] = field(default_factory=list)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"uvicorn-{self.port}.log"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "uvicorn", "config.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port),
            # The protocol production runs (scripts/serve.sh), with its direct fan-out
            # writes (core.wsprotocol); PRODUCTION_WS adds the pings.
            "--ws", "core.wsprotocol:BoundedWebSocketProtocol",
            "--ws-max-size", "65536", "--ws-per-message-deflate", "false", "--no-access-log",
            "--timeout-graceful-shutdown", "5", *self.extra,
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        wait_until(self.listening, timeout=60, what=f"uvicorn on {self.port}", every=0.1)

    def listening(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"uvicorn exited early:\n{self.output()}")
        return port_open(self.port)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no disconnect handlers, no close frames."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kib(self) -> int:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0


# The WebSocket flags of scripts/serve.sh (production), where a test needs them: the
# bounded protocol (core.wsprotocol) and the keepalive pings.
PRODUCTION_WS = [
    "--ws", "core.wsprotocol:BoundedWebSocketProtocol",
    "--ws-ping-interval", "20", "--ws-ping-timeout", "20",
]  # fmt: skip


@contextlib.contextmanager
def app_servers(
    env: dict[str, str], workdir: Path, count: int = 2, extra: list[str] | None = None
) -> Iterator[list[AppServer]]:
    servers = [AppServer(env=env, workdir=workdir, extra=list(extra or [])) for _ in range(count)]
    try:
        for server in servers:
            server.start()
        yield servers
    except BaseException:
        for server in servers:  # shown by pytest with the failure
            print(f"--- uvicorn on {server.port}:\n{server.output()}")
        raise
    finally:
        for server in servers:
            server.stop()
