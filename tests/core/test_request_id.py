"""Request and socket ids in every log line (core.request_context, core.logs;
docs/operations.md "Logs"): X-Request-ID taken when it looks like an id, else made, and
echoed; JSON lines carry it, and the socket's id for what a socket logs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from core.logs import JsonFormatter, TextFormatter
from core.request_context import (
    ContextFilter,
    SocketContextMiddleware,
    incoming_id,
    request_id,
    socket_id,
)
from tests.servers import ROOT


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def access_records(settings: Any) -> Iterator[list[logging.LogRecord]]:
    settings.LIVECHAT_ACCESS_LOG = True
    handler = Records()
    logger = logging.getLogger("livechat.access")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def test_it_makes_an_id_and_echoes_it() -> None:
    first = Client().get("/healthz")["X-Request-ID"]
    second = Client().get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_it_takes_a_sane_id_from_the_proxy() -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="req-7f3a.b2:c=1")
    assert response["X-Request-ID"] == "req-7f3a.b2:c=1"


@pytest.mark.parametrize(
    "offered",
    ["", "a" * 129, "two words", 'quote"d', "line\nbreak", "-leading-dash", "ünïcode"],
)
def test_it_replaces_an_id_that_could_forge_a_log_line(offered: str) -> None:
    taken = incoming_id(offered)
    assert taken != offered and len(taken) == 32


@pytest.mark.django_db
def test_it_logs_each_request_with_its_id(access_records: list[logging.LogRecord]) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="probe-1")
    assert response["X-Request-ID"] == "probe-1"
    (record,) = access_records
    assert record.request_id == "probe-1"
    assert (record.method, record.path, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0
    # Outside the request the id is gone.
    assert request_id.get() == ""


@pytest.mark.django_db
def test_it_echoes_the_id_on_errors_too(access_records: list[logging.LogRecord]) -> None:
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="missing-1")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "missing-1"
    assert access_records[-1].status == 404


def _record(message: str, **extra: Any) -> logging.LogRecord:
    record = logging.getLogger("livechat.test").makeRecord(
        "livechat.test", logging.WARNING, __file__, 1, message, (), None, extra=extra
    )
    ContextFilter().filter(record)
    return record


def test_it_writes_json_lines_with_the_ids_and_extra_fields() -> None:
    token = request_id.set("abc123")
    try:
        line = JsonFormatter().format(_record("sent %s", room="help-desk"))
    finally:
        request_id.reset(token)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "WARNING"
    assert fields["logger"] == "livechat.test"
    assert fields["message"] == "sent %s"
    assert fields["request_id"] == "abc123"
    assert fields["room"] == "help-desk"
    assert "socket_id" not in fields  # only ids that are set
    assert fields["time"].endswith("+00:00")


def test_it_writes_a_traceback_into_one_json_line() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "ValueError: broken" in json.loads(line)["exc_info"]


def test_it_writes_readable_text_with_the_id() -> None:
    formatter = TextFormatter("%(levelname)s %(name)s%(ids)s %(message)s")
    token = socket_id.set("sock42")
    try:
        assert formatter.format(_record("hello")) == "WARNING livechat.test [sock42] hello"
    finally:
        socket_id.reset(token)
    assert formatter.format(_record("hello")) == "WARNING livechat.test hello"


async def test_it_gives_each_socket_an_id_its_log_lines_carry() -> None:
    seen: list[tuple[str, str]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        message = await receive()
        seen.append((scope["socket_id"], socket_id.get()))
        await send({"type": "websocket.send", "text": message["text"]})

    ids = []
    for _ in range(2):
        communicator = WebsocketCommunicator(SocketContextMiddleware(app), "/ws/test/")
        assert (await communicator.connect())[0]
        await communicator.send_to(text_data="ping")
        assert await communicator.receive_from() == "ping"
        await communicator.disconnect()
        ids.append(seen[-1][0])
    assert all(scope_id == context_id for scope_id, context_id in seen)
    assert ids[0] != ids[1] and all(ids)


def test_it_logs_json_by_default_in_production() -> None:
    script = (
        "import django, logging; django.setup(); from django.conf import settings; "
        "print(settings.LOG_FORMAT, settings.LOGGING['handlers']['console']['formatter'])"
    )
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["json", "json"], result.stderr
