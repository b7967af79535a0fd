"""Question frames and events on the room socket."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from helpdesk.models import Question

from .helpers import ask

pytestmark = pytest.mark.django_db(transaction=True)


async def test_asking_on_the_socket_sends_the_question_event_to_everyone(
    connect, alice, mentor, room
):
    helper = await connect(mentor)
    asker = await connect(alice)
    await asker.send({"type": "message.send", "body": "How do I add a picture?"})
    created = await helper.recv_type("event")
    opened = await helper.recv_type("event")
    assert created["kind"] == "message.created"
    assert opened["kind"] == "question.opened"
    assert opened["event_id"] == created["event_id"] + 1
    assert opened["question"]["message_id"] == created["message"]["id"]
    assert opened["question"]["state"] == "waiting"


async def test_claim_and_resolve_frames(connect, alice, mentor, moderator, room):
    question = await database_sync_to_async(ask)(alice, room)
    helper = await connect(mentor)
    await helper.send({"type": "question.claim", "question_id": question.pk})
    answer = await helper.recv_type("question")
    assert answer["question"]["state"] == "claimed"
    event = await helper.recv_type("event")
    assert event["kind"] == "question.claimed"

    other = await connect(moderator)
    await other.send({"type": "question.claim", "question_id": question.pk})
    error = await other.recv_type("error")
    assert error["code"] == "conflict" and error["claimed_by"] == "Mentor"

    asker = await connect(alice)
    await asker.send({"type": "question.resolve", "question_id": question.pk})
    resolved = await asker.recv_type("question")
    assert resolved["question"]["state"] == "resolved"
    state = await database_sync_to_async(lambda: Question.objects.get(pk=question.pk).state)()
    assert state == "resolved"


async def test_a_bad_question_id_is_an_error_frame_naming_the_field(connect, mentor, room):
    helper = await connect(mentor)
    await helper.send({"type": "question.claim", "question_id": "x"})
    error = await helper.recv_type("error")
    assert error["code"] == "invalid" and error["field"] == "question_id"


async def test_resume_replays_question_events(connect, alice, mentor, room):
    await database_sync_to_async(ask)(alice, room)
    socket = await connect(mentor)
    await socket.send({"type": "resume", "after_event_id": 0})
    first = await socket.recv_type("event")
    second = await socket.recv_type("event")
    assert [first["kind"], second["kind"]] == ["message.created", "question.opened"]
