"""HTTP under ASGI on PostgreSQL, against a real server process: Django runs each request on
a thread of its own, and a connection belongs to its thread, so a request's connection is
never reused. It used to stay open until the garbage collector freed it, and 50 requests
at once ran PostgreSQL out of connection slots (503s). Each request now closes its
connections when it ends (core.requestdb)."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .services import PostgresCluster, app_servers, seed, wait_until

pytestmark = pytest.mark.faults

AT_ONCE = 40
REQUESTS = 400

# Every session of the application's database but the one asking.
APP_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'livechat' AND pid <> pg_backend_pid()"
)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_requests_close_their_connections_when_they_end(
    fault_env: dict[str, str], postgres: PostgresCluster, workdir: Path
) -> None:
    seed(fault_env, "requests-room", {"Pia": []})
    with app_servers(fault_env, workdir, count=1) as [server]:
        # A public page that reads the database on every request.
        url = f"{server.http}/helpdesk/feed.json"
        assert status_of(url) == 200
        with ThreadPoolExecutor(AT_ONCE) as requests:
            statuses = list(requests.map(status_of, [url] * REQUESTS))
        assert statuses.count(200) == REQUESTS, sorted(set(statuses))
        # No socket is open, so no database thread holds one either: nothing is left.
        # A request closes its connection just after its response has gone out, and a
        # backend leaves pg_stat_activity once it has exited, so the last few take a
        # moment. (Before, every request left its connection to the collector: 70 were
        # still open here.)
        wait_until(
            lambda: postgres.count(APP_CONNECTIONS) == 0,
            timeout=10,
            what="every request's database connection closed",
        )
