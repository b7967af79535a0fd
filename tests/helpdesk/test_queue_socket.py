"""The helpers' socket, /ws/helpdesk/, through the real ASGI application (router, origin
check, auth): question changes arrive live, claims answer over it, only helpers get in."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import User
from core import clock
from helpdesk import actions
from helpdesk.availability import available_helper_ids
from helpdesk.models import Question
from livechat import actions as chat
from livechat.models import Room
from livechat.presence import users_online

from ..conftest import Socket, fresh, session_cookie, ws_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def helpdesk_socket() -> AsyncIterator[Callable[..., Any]]:
    """Open sockets to /ws/helpdesk/ (their `hello` read)."""
    from config.asgi import application

    opened: list[Socket] = []

    async def open_socket(user: User | None, **headers: Any) -> Socket:
        cookie = await database_sync_to_async(session_cookie)(user) if user else None
        communicator = WebsocketCommunicator(
            application, "/ws/helpdesk/", headers=ws_headers(cookie, **headers)
        )
        connected, _ = await communicator.connect(timeout=5)
        if not connected:
            raise ConnectionRefusedError("handshake refused for /ws/helpdesk/")
        socket = Socket(communicator)
        opened.append(socket)
        socket.hello = await socket.recv_type("hello")
        return socket

    yield open_socket
    for socket in opened:
        with contextlib.suppress(Exception):
            await socket.close()


@database_sync_to_async
def ask(user: User, room: Room, body: str = "How do I add a picture?") -> Question:
    change = chat.send_message(user=fresh(user), room=room, body=body)
    return Question.objects.get(links__message=change.message)


async def test_it_says_hello_to_a_helper(helpdesk_socket, mentor):
    socket = await helpdesk_socket(mentor)
    assert socket.hello == {
        "type": "hello",
        "user": {"id": mentor.pk, "username": "Mentor", "roles": ["mentor"]},
    }


async def test_a_helper_hears_of_a_newcomers_question_at_once(
    helpdesk_socket, connect, mentor, moderator, alice, room
):
    helper = await helpdesk_socket(moderator)
    other = await helpdesk_socket(mentor)
    asker = await connect(alice)
    await asker.send({"type": "message.send", "body": "How do I add a picture?"})

    frame = await helper.recv_type("question.changed")
    assert frame["kind"] == "question.opened"
    question = frame["question"]
    assert question["asker"]["username"] == "Alice"
    assert question["state"] == "waiting"
    assert question["room"] == "help-desk"
    assert await other.recv_type("question.changed") == frame
    assert await helper.nothing(), "one frame per change"


async def test_every_change_of_a_question_reaches_the_queue(
    helpdesk_socket, moderator, alice, room
):
    helper = await helpdesk_socket(moderator)
    question = await ask(alice, room)
    assert (await helper.recv_type("question.changed"))["kind"] == "question.opened"

    await database_sync_to_async(actions.claim_question)(user=moderator, question_id=question.pk)
    claimed = await helper.recv_type("question.changed")
    assert claimed["kind"] == "question.claimed"
    assert claimed["question"]["claimed_by"]["username"] == "Mod"

    await database_sync_to_async(actions.resolve_question)(user=moderator, question_id=question.pk)
    resolved = await helper.recv_type("question.changed")
    assert (resolved["kind"], resolved["question"]["state"]) == ("question.resolved", "resolved")


@pytest.mark.parametrize("who", ["newcomer", "anonymous"])
async def test_only_helpers_get_through_the_handshake(helpdesk_socket, who, alice):
    with pytest.raises(ConnectionRefusedError):
        await helpdesk_socket(alice if who == "newcomer" else None)


async def test_a_socket_from_another_origin_is_refused(helpdesk_socket, moderator):
    with pytest.raises(ConnectionRefusedError):
        await helpdesk_socket(moderator, origin="http://evil.example")


async def test_a_claim_over_the_socket_answers_with_the_question(
    helpdesk_socket, mentor, moderator, alice, room
):
    watcher = await helpdesk_socket(moderator)
    socket = await helpdesk_socket(mentor)
    question = await ask(alice, room)
    await socket.recv_type("question.changed")
    await watcher.recv_type("question.changed")

    await socket.send({"type": "question.claim", "question_id": question.pk})
    answer = await socket.recv_type("question")
    assert answer["question"]["state"] == "claimed"
    assert answer["question"]["claimed_by"]["username"] == "Mentor"
    changed = await watcher.recv_type("question.changed")
    assert changed["kind"] == "question.claimed"


async def test_a_second_claim_is_refused_naming_the_helper_on_it(
    helpdesk_socket, mentor, moderator, alice, room
):
    socket = await helpdesk_socket(mentor)
    question = await ask(alice, room)
    await database_sync_to_async(actions.claim_question)(user=moderator, question_id=question.pk)

    await socket.send({"type": "question.claim", "question_id": question.pk})
    error = await socket.recv_type("error")
    assert error["code"] == "conflict"
    assert error["detail"] == "Mod is already on this question."
    assert error["claimed_by"] == "Mod"
    assert error["question_id"] == question.pk
    # The socket stays open: release and resolve answer as well.
    await socket.send({"type": "question.unclaim", "question_id": question.pk})
    refused = await socket.recv_type("error")
    assert (refused["code"], refused["question_id"]) == ("forbidden", question.pk)
    await socket.send({"type": "question.resolve", "question_id": question.pk})
    resolved = await socket.recv_type("question")
    assert resolved["question"]["state"] == "resolved"


async def test_bad_frames_are_errors_and_keep_the_socket_open(helpdesk_socket, mentor):
    socket = await helpdesk_socket(mentor)
    await socket.send_raw("not json")
    assert (await socket.recv_type("error"))["code"] == "invalid"
    await socket.send({"type": "message.send", "body": "hi"})
    error = await socket.recv_type("error")
    assert error["code"] == "invalid"
    assert "Unknown frame type" in error["detail"]
    await socket.send({"type": "question.claim", "question_id": "x"})
    error = await socket.recv_type("error")
    assert (error["code"], error["question_id"]) == ("invalid", "x")
    await socket.send({"type": "question.claim", "question_id": 999_999})
    assert (await socket.recv_type("error"))["code"] == "not_found"


async def test_an_open_socket_counts_the_helper_online_and_active_pings_available(
    helpdesk_socket, mentor
):
    socket = await helpdesk_socket(mentor)
    assert await database_sync_to_async(users_online)([mentor.pk]) == {mentor.pk}
    now = clock.now()
    assert mentor.pk not in await database_sync_to_async(available_helper_ids)(now=now)

    await socket.send({"type": "active"})
    assert await socket.nothing(), "a ping is not answered"
    assert mentor.pk in await database_sync_to_async(available_helper_ids)(now=clock.now())

    await socket.close()
    assert await database_sync_to_async(users_online)([mentor.pk]) == set()
