"""Start and stop one server process for a benchmark: the bare baseline, daphne or uvicorn.

One process each, loopback only, logs to a file under /tmp. Stopping sends SIGTERM to the
process this module started (by pid), then SIGKILL if it lingers.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.benv import LAYERS, PROJECT, PYTHON, bench_env

VENV_BIN = PROJECT / ".venv" / "bin"
PORTS = {"baseline": 8100, "daphne": 8101, "uvicorn": 8102}


@dataclass(frozen=True)
class Server:
    kind: str
    layer: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    variant: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def label(self) -> str:
        if self.kind == "baseline":
            return "baseline"
        return f"{self.kind}+{self.layer}" + (f"[{self.variant}]" if self.variant else "")


def command(
    kind: str, port: int, uvicorn_deflate: bool = False, app: str = "config.asgi:application"
) -> list[str]:
    if kind == "baseline":
        return [PYTHON, str(PROJECT / "bench" / "baseline_server.py"), "--port", str(port)]
    if kind == "daphne":
        return [
            str(VENV_BIN / "daphne"), "-v", "0", "-b", "127.0.0.1", "-p", str(port), app,
        ]  # fmt: skip
    if kind == "uvicorn":
        return [
            str(VENV_BIN / "uvicorn"), app, "--host", "127.0.0.1",
            "--port", str(port), "--no-access-log", "--log-level", "warning", "--lifespan", "off",
            # The protocol production runs (scripts/serve.sh): websockets-sansio plus the
            # stall bound, which also offers the chat's direct fan-out writes.
            "--ws", "core.wsprotocol:BoundedWebSocketProtocol",
            # Compression is negotiated only if the client offers it; loadgen does not.
            "--ws-per-message-deflate", "true" if uvicorn_deflate else "false",
        ]  # fmt: skip
    raise ValueError(f"unknown server {kind!r}")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        if port_open(port):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port} after {timeout}s")


def clear_redis_state() -> None:
    """Forget presence and layer keys of earlier runs (our prefix, our db only), so that a
    killed server's stale presence entries do not fatten the next run's frames."""
    import redis

    env = bench_env()
    client = redis.Redis.from_url(env["REDIS_URL"])
    prefix = env["LIVECHAT_REDIS_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@contextlib.contextmanager
def running(
    kind: str,
    layer: str = "pubsub",
    port: int | None = None,
    uvicorn_deflate: bool = False,
    variant: str = "",
) -> Iterator[Server]:
    """A server process for the duration of the block. ``variant`` serves
    bench.variants (candidate server changes) with BENCH_VARIANT set to it."""
    port = port or PORTS[kind]
    if port_open(port):
        # Another server would answer in place of ours, and be measured by mistake.
        raise RuntimeError(f"port {port} is already in use")
    if kind != "baseline":
        clear_redis_state()
    log = Path(tempfile.gettempdir()) / f"bench-{kind}-{layer}-{port}.log"
    env = bench_env(LIVECHAT_CHANNEL_LAYER=LAYERS[layer], BENCH_VARIANT=variant)
    app = "bench.variants:application" if variant else "config.asgi:application"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command(kind, port, uvicorn_deflate, app), cwd=PROJECT, env=env, stdout=out, stderr=out
        )
    try:
        wait_for_port(port, process)
        yield Server(kind=kind, layer=layer, port=port, process=process, log=log, variant=variant)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc (VmRSS is in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")
