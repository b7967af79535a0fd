"""A new message's rows: its event id, the message, its first revision and its event.

Through the ORM that is four statements after ``BEGIN``: the room's event-id ``UPDATE``
and three ``INSERT``s, each a round trip and, for the inserts, a model save with its
compiler. In a process busy with sends the three saves were 29 % of its CPU (py-spy,
docs/benchmarks.md section 10), the largest single part of a send. On PostgreSQL the four
are one statement instead: data-modifying CTEs share the ``UPDATE``'s row, which hands out
the event id (and so keeps the room's lock order and contiguous ids, livechat.events) and
takes the message's id from its sequence; the event's payload gets that id with
``jsonb_set``. Other databases (SQLite has no data-modifying CTEs) write the same rows
through the ORM. Both paths are checked against each other (tests/livechat/test_message_rows.py).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.transaction import TransactionManagementError

from .events import Payload, allocate_event_id, announce_event, check_kind, log_event
from .models import Message, MessageRevision, Room, RoomEvent


def insert_new_message(
    message: Message, *, kind: str, payload: Payload, editor_id: int, now: datetime
) -> int:
    """Persist the unsaved ``message``, its first revision by ``editor_id`` and the event
    ``kind`` carrying ``payload`` (built from the unsaved message: its ``id`` is filled in
    here), and publish the event after commit. Runs inside the write's transaction; on
    PostgreSQL it may also run alone, as a transaction of its own (autocommit).
    Returns the event id; ``message`` comes back saved, with its pk and event id."""
    if not one_statement():
        return _insert_through_the_orm(
            message, payload=payload, kind=kind, editor_id=editor_id, now=now
        )
    check_kind(kind)
    event_id = _insert_in_one_statement(
        message, payload=payload, kind=kind, editor_id=editor_id, now=now
    )
    payload["id"] = message.pk
    announce_event(room_id=message.room_id, event_id=event_id, kind=kind, payload=payload)
    return event_id


def one_statement() -> bool:
    """Whether a new message's rows are one statement here (PostgreSQL)."""
    return connections[router.db_for_write(Message)].vendor == "postgresql"


def _insert_through_the_orm(
    message: Message, *, payload: Payload, kind: str, editor_id: int, now: datetime
) -> int:
    if not connections[router.db_for_write(Message)].in_atomic_block:
        raise TransactionManagementError("A new message's rows need a transaction here.")
    event_id = allocate_event_id(message.room_id)
    message.created_event_id = event_id
    message.save(force_insert=True)
    MessageRevision.objects.create(
        message=message,
        number=1,
        body=message.body,
        html=message.html,
        editor_id=editor_id,
        created_at=now,
    )
    payload["id"] = message.pk
    log_event(room_id=message.room_id, event_id=event_id, kind=kind, payload=payload, now=now)
    return event_id


def _insert_in_one_statement(
    message: Message, *, payload: Payload, kind: str, editor_id: int, now: datetime
) -> int:
    connection = connections[router.db_for_write(Message)]
    revision = MessageRevision(
        number=1, body=message.body, html=message.html, editor_id=editor_id, created_at=now
    )
    event = RoomEvent(room_id=message.room_id, kind=kind, payload=payload, created_at=now)
    sql, message_fields, revision_fields, event_fields = _statement(connection.alias)
    params = [
        message.room_id,
        *_values(message, message_fields, connection),
        *_values(revision, revision_fields, connection),
        *_values(event, event_fields, connection),
    ]
    with _server_binding_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"room {message.room_id} does not exist")
    event_id, message.pk = int(row[0]), int(row[1])
    message.created_event_id = event_id
    message._state.adding = False
    message._state.db = connection.alias
    return event_id


def _server_binding_cursor(connection: Any) -> Any:
    """A cursor that sends the values apart from the statement, wrapped as Django wraps
    its own (query logging, execute wrappers). Django's default client-side binding
    quotes each value into the text in Python: for this statement's ~20 values that was
    7 % of a send-bound process's CPU (py-spy --gil); psycopg's server-side binding dumps
    them in C. The statement types every value itself (its casts), as binding needs."""
    connection.ensure_connection()
    raw = _cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@cache
def _cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):  # type: ignore[misc,valid-type]
        """Asks for what it runs to be prepared, once per connection: this statement,
        run for every plain send, was parsed and planned by PostgreSQL each time. The
        backend (core.postgres) allows it unless ``LIVECHAT_DB_PREPARED_STATEMENTS`` is
        off, for poolers in transaction mode (docs/deployment.md)."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", True)
            return super().execute(query, params, **kwargs)

    return PreparedCursor


def _values(obj: Model, fields: list[Field], connection: Any) -> list[Any]:
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]


# The columns the statement fills itself: the ids it takes and the payload it completes.
_MESSAGE_SET = {"id", "created_event_id"}
_REVISION_SET = {"id", "message"}
_EVENT_SET = {"id", "event_id", "payload"}


@cache
def _statement(alias: str) -> tuple[str, list[Field], list[Field], list[Field]]:
    """The statement (built once per database) and the fields whose values it takes, in
    order, after the room's id."""
    connection = connections[alias]
    quote = connection.ops.quote_name

    def fields(model: type[Model], exclude: set[str]) -> list[Field]:
        return [f for f in model._meta.concrete_fields if f.name not in exclude]

    def columns(model_fields: list[Field]) -> str:
        return ", ".join(quote(f.column) for f in model_fields)

    def placeholders(model_fields: list[Field]) -> str:
        # INSERT … SELECT types its values as the SELECT does, not as the columns: a
        # bare NULL or quoted time would be text. Each value is cast to its column's type.
        return ", ".join(f"%s::{f.cast_db_type(connection)}" for f in model_fields)

    message_fields = fields(Message, _MESSAGE_SET)
    revision_fields = fields(MessageRevision, _REVISION_SET)
    event_fields = fields(RoomEvent, _EVENT_SET)
    room = quote(Room._meta.db_table)
    message_table = Message._meta.db_table
    last_event_id = quote("last_event_id")
    sql = (
        f"WITH allocated AS ("
        f"UPDATE {room} SET {last_event_id} = {last_event_id} + 1 WHERE {quote('id')} = %s "
        f"RETURNING {last_event_id} AS event_id, "
        f"nextval(pg_get_serial_sequence('{quote(message_table)}', 'id')) AS message_id"
        f"), new_message AS ("
        f"INSERT INTO {quote(message_table)} "
        f"({quote('id')}, {quote('created_event_id')}, {columns(message_fields)}) "
        f"SELECT message_id, event_id, {placeholders(message_fields)} FROM allocated"
        f"), new_revision AS ("
        f"INSERT INTO {quote(MessageRevision._meta.db_table)} "
        f"({quote('message_id')}, {columns(revision_fields)}) "
        f"SELECT message_id, {placeholders(revision_fields)} FROM allocated"
        f"), new_event AS ("
        f"INSERT INTO {quote(RoomEvent._meta.db_table)} "
        f"({quote('event_id')}, {quote('payload')}, {columns(event_fields)}) "
        f"SELECT event_id, jsonb_set(%s::jsonb, '{{id}}', to_jsonb(message_id)), "
        f"{placeholders(event_fields)} FROM allocated"
        f") SELECT event_id, message_id FROM allocated"
    )
    # The payload's value goes before the event's other fields.
    event_fields = [RoomEvent._meta.get_field("payload"), *event_fields]
    return sql, message_fields, revision_fields, event_fields
