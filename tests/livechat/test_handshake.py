"""Who may open a room socket."""

from __future__ import annotations

import pytest

from tests.conftest import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_signed_in_user_with_our_origin_connects(connect, alice, room):
    socket = await connect(alice, origin=ORIGIN)
    assert socket.hello["type"] == "hello"


async def test_it_refuses_a_handshake_without_a_session(connect, room):
    with pytest.raises(ConnectionRefusedError):
        await connect(None)


@pytest.mark.parametrize(
    "origin",
    [
        None,  # no Origin header at all
        "null",  # sandboxed iframes, file:// pages
        "",
        "http://evil.example",
        "http://127.0.0.1:9999",  # the right host on another port: another application
        "https://127.0.0.1:8000",  # the right host and port, another scheme
        "http://127.0.0.1.evil.example:8000",
        "ws://127.0.0.1:8000",
    ],
)
async def test_it_refuses_a_foreign_origin(connect, alice, room, origin):
    with pytest.raises(ConnectionRefusedError):
        await connect(alice, origin=origin)


async def test_it_refuses_a_host_not_in_allowed_hosts(connect, alice, room):
    with pytest.raises(ConnectionRefusedError):
        await connect(alice, origin="http://evil.example:8000", host="evil.example:8000")


async def test_a_trusted_origin_may_connect(connect, alice, room, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://chat.example.org"]
    socket = await connect(alice, origin="https://chat.example.org")
    assert socket.hello["type"] == "hello"


async def test_an_unknown_room_is_refused(connect, alice, room):
    with pytest.raises(ConnectionRefusedError):
        await connect(alice, slug="no-such-room")


async def test_an_inactive_account_is_refused(connect, alice, room):
    from channels.db import database_sync_to_async

    cookie_user = alice
    alice.is_active = False
    await database_sync_to_async(alice.save)()
    with pytest.raises(ConnectionRefusedError):
        await connect(cookie_user)
