"""Firing due timers: what `manage.py run_timers` calls in its loop, and what tests call
with the clock they moved (docs/jobs.md "As built").

A worker leases a batch of due timers in one short transaction (``SELECT … FOR UPDATE
SKIP LOCKED`` on PostgreSQL, so concurrent workers take disjoint rows; SQLite has one
writer at a time and ignores the row locks), then runs each in its own transaction,
which commits the handler's writes together with the timer's deletion.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Any, TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet

from core import clock

from .models import Timer
from .registry import handler_for

logger = logging.getLogger(__name__)

# The tail of a traceback is where its exception is; the admin shows that line.
ERROR_LENGTH = 10_000


@dataclass(frozen=True)
class Leased:
    """A timer as a worker leased it. ``due_at`` and ``lease`` (the ``leased_until`` it
    wrote) tell whether the row is still this worker's: a renewal moves ``due_at`` and
    clears the lease, another worker's lease after this one expired replaces it."""

    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    lease: datetime

    def row(self) -> QuerySet[Timer]:
        return Timer.objects.filter(pk=self.id, due_at=self.due_at, leased_until=self.lease)


class Backlog(TypedDict):
    overdue: int  # due and not yet fired (running ones included), parked ones not
    oldest_due_at: datetime | None  # of those
    parked: int


class _Superseded(Exception):
    """The timer was renewed, cancelled or re-leased while its handler ran."""


@dataclass
class _Running:
    key: str
    rescheduled: bool = False  # by its own handler: renewed (re-armed) or cancelled


_running: ContextVar[_Running | None] = ContextVar("timers_running", default=None)


def note_write(*, key: str | None = None, prefix: str | None = None) -> None:
    """Called by timers.schedule on every write: a handler that renews or cancels its own
    timer has the last word on it, unlike another transaction (see :func:`run`)."""
    running = _running.get()
    if running is not None and (
        running.key == key or (prefix is not None and running.key.startswith(prefix))
    ):
        running.rescheduled = True


def _available(now: datetime) -> QuerySet[Timer]:
    return Timer.objects.filter(parked_at__isnull=True).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    )


def lease(*, now: datetime, limit: int) -> list[Leased]:
    """Take up to ``limit`` due timers, earliest first, for LIVECHAT_TIMERS_LEASE_SECONDS.
    Two statements in one transaction, whatever the batch's size."""
    until = now + timedelta(seconds=settings.LIVECHAT_TIMERS_LEASE_SECONDS)
    with transaction.atomic():
        rows = list(
            _available(now)
            .select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at")
            .values_list("id", "key", "kind", "payload", "due_at", "attempts")[:limit]
        )
        if rows:
            Timer.objects.filter(pk__in=[row[0] for row in rows]).update(leased_until=until)
    return [Leased(*row, lease=until) for row in rows]


def run(timer: Leased, *, now: datetime) -> bool:
    """Run one leased timer's handler in a transaction that also deletes the timer; say
    whether it fired. A failure is recorded and retried later (:func:`_failed`)."""
    fn = handler_for(timer.kind)
    if fn is None:
        # A worker deployed before the app that added this kind: retried with back-off,
        # a worker that knows the kind will run it.
        _failed(timer, now=now, error=f"No handler is registered for the kind {timer.kind!r}.")
        return False
    running = _Running(timer.key)
    token = _running.set(running)
    try:
        with transaction.atomic():
            fn(key=timer.key, payload=timer.payload, now=now)
            # Deleted last, so a handler that locks its subject (the question) first takes
            # locks in the same order as the actions that cancel or renew the timer, and
            # cannot deadlock with them. Nothing deleted means the timer changed hands
            # while the handler ran: if another transaction renewed, cancelled or
            # re-leased it, that one has the last word and the handler's writes go back
            # too; if the handler itself did (re-armed its timer), they stay.
            deleted, _ = timer.row().delete()
            if not deleted and not running.rescheduled:
                raise _Superseded
    except _Superseded:
        return False
    except Exception:
        _failed(timer, now=now, error=traceback.format_exc())
        return False
    finally:
        _running.reset(token)
    return True


def _failed(timer: Leased, *, now: datetime, error: str) -> None:
    """Count a failed run and retry it after 30 s, 1 min, 2 min… (LIVECHAT_TIMERS_RETRY_*);
    after LIVECHAT_TIMERS_MAX_ATTEMPTS failures, park it: kept with its last error, never
    run again unless it is scheduled anew. Either way it cannot fail in a tight loop."""
    attempts = timer.attempts + 1
    changes: dict[str, Any] = {
        "attempts": attempts,
        "last_error": error[-ERROR_LENGTH:],
        "leased_until": None,
    }
    parked = attempts >= settings.LIVECHAT_TIMERS_MAX_ATTEMPTS
    delay = min(
        settings.LIVECHAT_TIMERS_RETRY_SECONDS * 2 ** (attempts - 1),
        settings.LIVECHAT_TIMERS_RETRY_MAX_SECONDS,
    )
    if parked:
        changes["parked_at"] = now
    else:
        changes["due_at"] = now + timedelta(seconds=delay)
    # A timer renewed or cancelled meanwhile is left as the action left it.
    if not timer.row().update(**changes):
        # Renewed or cancelled meanwhile, or the handler's transaction had committed and
        # one of its on_commit callbacks raised: nothing to retry, but worth a look.
        logger.error(
            "Timer %s (%s) raised when it was no longer this worker's to retry:\n%s",
            timer.key,
            timer.kind,
            error,
        )
    elif parked:
        logger.error(
            "Timer %s (%s) failed %d times and is parked:\n%s",
            timer.key,
            timer.kind,
            attempts,
            error,
        )
    else:
        logger.warning(
            "Timer %s (%s) failed (attempt %d); retrying in %d s:\n%s",
            timer.key,
            timer.kind,
            attempts,
            delay,
            error,
        )


def _release(timers: list[Leased]) -> None:
    """Give back leases this worker will not run (it is stopping), so that another worker
    need not wait for them to expire."""
    if timers:
        Timer.objects.filter(
            pk__in=[timer.id for timer in timers], leased_until=timers[0].lease
        ).update(leased_until=None)


def fire_due_timers(
    *,
    now: datetime | None = None,
    limit: int = 500,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Run the handlers of up to ``limit`` timers due at ``now`` (the clock's time when
    not given), each in its own transaction; return how many fired.

    Before each timer it asks ``should_stop`` (the worker's SIGTERM), and after half the
    lease it stops taking the next one, so no lease runs out under a running handler
    because of a long batch. Timers it does not get to are released for the next batch.
    """
    now = clock.now() if now is None else now
    batch = lease(now=now, limit=limit)
    started = monotonic()
    budget = settings.LIVECHAT_TIMERS_LEASE_SECONDS / 2
    fired = 0
    for index, timer in enumerate(batch):
        stopping = should_stop is not None and should_stop()
        if stopping or (index and monotonic() - started > budget):
            _release(batch[index:])
            break
        if run(timer, now=now):
            fired += 1
    return fired


def next_due(*, now: datetime) -> datetime | None:
    """When the earliest timer no worker holds is due: the worker sleeps until then."""
    return _available(now).order_by("due_at").values_list("due_at", flat=True).first()


def backlog(*, now: datetime | None = None) -> Backlog:
    """How far behind the workers are: for `run_timers --status`, the admin, metrics."""
    now = clock.now() if now is None else now
    overdue = Timer.objects.filter(parked_at__isnull=True, due_at__lte=now).aggregate(
        count=Count("pk"), oldest=Min("due_at")
    )
    return {
        "overdue": overdue["count"],
        "oldest_due_at": overdue["oldest"],
        "parked": Timer.objects.filter(parked_at__isnull=False).count(),
    }
