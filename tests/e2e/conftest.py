"""Browser tests: the real ASGI application under daphne, driven by the system Chromium.

pytest-django's ``live_server`` is WSGI (no WebSockets), so the server here is daphne in a
subprocess, pointed at the test database. Tests use ``django_db(transaction=True)`` so that
what they create with the ORM is committed and visible to that process.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SERVER_START_TIMEOUT = 20.0


def require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"the system Chromium ({CHROMIUM}) is not installed"
    if os.environ.get("LIVECHAT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and LIVECHAT_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(f"{reason}; browser tests skipped (set LIVECHAT_REQUIRE_BROWSER=1 to fail)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment() -> dict[str, str]:
    """The test process's environment, pointed at the test database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    test_db = connection.settings_dict["NAME"]
    if os.environ.get("DATABASE_URL"):
        parts = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{test_db}"))
    else:
        env["SQLITE_PATH"] = str(test_db)
    # REDIS_URL and LIVECHAT_REDIS_PREFIX pass through unchanged: server and tests then
    # share the channel layer and presence.
    return env


@dataclass
class ChatServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self, since: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size


def start_server() -> ChatServer:
    port = free_port()
    log_file = tempfile.NamedTemporaryFile(prefix="daphne-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=PROJECT_ROOT,
        env=server_environment(),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    server = ChatServer(url=f"http://127.0.0.1:{port}", process=process, log_path=Path(log_file.name))
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{server.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"daphne did not accept connections in {SERVER_START_TIMEOUT} s:\n{server.log()}")


def stop_server(server: ChatServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@pytest.fixture(scope="module")
def chat_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[ChatServer]:
    """One daphne per test module, serving the test database (the data comes and goes
    with each test's transactional flush; the server holds no state worth resetting)."""
    require_browser()
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)
        server.log_path.unlink(missing_ok=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def server(chat_server: ChatServer, request: pytest.FixtureRequest) -> Iterator[ChatServer]:
    """The server for one test; its log is printed if the test fails."""
    start = chat_server.log_size()
    yield chat_server
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"\n----- daphne log during {request.node.name} -----\n{chat_server.log(start)}")
    if chat_server.process.poll() is not None:
        pytest.fail(f"daphne died during the test:\n{chat_server.log(start)}")


@pytest.fixture
def e2e_db(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Committed data, the role groups, and ORM calls allowed between browser calls."""
    from django.contrib.auth.models import Group

    from accounts.roles import MENTORS, MODERATORS

    # Playwright's sync API keeps an event loop in this thread, which Django's
    # async-safety check mistakes for async code; the ORM calls here run between
    # browser calls, never concurrently with them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # An earlier transactional test's flush removes the groups the migration made.
    for name in (MENTORS, MODERATORS):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def console_errors() -> Iterator[list[str]]:
    """Collects page errors and console errors; attach pages with ``watch(page)``. The
    test fails at the end if any were seen."""
    errors: list[str] = []
    yield errors
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


def watch(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: errors.append(f"console.{message.type}: {message.text}")
        if message.type == "error" and not _expected_console_error(message.text)
        else None,
    )


def _expected_console_error(text: str) -> bool:
    # Chromium logs failed socket handshakes and fetches itself while a test has the
    # browser offline or the server drops the socket; the page handles those.
    return "WebSocket connection to" in text or "net::ERR_INTERNET_DISCONNECTED" in text


def sign_in(page: Any, base_url: str, username: str, password: str, next_path: str) -> None:
    """Sign in through the real login form and land on ``next_path``."""
    page.goto(f"{base_url}{next_path}")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}{next_path}")


def wait_live(page: Any) -> None:
    """Until the page's socket has said hello and the history is in."""
    page.wait_for_function(
        "() => window.__chat && window.__chat.live && window.__chat.room.historyState === 'ready'",
        timeout=10_000,
    )
