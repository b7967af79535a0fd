from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client

from accounts.models import User
from accounts.roles import MENTORS, MODERATORS
from livechat import presence
from livechat.models import Room

HOST = "127.0.0.1:8000"
ORIGIN = f"http://{HOST}"


@pytest.fixture(autouse=True)
def _isolated_ephemeral_state(settings: Any) -> Iterator[None]:
    """Presence, typing throttles and channel groups never leak from one test into the
    next (room ids are reused across tests)."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    # Tests of other features send freely; tests/moderation/test_rate_limits.py sets its own.
    settings.LIVECHAT_RATE_LIMIT = settings.LIVECHAT_RATE_LIMIT_NEW = (100_000, 60)
    # The chat's own tests count events and queries of plain rooms; tests/helpdesk (its
    # conftest) makes "help-desk" a help room, where messages also open questions.
    settings.LIVECHAT_HELP_ROOMS = []
    # Every online list at once; tests/livechat/test_fanout.py tests the coalescing with
    # a clock and timers of its own.
    settings.LIVECHAT_PRESENCE_COALESCE_MS = 0
    presence._store = None
    channel_layers.backends.clear()
    if not settings.REDIS_URL:
        cache.clear()
    yield
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(match=f"{settings.LIVECHAT_REDIS_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
    presence._store = None
    channel_layers.backends.clear()
    if not settings.REDIS_URL:
        cache.clear()  # the in-process cache; Redis keys went with the prefix above
    from moderation import filters

    filters.forget_definitions()


def make_user(username: str, *groups: str, **fields: Any) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, **fields)
    # get_or_create: transactional tests flush the groups the data migration made.
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user


@pytest.fixture
def alice(db: None) -> User:
    return make_user("Alice")


@pytest.fixture
def bob(db: None) -> User:
    return make_user("Bob")


@pytest.fixture
def mentor(db: None) -> User:
    return make_user("Mentor", MENTORS)


@pytest.fixture
def moderator(db: None) -> User:
    return make_user("Mod", MODERATORS)


@pytest.fixture
def room(db: None) -> Room:
    return Room.objects.create(slug="help-desk", name="Help desk")


@pytest.fixture
def other_room(db: None) -> Room:
    return Room.objects.create(slug="lounge", name="Lounge")


def fresh(user: User) -> User:
    """The user as a request or socket loads it (roles annotated by the auth backend)."""
    from accounts.backends import RolesModelBackend

    loaded = RolesModelBackend().get_user(user.pk)
    assert loaded is not None
    return loaded


class JsonClient:
    """The JSON API as the page's scripts call it: signed in as one user, CSRF checks on as
    in production, JSON bodies and the CSRF header on every write."""

    def __init__(self, user: User) -> None:
        self.django = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)
        self.django.force_login(user)

    def csrf_header(self) -> dict[str, str]:
        if settings.CSRF_COOKIE_NAME not in self.django.cookies:
            # Any page with a form sets the cookie; the login page needs no room.
            self.django.get("/accounts/login/")
        return {"HTTP_X_CSRFTOKEN": self.django.cookies[settings.CSRF_COOKIE_NAME].value}

    def get(self, path: str, query: dict[str, Any] | None = None, **extra: Any) -> HttpResponse:
        return self.django.get(path, query, **extra)

    def send(
        self,
        method: str,
        path: str,
        data: object = None,
        *,
        body: str | None = None,
        csrf: bool = True,
    ) -> HttpResponse:
        """A write with ``data`` as JSON, or ``body`` sent as it is (broken JSON, say);
        ``csrf=False`` leaves the header out, as a forged request would."""
        content = body if body is not None else json.dumps({} if data is None else data)
        headers = self.csrf_header() if csrf else {}
        send = getattr(self.django, method)
        return send(path, data=content, content_type="application/json", **headers)

    def post(self, path: str, data: object = None, **options: Any) -> HttpResponse:
        return self.send("post", path, data, **options)

    def patch(self, path: str, data: object = None, **options: Any) -> HttpResponse:
        return self.send("patch", path, data, **options)

    def delete(self, path: str, **options: Any) -> HttpResponse:
        return self.send("delete", path, **options)


def json_client(user: User) -> JsonClient:
    return JsonClient(user)


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def ws_headers(
    cookie: str | None, *, origin: str | None = ORIGIN, host: str = HOST
) -> list[tuple[bytes, bytes]]:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    return headers


class Socket:
    """A test socket: a WebsocketCommunicator speaking JSON frames."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.hello: dict[str, Any] = {}

    async def send(self, frame: dict[str, Any]) -> None:
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def send_raw(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def recv(self, timeout: float = 3) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def recv_type(self, *types: str, timeout: float = 3) -> dict[str, Any]:
        """The next frame of one of ``types``, skipping presence/typing chatter."""
        while True:
            frame = await self.recv(timeout=timeout)
            if frame["type"] in types:
                return frame

    async def nothing(self, timeout: float = 0.3, ignore: tuple[str, ...] = ("presence",)) -> bool:
        """True if no frame arrives within ``timeout``, other than ``ignore``d chatter."""
        while not await self.communicator.receive_nothing(timeout=timeout):
            frame = await self.recv()
            if frame["type"] not in ignore:
                return False
        return True

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Any]]:
    """Open sockets to /ws/rooms/<slug>/ through the real ASGI application."""
    from config.asgi import application

    opened: list[Socket] = []

    async def open_socket(
        user: User | None, slug: str = "help-desk", *, expect_hello: bool = True, **kw: Any
    ) -> Socket:
        cookie = await database_sync_to_async(session_cookie)(user) if user is not None else None
        communicator = WebsocketCommunicator(
            application, f"/ws/rooms/{slug}/", headers=ws_headers(cookie, **kw)
        )
        connected, _ = await communicator.connect(timeout=5)
        socket = Socket(communicator)
        if not connected:
            raise ConnectionRefusedError(f"handshake refused for {slug}")
        opened.append(socket)
        if expect_hello:
            socket.hello = await socket.recv_type("hello")
        return socket

    yield open_socket
    for socket in opened:
        with contextlib.suppress(Exception):
            await socket.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    # Socket tests touch the database from asgiref's sync thread; persistent connections
    # there would outlive the test and keep the test database from being dropped.
    for alias in settings.DATABASES:
        settings.DATABASES[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session", autouse=True)
def _database_threads_closed(django_db_setup: None) -> Iterator[None]:
    # The sockets' database threads (core.dbthreads) end with the session, their
    # connections closed, before the test database is dropped (set up after it, this
    # is torn down before it).
    yield
    from core.dbthreads import close_pool

    close_pool()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # PBKDF2 at production strength costs ~0.3 s per user created; tests make hundreds.
    # Browser tests, whose server process checks passwords, switch back (tests/e2e).
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def transaction_statements(db: None) -> int:
    """Statements an empty transaction adds to a query count on this database: SQLite's
    BEGIN IMMEDIATE and COMMIT are captured, PostgreSQL's implicit ones are not. Query
    pins count the queries a write makes plus this, so they hold on both."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        pass
    return len(queries.captured_queries)


@pytest.fixture
def clock() -> Iterator[Any]:
    """The project's clock (core.clock), standing still until the test moves it:
    ``clock.advance(minutes=5)``, then fire what is due."""
    from core import clock as project_clock

    manual = project_clock.ManualClock()
    project_clock.set_source(manual)
    yield manual
    project_clock.set_source(None)


@pytest.fixture(scope="session")
def af_oracle() -> Any:
    """The real AbuseFilter of the local wiki (`make wiki`), logged in with its bot password
    (tests/moderation/abusefilter_oracle.py). Without it the test is skipped, saying so; with
    LIVECHAT_REQUIRE_WIKI=1 (CI) it fails instead, as the other wiki tests do."""
    from tests.moderation.abusefilter_oracle import AbuseFilterOracle, OracleUnavailable

    try:
        return AbuseFilterOracle.from_credentials()
    except OracleUnavailable as error:
        reason = f"no AbuseFilter to compare with: {error}"
        if os.environ.get("LIVECHAT_REQUIRE_WIKI") == "1":
            pytest.fail(f"{reason}, and LIVECHAT_REQUIRE_WIKI=1 requires the wiki tests")
        pytest.skip(f"{reason}; set LIVECHAT_REQUIRE_WIKI=1 to fail instead")
