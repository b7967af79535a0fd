"""Writing timers: call these inside the transaction of the action that makes a timer
necessary (asking a question, claiming it, answering it), so the timer commits or rolls
back with the action.

A timer is named by its key, which is also its idempotency key: one timer per key, so
"question:42:escalate" exists at most once however often it is scheduled.

The whole interface is importable from here as from ``timers.api``: the registry
(``handler``, ``register_handler``) and the worker's ``fire_due_timers`` and ``backlog``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.models import Value
from django.db.models.functions import Left
from django.db.models.lookups import Exact

from core import clock

from .models import KEY_LENGTH, Timer
from .registry import KIND_LENGTH, Handler, handler, register_handler
from .worker import Backlog, backlog, fire_due_timers, note_write

__all__ = [
    "Backlog",
    "Handler",
    "backlog",
    "cancel",
    "cancel_prefix",
    "fire_due_timers",
    "handler",
    "pending",
    "register_handler",
    "schedule",
    "schedule_once",
]

# Everything but the key (the conflict target) and created_at: a renewed timer starts
# afresh (no lease, no failures, not parked) at its new time.
_RESET_FIELDS = ["kind", "payload", "due_at", "leased_until", "attempts", "last_error", "parked_at"]


def _new_timer(*, key: str, kind: str, due_at: datetime, payload: dict[str, Any] | None) -> Timer:
    if not key or len(key) > KEY_LENGTH:
        raise ValueError(f"A timer key has 1 to {KEY_LENGTH} characters: {key!r}.")
    if not kind or len(kind) > KIND_LENGTH:
        raise ValueError(f"A timer kind has 1 to {KIND_LENGTH} characters: {kind!r}.")
    if due_at.tzinfo is None:
        raise ValueError("A timer's due_at must be timezone-aware.")
    return Timer(
        key=key,
        kind=kind,
        due_at=due_at,
        payload={} if payload is None else payload,
        created_at=clock.now(),
    )


def schedule(
    *, key: str, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
) -> None:
    """Set the timer ``key`` to fire at ``due_at``: insert it, or move it (renew a claim's
    lapse) and replace its kind and payload. A renewed timer forgets its failures and any
    lease: a worker running the old one rolls back its handler's work and leaves the row for
    the new time (timers.worker), unless that handler is the one renewing it (re-arming)."""
    timer = _new_timer(key=key, kind=kind, due_at=due_at, payload=payload)
    note_write(key=key)
    # INSERT … ON CONFLICT (key) DO UPDATE: one statement on PostgreSQL and SQLite.
    Timer.objects.bulk_create(
        [timer], update_conflicts=True, unique_fields=["key"], update_fields=_RESET_FIELDS
    )


def schedule_once(
    *, key: str, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
) -> bool:
    """Schedule the timer ``key`` unless it is already waiting to fire, and say whether
    this call scheduled it. The waiting timer keeps its first due time and payload: the
    email for an unread reply is sent two minutes after the *first* reply, and later
    replies join it.

    A timer that is not waiting counts as absent and is replaced, as :func:`schedule`
    would: one a worker is running right now (its run may already have read the state the
    new call adds to, so it rolls back and the new one fires at the new time) or one parked
    after failing too often. Exact on PostgreSQL and SQLite (the statement's row count).
    """
    timer = _new_timer(key=key, kind=kind, due_at=due_at, payload=payload)
    note_write(key=key)
    connection = connections[router.db_for_write(Timer)]
    quote = connection.ops.quote_name
    fields = [field for field in Timer._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(timer, True), connection) for field in fields]
    table = quote(Timer._meta.db_table)
    column = {field.name: quote(field.column) for field in fields}
    # bulk_create(ignore_conflicts=True) cannot tell an insert from a conflict, nor replace
    # a running or parked timer; INSERT … ON CONFLICT … DO UPDATE … WHERE does both, and
    # its row count is 1 exactly when a timer was inserted or replaced.
    sql = (
        f"INSERT INTO {table} ({', '.join(column[field.name] for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({column['key']}) DO UPDATE SET "
        + ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in _RESET_FIELDS)
        + f" WHERE {table}.{column['leased_until']} IS NOT NULL"
        f" OR {table}.{column['parked_at']} IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount == 1


def cancel(*, key: str) -> None:
    """Delete the timer ``key`` if there is one (a running one's handler then rolls back)."""
    note_write(key=key)
    Timer.objects.filter(key=key).delete()


def cancel_prefix(*, prefix: str) -> None:
    """Delete every timer whose key starts with ``prefix``, case-sensitively: end it with
    the separator ("question:42:"), or "question:4" would take question 42's timers too."""
    if not prefix:
        raise ValueError("cancel_prefix needs a prefix; an empty one would cancel every timer.")
    note_write(prefix=prefix)
    # LIKE lets PostgreSQL use the key's pattern index (Django makes one for a unique
    # CharField); SQLite's LIKE ignores case, so the exact comparison of the key's first
    # characters decides.
    Timer.objects.filter(key__startswith=prefix).filter(
        Exact(Left("key", len(prefix)), Value(prefix))
    ).delete()


def pending(*, key: str) -> Timer | None:
    """The timer ``key`` as stored (waiting, running or parked), or None."""
    return Timer.objects.filter(key=key).first()
