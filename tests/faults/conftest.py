"""The fault tests' own PostgreSQL cluster and Redis, started once per run and migrated
once; each test seeds its own room and users, and uses its own Redis key prefix."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .services import PostgresCluster, RedisServer, base_env, manage

pytestmark = pytest.mark.faults

_names = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


def _require_tools() -> None:
    missing = [tool for tool in ("redis-server", "runuser") if shutil.which(tool) is None]
    try:
        from .services import pg_bin

        pg_bin("initdb")
    except FileNotFoundError:
        missing.append("initdb")
    if missing:
        pytest.fail(f"the fault tests need {', '.join(missing)} (see docs/operations.md)")


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="livechat-faults-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(workdir: Path) -> Iterator[PostgresCluster]:
    _require_tools()
    cluster = PostgresCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    _require_tools()
    server = RedisServer(workdir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated(postgres: PostgresCluster, redis_server: RedisServer) -> None:
    manage(base_env(postgres, redis_server, "faults-migrate"), "migrate", "--noinput")


@pytest.fixture
def fault_env(
    postgres: PostgresCluster, redis_server: RedisServer, migrated: None
) -> Iterator[dict[str, str]]:
    """The environment of this test's server processes: the private services, every
    outside service back up when the test ends (a test that failed mid-outage must not
    take the next one down with it)."""
    env = base_env(postgres, redis_server, f"faults-{next(_names)}")
    yield env
    if not redis_server.answers():
        redis_server.start()
    try:
        postgres.count("SELECT 1")
    except Exception:
        postgres.start()
