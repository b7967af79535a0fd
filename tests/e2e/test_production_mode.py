"""The chat as installed (issue 13): `scripts/serve.sh` (what `make serve` runs) with
DEBUG off, uvicorn and no proxy in front; two people send and receive in a real browser,
every script and stylesheet comes from WhiteNoise under a content-hashed name with a long
cache lifetime, and nothing on the page fails."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from livechat.models import Room
from tests import servers
from tests.conftest import make_user
from tests.e2e.conftest import message, open_room, require_browser
from tests.servers import ROOT, Server, free_port, wait_for_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# collectstatic's names: name.<12 hex digits>.ext
HASHED = re.compile(r"/static/.+\.[0-9a-f]{12}\.(js|css|svg|png|woff2?)$")
A_YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def production_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    require_browser()
    tmp = tmp_path_factory.mktemp("production")
    port = free_port()
    log = tmp / "serve.log"
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing of a developer's shell decides this server's mode.
        if key not in {"DEBUG", "LIVECHAT_HTTPS", "LOG_FORMAT", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "production-test-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(tmp / "static"),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "RUN_TIMERS": "0",
            "PYTHON_BIN": sys.executable,
            "LIVECHAT_REDIS_PREFIX": settings.LIVECHAT_REDIS_PREFIX,
            **servers.test_database_env(),
        }
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["scripts/serve.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(process=process, port=port, log=log)
    try:
        # migrate and collectstatic first (hashing and compressing take a few seconds).
        wait_for_port(server, timeout=180)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def room(e2e_db: None) -> Room:
    return Room.objects.create(slug="help-desk", name="Help desk")


def record_static(page: Any, seen: list[dict[str, Any]]) -> None:
    def on_response(response: Any) -> None:
        if "/static/" in response.url:
            seen.append(
                {
                    "url": response.url,
                    "status": response.status,
                    "cache": response.headers.get("cache-control", ""),
                    "encoding": response.headers.get("content-encoding", ""),
                }
            )

    page.on("response", on_response)


def test_it_chats_in_production_mode_with_hashed_long_cached_static_files(
    production_server: Server, browser: Any, room: Room, console_errors: list[str]
) -> None:
    make_user("Alice")
    make_user("Bob")
    static: list[dict[str, Any]] = []
    pages = []
    for name in ("Alice", "Bob"):
        # open_room signs in through the login form and waits for the socket's hello:
        # the page's modules, loaded by their hashed names, all ran.
        page = open_room(browser, production_server, name, console_errors)
        record_static(page, static)
        page.reload()
        page.wait_for_function("() => window.__chat && window.__chat.live", timeout=10_000)
        pages.append(page)
    alice, bob = pages

    alice.get_by_label("Message to Help desk").fill("Does the installed chat work?")
    alice.get_by_label("Message to Help desk").press("Enter")
    expect(message(bob, "Does the installed chat work?")).to_have_count(1)
    bob.get_by_label("Message to Help desk").fill("It does.")
    bob.get_by_label("Message to Help desk").press("Enter")
    expect(message(alice, "It does.")).to_have_count(1)

    assert len(static) >= 10, static  # the stylesheets and the modules they import
    urls = {entry["url"] for entry in static}
    assert any(re.search(r"/static/livechat/chat\.[0-9a-f]{12}\.js$", url) for url in urls)
    assert any("/static/helpdesk/archive." in url for url in urls), "loaded by folding.js"
    for entry in static:
        assert entry["status"] == 200, entry
        assert HASHED.search(entry["url"]), f"not a hashed name: {entry['url']}"
        max_age = re.search(r"max-age=(\d+)", entry["cache"])
        assert max_age and int(max_age.group(1)) >= A_YEAR, entry
        assert "immutable" in entry["cache"], entry
    # Compressed on the way (the browser asks for gzip/br; WhiteNoise has both ready).
    assert any(entry["encoding"] in {"gzip", "br"} for entry in static), static

    # The probes and the JSON logs with their request ids, as an operator sees them.
    response = alice.request.get(f"{production_server.http}/healthz")
    assert response.status == 200 and response.json() == {"status": "ok"}
    response = alice.request.get(f"{production_server.http}/readyz")
    assert response.status == 200, response.text()
    request_id = response.headers["x-request-id"]
    lines = [
        json.loads(line)
        for line in Path(production_server.log).read_text(errors="replace").splitlines()
        if line.startswith("{")
    ]
    access = [line for line in lines if line.get("logger") == "livechat.access"]
    assert any(line.get("request_id") == request_id for line in access), access[-5:]
    output = production_server.log.read_text(errors="replace")
    assert "Traceback" not in output and "Warning" not in output, output[-3000:]
