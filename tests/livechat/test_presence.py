"""Who is online: hello, presence frames, several tabs, dead connections."""

from __future__ import annotations

import asyncio

import pytest

from livechat.presence import member_key, store

pytestmark = pytest.mark.django_db(transaction=True)


def names(frame):
    return [user["username"] for user in frame["online"]]


async def test_joining_and_leaving_are_announced(connect, alice, bob, room):
    a = await connect(alice)
    assert names(await a.recv_type("presence")) == ["Alice"]  # its own join
    b = await connect(bob)
    assert names(b.hello) == ["Alice", "Bob"]
    assert names(await a.recv_type("presence")) == ["Alice", "Bob"]
    await b.close()
    assert names(await a.recv_type("presence")) == ["Alice"]


async def settle(socket, username):
    """Skip presence frames published before the socket's own join: the Redis pub/sub
    layer may hand a new member frames it read from Redis just after the join."""
    while username not in names(await socket.recv_type("presence")):
        pass


async def test_several_tabs_of_one_user_count_once(connect, alice, bob, room):
    await connect(alice)
    second_tab = await connect(alice)
    assert names(second_tab.hello) == ["Alice"]
    b = await connect(bob)
    assert names(b.hello) == ["Alice", "Bob"]
    await settle(b, "Bob")
    await second_tab.close()
    frame = await b.recv_type("presence")
    assert names(frame) == ["Alice", "Bob"], "Alice still has a tab open"


async def test_a_connection_that_died_without_a_goodbye_drops_out(
    connect, alice, bob, room, settings
):
    """A killed process never runs disconnect(); its entry ages out and the next live
    socket to refresh prunes it and tells the room."""
    settings.LIVECHAT_PRESENCE_TTL = 1
    dead = member_key("gone-process!abc", {"id": alice.pk, "username": "Alice", "roles": []})
    await store().touch(room.pk, dead)
    b = await connect(bob)
    assert names(b.hello) == ["Alice", "Bob"]
    frame = await b.recv_type("presence", timeout=5)
    while "Alice" in names(frame):
        frame = await b.recv_type("presence", timeout=5)
    assert names(frame) == ["Bob"]


async def test_online_counts_in_the_room_list(connect, alice, bob, room, other_room):
    await connect(alice)
    await connect(bob)
    await connect(bob)
    counts = await asyncio.to_thread(store().online_counts, [room.pk, other_room.pk])
    assert counts == {room.pk: 2, other_room.pk: 0}
