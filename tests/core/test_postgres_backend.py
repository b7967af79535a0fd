"""The PostgreSQL backend's health check (core/postgres/base.py): no round trip while the
server has said nothing, and a connection the server ended is seen as unusable and
replaced, against the real server."""

from __future__ import annotations

import select

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_backend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's backend; the PostgreSQL pass (CI) runs it",
    ),
]


@pytest.fixture
def round_trips(monkeypatch) -> list[str]:
    """Each time the check falls back to Django's SELECT 1."""
    calls: list[str] = []
    original = django_backend.DatabaseWrapper.is_usable

    def counted(self) -> bool:
        calls.append("SELECT 1")
        return original(self)

    monkeypatch.setattr(django_backend.DatabaseWrapper, "is_usable", counted)
    return calls


def test_it_is_the_backend_in_use():
    assert connection.settings_dict["ENGINE"] == "core.postgres"


def test_an_idle_quiet_connection_is_usable_without_a_round_trip(round_trips):
    connection.ensure_connection()
    assert connection.is_usable()
    assert round_trips == []


def test_inside_a_transaction_it_asks_the_server(round_trips):
    connection.ensure_connection()
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert connection.is_usable()
        assert round_trips == ["SELECT 1"]
    finally:
        connection.rollback()
        connection.set_autocommit(True)


def test_a_connection_the_server_ended_is_unusable_and_replaced():
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    # The server's FATAL notice and its close reach the socket: wait for them there.
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    assert poller.poll(10_000), "the terminated session's socket never became readable"

    assert not connection.is_usable()
    connection.close_if_unusable_or_obsolete()  # what Channels does around each call
    connection.health_check_done = False
    with connection.cursor() as cursor:  # a new connection, not an error
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
