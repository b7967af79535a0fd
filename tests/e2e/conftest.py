"""Browser tests: the real ASGI application under daphne, driven by the system Chromium.

pytest-django's ``live_server`` is WSGI (no WebSockets), so the server here is daphne in a
subprocess, pointed at the test database. Tests use ``django_db(transaction=True)`` so that
what they create with the ORM is committed and visible to that process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connections

from tests.servers import Server, asgi_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"the system Chromium ({CHROMIUM}) is not installed"
    if os.environ.get("LIVECHAT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and LIVECHAT_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(f"{reason}; browser tests skipped (set LIVECHAT_REQUIRE_BROWSER=1 to fail)")


@pytest.fixture(scope="module")
def chat_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One daphne per test module, serving the test database (see tests/servers.py). The
    data comes and goes with each test's transactional flush; the server keeps nothing
    between tests but sockets, which close with the browsers."""
    require_browser()
    with asgi_server(tmp_path_factory.mktemp("e2e-server")) as server:
        yield server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def server(chat_server: Server, request: pytest.FixtureRequest) -> Iterator[Server]:
    """The server for one test; its log is printed if the test fails or the server
    failed a request."""
    start = chat_server.log.stat().st_size
    yield chat_server
    with chat_server.log.open("rb") as log:
        log.seek(start)
        output = log.read().decode(errors="replace")
    report = getattr(request.node, "rep_call", None)
    # Also when the test passed but the server failed a request: a page's console error
    # (a 500) fails the test only at teardown, after this.
    if (report is not None and report.failed) or "Traceback" in output:
        print(f"\n----- daphne log during {request.node.name} -----\n{output}")
    if chat_server.process.poll() is not None:
        pytest.fail(f"daphne died during the test:\n{output}")


@pytest.fixture
def e2e_db(transactional_db: None, settings: Any) -> None:
    """Committed data, the role groups, and passwords the server can check."""
    from django.conf import global_settings
    from django.contrib.auth.models import Group

    from accounts.roles import MENTORS, MODERATORS

    # tests/conftest.py hashes with MD5 for speed; the server process only knows the
    # production hashers, and users sign in through its login form.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    # An earlier transactional test's flush removes the groups the migration made.
    for name in (MENTORS, MODERATORS):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which Django's async-safety
    # check takes for async code. The test's ORM calls run between browser calls, never
    # concurrently with them, so they are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright runs, the test body's ORM calls run in Playwright's context
            # and so on database connections of their own (Django keeps connections per
            # context). Close them here, still inside it, or PostgreSQL refuses to drop
            # the test database at the end of the run ("being accessed by other users").
            connections.close_all()


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
        lambda message: (
            errors.append(f"console.{message.type} on {page.url}: {message.text}")
            if message.type == "error" and not _expected_console_error(message.text)
            else None
        ),
    )


def _expected_console_error(text: str) -> bool:
    # Chromium logs failed socket handshakes and fetches itself while a test has the
    # browser offline or the server drops the socket; the page handles those.
    return "WebSocket connection to" in text or "net::ERR_INTERNET_DISCONNECTED" in text


def sign_in(page: Any, base_url: str, username: str, password: str, next_path: str) -> None:
    """Sign in through the real login form and land on ``next_path``. (The sign-in page
    directly: the widget, signed out, offers a popup instead of redirecting.)"""
    page.goto(f"{base_url}/accounts/login/?{urlencode({'next': next_path})}")
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


ROOM_PATH = "/rooms/help-desk/"


@pytest.fixture
def room(e2e_db: None) -> Any:
    from livechat.models import Room

    return Room.objects.create(slug="help-desk", name="Help desk")


def open_room(browser: Any, server: Server, username: str, errors: list[str], **context: Any):
    """A new browser context signed in as ``username`` (password ``pw-<username>``, as
    tests.conftest.make_user sets it), on the help-desk room, live."""
    page = browser.new_context(**context).new_page()
    watch(page, errors)
    sign_in(page, server.http, username, f"pw-{username}", ROOM_PATH)
    wait_live(page)
    return page


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    """Poll a database condition that the server process makes true."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not become true in time")
        time.sleep(0.05)


def message(page: Any, text: str) -> Any:
    """The confirmed message containing ``text`` (not the "being sent" copy)."""
    return page.locator("#messages > li.msg", has_text=text)
