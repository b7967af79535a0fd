"""A new message's rows (livechat.message_rows): the one statement PostgreSQL runs writes
exactly what the ORM path writes, ids and event payload included."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from core import clock
from livechat import event_kinds as kinds
from livechat import message_rows
from livechat.models import Message, MessageRevision, Room, RoomEvent
from livechat.payloads import message_payload

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the one-statement path is PostgreSQL's; the PostgreSQL pass (CI) runs it",
)


def new_message(room: Room, author, **fields) -> Message:
    values = {
        "room": room,
        "author": author,
        "body": "Hello @Bob",
        "html": "<p>Hello <span class='mention'>@Bob</span></p>",
        "created_at": clock.now(),
        "mentions": ["Bob"],
        "review_tags": ["link"],
        **fields,
    }
    return Message(**values)


def insert(path, message: Message) -> int:
    payload = message_payload(message)
    with transaction.atomic():
        return path(
            message,
            payload=payload,
            kind=kinds.MESSAGE_CREATED,
            editor_id=message.author_id,
            now=message.created_at,
        )


def rows(message_id: int) -> tuple[dict, dict, dict]:
    message = Message.objects.get(pk=message_id)
    revision = MessageRevision.objects.get(message_id=message_id)
    event = RoomEvent.objects.get(room_id=message.room_id, event_id=message.created_event_id)
    return (
        model_to_dict(message, exclude=["id", "created_event_id", "client_id"]),
        model_to_dict(revision, exclude=["id", "message"]),
        {**model_to_dict(event, exclude=["id", "event_id"]), "payload_id": event.payload["id"]},
    )


@postgresql_only
def test_the_one_statement_writes_what_the_orm_writes(alice, bob, room):
    reply_target = new_message(room, bob, body="first", html="<p>first</p>")
    insert(message_rows._insert_through_the_orm, reply_target)

    by_orm = new_message(room, alice, reply_to_id=reply_target.pk, client_id="a")
    orm_event = insert(message_rows._insert_through_the_orm, by_orm)
    by_statement = new_message(
        room, alice, reply_to_id=reply_target.pk, client_id="b", created_at=by_orm.created_at
    )
    statement_event = insert(message_rows._insert_in_one_statement, by_statement)

    assert (orm_event, statement_event) == (2, 3)
    assert by_statement.pk > by_orm.pk
    assert by_statement.created_event_id == 3
    assert not by_statement._state.adding
    orm_rows, statement_rows = rows(by_orm.pk), rows(by_statement.pk)
    assert orm_rows[0] == statement_rows[0]
    assert orm_rows[1] == statement_rows[1]
    # The payloads differ in the message's id and client_id only.
    orm_event_row, statement_event_row = orm_rows[2], statement_rows[2]
    assert orm_event_row["payload_id"] == by_orm.pk
    assert statement_event_row["payload_id"] == by_statement.pk
    for event_row, key in ((orm_event_row, "a"), (statement_event_row, "b")):
        assert event_row["payload"].pop("client_id") == key
        event_row["payload"].pop("id")
        event_row.pop("payload_id")
    assert orm_event_row == statement_event_row
    room.refresh_from_db()
    assert room.last_event_id == 3


@postgresql_only
def test_the_one_statement_keeps_nulls_and_empty_lists(alice, room):
    message = new_message(room, alice, mentions=[], review_tags=[], edited_at=None)
    insert(message_rows._insert_in_one_statement, message)
    stored = Message.objects.get(pk=message.pk)
    assert (stored.client_id, stored.reply_to_id, stored.edited_at) == (None, None, None)
    assert (stored.mentions, stored.review_tags, stored.reactions) == ([], [], [])
    assert (stored.revision, stored.hidden) == (1, False)


@postgresql_only
def test_a_missing_room_writes_nothing(alice, room):
    message = new_message(room, alice)
    message.room_id = room.pk + 1000
    with pytest.raises(Room.DoesNotExist):
        insert(message_rows._insert_in_one_statement, message)
    assert not Message.objects.exists()
    assert not RoomEvent.objects.exists()


def test_the_public_function_fills_the_payloads_id_and_publishes_it(alice, room):
    message = new_message(room, alice)
    payload = message_payload(message)
    with transaction.atomic():
        event_id = message_rows.insert_new_message(
            message,
            kind=kinds.MESSAGE_CREATED,
            payload=payload,
            editor_id=alice.pk,
            now=message.created_at,
        )
    assert event_id == 1
    assert payload["id"] == message.pk
    assert RoomEvent.objects.get().payload == payload


# --- alone or in a transaction ---------------------------------------------------------------


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_the_statement_is_prepared_once_per_connection_unless_turned_off(
    alice, room, settings, prepared
):
    settings.LIVECHAT_DB_PREPARED_STATEMENTS = prepared
    connection.close()  # the setting applies to new connections
    first = insert(message_rows.insert_new_message, new_message(room, alice))
    second = insert(message_rows.insert_new_message, new_message(room, alice))
    assert second == first + 1
    ours = [s for s in prepared_statements() if s.startswith("WITH allocated AS")]
    assert len(ours) == (1 if prepared else 0)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_plain_send_is_one_statement_and_its_own_transaction(alice, room):
    from django.test.utils import CaptureQueriesContext

    from livechat import actions

    actions.send_message(user=alice, room=room, body="warm-up")  # the guard's caches
    with CaptureQueriesContext(connection) as queries:
        change = actions.send_message(user=alice, room=room, body="plain", client_id="p1")
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("WITH allocated AS")
    assert change.event_id == 2
    assert RoomEvent.objects.get(event_id=2).payload["id"] == change.message.pk


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("body", "reply", "slug"),
    [
        ("@Bob look", False, "lounge"),  # a mention notifies
        ("a reply", True, "lounge"),  # a reply notifies its target's author
        ("a question", False, None),  # the help desk's hook opens a question
    ],
)
def test_a_send_that_writes_more_takes_a_transaction(alice, bob, room, settings, body, reply, slug):
    from django.test.utils import CaptureQueriesContext

    from livechat import actions

    settings.LIVECHAT_HELP_ROOMS = [room.slug]
    target = room if slug is None else Room.objects.create(slug=slug, name=slug)
    earlier = actions.send_message(user=bob, room=target, body="earlier").message.pk
    actions.send_message(user=alice, room=target, body="warm-up")  # the guard's caches
    with CaptureQueriesContext(connection) as queries:
        actions.send_message(
            user=alice, room=target, body=body, reply_to=earlier if reply else None
        )
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT", statements


@pytest.mark.django_db(transaction=True)
def test_without_a_transaction_the_orm_path_refuses(alice, room, monkeypatch):
    from django.db.transaction import TransactionManagementError

    monkeypatch.setattr(message_rows, "one_statement", lambda: False)
    message = new_message(room, alice)
    with pytest.raises(TransactionManagementError):
        message_rows.insert_new_message(
            message,
            kind=kinds.MESSAGE_CREATED,
            payload=message_payload(message),
            editor_id=alice.pk,
            now=message.created_at,
        )
