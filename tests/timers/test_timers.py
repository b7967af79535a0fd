"""Timers: scheduling, renewing, consolidating and cancelling them; firing them with the
project's clock (never by sleeping); failures, leases and workers (docs/jobs.md)."""

from __future__ import annotations

import io
import logging
import os
import signal
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from tests.conftest import make_user
from timers import api as timers
from timers import registry, worker
from timers.models import Timer

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time and no row locks: concurrent workers need "
    "PostgreSQL (DATABASE_URL)",
)


class Handlers:
    """The test kinds' handlers. Each writes to the database the way a real handler does
    (here: a marker timer "done:<key>", due in a year), so tests can tell whether that
    write committed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], datetime]] = []
        self.lock = threading.Lock()

    def mark(self, key: str, now: datetime) -> None:
        timers.schedule(key=f"done:{key}", kind="tests.noop", due_at=now + timedelta(days=365))

    def record(self, *, key: str, payload: dict[str, Any], now: datetime) -> None:
        with self.lock:
            self.calls.append((key, payload, now))
        self.mark(key, now)

    def fail(self, *, key: str, payload: dict[str, Any], now: datetime) -> None:
        self.calls.append((key, payload, now))
        self.mark(key, now)
        raise RuntimeError("the wiki did not answer")

    def noop(self, *, key: str, payload: dict[str, Any], now: datetime) -> None:
        pass

    def keys(self) -> list[str]:
        return [key for key, _, _ in self.calls]


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> Handlers:
    monkeypatch.setattr(registry, "_handlers", {})
    recorder = Handlers()
    timers.register_handler("tests.record", recorder.record)
    timers.register_handler("tests.fail", recorder.fail)
    timers.register_handler("tests.noop", recorder.noop)
    return recorder


def done(key: str) -> bool:
    """Whether the handler's own write for ``key`` committed."""
    return timers.pending(key=f"done:{key}") is not None


def schedule(key: str, due_at: datetime, kind: str = "tests.record", **payload: Any) -> None:
    timers.schedule(key=key, kind=kind, due_at=due_at, payload=payload)


# --- firing --------------------------------------------------------------------------------


def test_it_fires_a_timer_when_due_and_not_a_second_before(clock, handlers):
    due = clock() + timedelta(minutes=5)
    schedule("question:42:escalate", due, question=42)

    assert timers.fire_due_timers(now=due - timedelta(seconds=1)) == 0
    assert handlers.calls == []

    clock.set(due)
    assert timers.fire_due_timers() == 1
    assert handlers.calls == [("question:42:escalate", {"question": 42}, due)]
    assert timers.pending(key="question:42:escalate") is None
    assert done("question:42:escalate")


def test_it_fires_a_timer_once_however_often_it_is_asked_to(clock, handlers):
    schedule("question:42:escalate", clock())

    assert timers.fire_due_timers(now=clock()) == 1
    assert timers.fire_due_timers(now=clock()) == 0
    assert timers.fire_due_timers(now=clock.advance(hours=1)) == 0
    assert handlers.keys() == ["question:42:escalate"]


def test_it_fires_the_earliest_first_and_at_most_the_limit(clock, handlers):
    now = clock()
    for minutes in (3, 1, 2):
        schedule(f"t:{minutes}", now - timedelta(minutes=minutes))

    assert timers.fire_due_timers(now=now, limit=2) == 2
    assert handlers.keys() == ["t:3", "t:2"]
    assert timers.fire_due_timers(now=now, limit=2) == 1
    assert handlers.keys() == ["t:3", "t:2", "t:1"]


def test_it_moves_a_renewed_timer(clock, handlers):
    now = clock()
    schedule("question:42:claim", now + timedelta(minutes=10), helper="Mentor")
    schedule("question:42:claim", now + timedelta(minutes=15), helper="Other")

    assert timers.fire_due_timers(now=now + timedelta(minutes=10)) == 0
    assert timers.fire_due_timers(now=now + timedelta(minutes=15)) == 1
    assert handlers.calls == [
        ("question:42:claim", {"helper": "Other"}, now + timedelta(minutes=15))
    ]
    assert Timer.objects.filter(key__startswith="question:").count() == 0


def test_schedule_once_keeps_the_first_due_time_and_payload(clock, handlers):
    first = clock() + timedelta(minutes=2)

    assert timers.schedule_once(key="email:7", kind="tests.record", due_at=first, payload={"n": 1})
    assert not timers.schedule_once(
        key="email:7", kind="tests.record", due_at=first + timedelta(minutes=1), payload={"n": 2}
    )

    timer = timers.pending(key="email:7")
    assert (timer.due_at, timer.payload) == (first, {"n": 1})
    assert timers.fire_due_timers(now=first) == 1
    assert handlers.calls == [("email:7", {"n": 1}, first)]
    # Fired, so the next reply starts a new email.
    assert timers.schedule_once(key="email:7", kind="tests.record", due_at=first, payload={})


def test_it_cancels_a_timer(clock, handlers):
    schedule("question:42:escalate", clock())
    schedule("question:43:escalate", clock())

    timers.cancel(key="question:42:escalate")
    timers.cancel(key="no:such:timer")

    assert timers.fire_due_timers(now=clock()) == 1
    assert handlers.keys() == ["question:43:escalate"]


def test_it_cancels_by_prefix_exactly(clock, handlers):
    now = clock()
    for key in ["question:42:everyone", "question:42:feed", "question:420:feed", "Question:42:x"]:
        schedule(key, now)

    timers.cancel_prefix(prefix="question:42:")

    assert sorted(Timer.objects.values_list("key", flat=True)) == [
        "Question:42:x",
        "question:420:feed",
    ]
    with pytest.raises(ValueError):
        timers.cancel_prefix(prefix="")


def test_the_handler_gets_the_batch_time_and_a_missing_payload_is_empty(clock, handlers):
    due = clock()
    timers.schedule(key="t", kind="tests.record", due_at=due)

    timers.fire_due_timers(now=due + timedelta(seconds=3))

    assert handlers.calls == [("t", {}, due + timedelta(seconds=3))]


# --- leases: renewed, cancelled or re-leased while running ----------------------------------


def test_a_timer_renewed_while_leased_survives_the_run_of_the_old_lease(clock, handlers):
    now = clock()
    schedule("question:42:claim", now)
    [leased] = worker.lease(now=now, limit=10)

    # The helper is active again while a worker holds the lapse.
    schedule("question:42:claim", now + timedelta(minutes=10))

    assert not worker.run(leased, now=now)
    # The lapse's work went back with it; the renewed timer waits for its new time.
    assert not done("question:42:claim")
    timer = timers.pending(key="question:42:claim")
    assert (timer.due_at, timer.leased_until) == (now + timedelta(minutes=10), None)
    assert timers.fire_due_timers(now=now + timedelta(minutes=10)) == 1
    assert done("question:42:claim")


def test_a_timer_renewed_by_an_earlier_handler_in_the_batch_waits_for_its_new_time(clock, handlers):
    now = clock()
    later = now + timedelta(minutes=10)

    def renew_the_other(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        schedule("b", later)

    timers.register_handler("tests.renew", renew_the_other)
    schedule("a", now - timedelta(seconds=2), kind="tests.renew")
    schedule("b", now - timedelta(seconds=1))

    assert timers.fire_due_timers(now=now) == 1  # "a" only
    assert not done("b")  # its run found the timer moved and rolled back
    assert timers.pending(key="b").due_at == later
    assert timers.fire_due_timers(now=later) == 1
    assert done("b")


def test_a_timer_cancelled_while_leased_rolls_back_its_run(clock, handlers):
    schedule("question:42:escalate", clock())
    [leased] = worker.lease(now=clock(), limit=10)

    timers.cancel_prefix(prefix="question:42:")  # answered meanwhile

    assert not worker.run(leased, now=clock())
    assert not done("question:42:escalate")
    assert timers.pending(key="question:42:escalate") is None


def test_a_handler_may_re_arm_or_cancel_its_own_timer(clock, handlers):
    now = clock()
    later = now + timedelta(hours=1)

    def re_arm(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        handlers.record(key=key, payload=payload, now=now)
        schedule(key, later, kind="tests.re-arm")

    def cancel_own(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        handlers.record(key=key, payload=payload, now=now)
        timers.cancel_prefix(prefix="reminder:")

    timers.register_handler("tests.re-arm", re_arm)
    timers.register_handler("tests.cancel-own", cancel_own)
    schedule("digest:7", now, kind="tests.re-arm")
    schedule("reminder:7", now, kind="tests.cancel-own")

    assert timers.fire_due_timers(now=now) == 2
    # Their own word stands: their writes committed, one timer re-armed, one gone.
    assert done("digest:7") and done("reminder:7")
    timer = timers.pending(key="digest:7")
    assert (timer.due_at, timer.leased_until) == (later, None)
    assert timers.pending(key="reminder:7") is None
    assert timers.fire_due_timers(now=later) == 1


def test_schedule_once_while_the_timer_runs_schedules_the_next_one(clock, handlers):
    now = clock()
    timers.schedule_once(key="email:7", kind="tests.record", due_at=now)
    [leased] = worker.lease(now=now, limit=10)

    # A reply arrives while its email is being put together: it must not be left out.
    later = now + timedelta(minutes=2)
    assert timers.schedule_once(key="email:7", kind="tests.record", due_at=later)

    assert not worker.run(leased, now=now)
    assert timers.fire_due_timers(now=later) == 1
    assert handlers.keys() == ["email:7", "email:7"]  # the first run rolled back
    assert timers.pending(key="email:7") is None


def test_a_crashed_workers_lease_expires_and_another_worker_runs_the_timer(
    clock, handlers, settings
):
    settings.LIVECHAT_TIMERS_LEASE_SECONDS = 60
    now = clock()
    schedule("question:42:escalate", now)
    [crashed] = worker.lease(now=now, limit=10)  # ... and never runs it

    assert timers.fire_due_timers(now=now + timedelta(seconds=60)) == 0

    # Another worker takes it once the lease ran out; the first one, waking up late,
    # finds it no longer holds it.
    [again] = worker.lease(now=now + timedelta(seconds=61), limit=10)
    assert not worker.run(crashed, now=now)
    assert worker.run(again, now=now + timedelta(seconds=61))
    assert handlers.keys() == ["question:42:escalate", "question:42:escalate"]
    assert done("question:42:escalate")
    assert timers.pending(key="question:42:escalate") is None


def test_a_stopping_worker_finishes_its_timer_and_releases_the_rest(clock, handlers):
    for index in range(3):
        schedule(f"t:{index}", clock() - timedelta(seconds=3 - index))

    fired = timers.fire_due_timers(now=clock(), should_stop=lambda: bool(handlers.calls))

    assert fired == 1
    assert set(
        Timer.objects.filter(key__startswith="t:").values_list("leased_until", flat=True)
    ) == {None}
    assert timers.fire_due_timers(now=clock()) == 2


def test_a_long_batch_stops_at_half_the_lease(clock, handlers, settings, monkeypatch):
    settings.LIVECHAT_TIMERS_LEASE_SECONDS = 60
    seconds = iter(range(0, 1000, 20))  # each handler takes 20 s of the worker's time
    monkeypatch.setattr(worker, "monotonic", lambda: next(seconds))
    for index in range(5):
        schedule(f"t:{index}", clock() - timedelta(seconds=5 - index))

    # Started at 0; t:1 at 20 s, t:2 at 40 s; at 60 s (> 30 s) it stops.
    assert timers.fire_due_timers(now=clock()) == 2
    assert handlers.keys() == ["t:0", "t:1"]
    assert not Timer.objects.filter(key__startswith="t:", leased_until__isnull=False).exists()


# --- failures -------------------------------------------------------------------------------


def test_a_failing_handler_rolls_back_its_writes_and_is_retried_later(clock, handlers, caplog):
    now = clock()
    schedule("question:42:escalate", now, kind="tests.fail")

    with caplog.at_level(logging.WARNING, logger="timers"):
        assert timers.fire_due_timers(now=now) == 0

    assert not done("question:42:escalate")
    timer = timers.pending(key="question:42:escalate")
    assert timer.attempts == 1
    assert timer.due_at == now + timedelta(seconds=30)
    assert timer.leased_until is None
    assert "RuntimeError: the wiki did not answer" in timer.last_error
    assert "question:42:escalate" in caplog.text

    assert timers.fire_due_timers(now=now + timedelta(seconds=29)) == 0
    assert timers.fire_due_timers(now=now + timedelta(seconds=30)) == 0
    assert len(handlers.calls) == 2
    timer.refresh_from_db()
    assert (timer.attempts, timer.due_at) == (2, now + timedelta(seconds=90))


def test_it_backs_off_exponentially_up_to_a_cap_then_parks_the_timer(clock, handlers, settings):
    settings.LIVECHAT_TIMERS_RETRY_SECONDS = 30
    settings.LIVECHAT_TIMERS_RETRY_MAX_SECONDS = 100
    settings.LIVECHAT_TIMERS_MAX_ATTEMPTS = 5
    schedule("question:42:escalate", clock(), kind="tests.fail")

    delays = []
    for _ in range(5):
        due = timers.pending(key="question:42:escalate").due_at
        timers.fire_due_timers(now=clock.set(due))
        timer = timers.pending(key="question:42:escalate")
        if not timer.parked:
            delays.append((timer.due_at - due).total_seconds())

    assert delays == [30, 60, 100, 100]
    assert len(handlers.calls) == 5
    assert timer.attempts == 5 and timer.parked_at == clock()
    # Parked: never run again, kept for the operators.
    assert timers.fire_due_timers(now=clock.advance(days=30)) == 0
    assert len(handlers.calls) == 5
    assert timers.backlog(now=clock()) == {"overdue": 0, "oldest_due_at": None, "parked": 1}


def test_parking_a_timer_logs_an_error(clock, handlers, settings, caplog):
    settings.LIVECHAT_TIMERS_MAX_ATTEMPTS = 1
    schedule("question:42:escalate", clock(), kind="tests.fail")

    with caplog.at_level(logging.ERROR, logger="timers"):
        timers.fire_due_timers(now=clock())

    [record] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert "question:42:escalate" in record.getMessage()
    assert "parked" in record.getMessage()


def test_scheduling_a_parked_timer_again_gives_it_a_fresh_start(clock, handlers, settings):
    settings.LIVECHAT_TIMERS_MAX_ATTEMPTS = 1
    timers.schedule_once(key="email:7", kind="tests.fail", due_at=clock())
    timers.fire_due_timers(now=clock())
    assert timers.pending(key="email:7").parked

    assert timers.schedule_once(key="email:7", kind="tests.record", due_at=clock())

    timer = timers.pending(key="email:7")
    assert (timer.parked_at, timer.attempts, timer.last_error) == (None, 0, "")
    assert timers.fire_due_timers(now=clock()) == 1


def test_an_unknown_kind_fails_with_a_clear_error(clock, handlers):
    schedule("old:1", clock(), kind="tests.nobody-handles-this")

    assert timers.fire_due_timers(now=clock()) == 0

    timer = timers.pending(key="old:1")
    assert timer.attempts == 1
    assert timer.last_error == "No handler is registered for the kind 'tests.nobody-handles-this'."
    assert timer.due_at == clock() + timedelta(seconds=30)


# --- transactions ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_handlers_writes_and_the_timers_deletion_commit_together(clock, handlers):
    seen_after_commit = []

    def handle(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        handlers.mark(key, now)
        transaction.on_commit(
            lambda: seen_after_commit.append((timers.pending(key=key), done(key)))
        )

    timers.register_handler("tests.commit", handle)
    schedule("question:42:escalate", clock(), kind="tests.commit")

    assert timers.fire_due_timers(now=clock()) == 1

    # After the commit the timer is gone and the handler's write is there, together.
    assert seen_after_commit == [(None, True)]


def test_a_timer_scheduled_in_a_rolled_back_action_never_exists(clock, handlers):
    with pytest.raises(RuntimeError), transaction.atomic():
        schedule("question:42:escalate", clock())
        raise RuntimeError("the question was refused")

    assert timers.fire_due_timers(now=clock()) == 0


@pytest.mark.parametrize("count", [1, 20])
def test_firing_takes_constant_statements_to_lease_and_per_timer(
    clock, handlers, count, django_assert_max_num_queries, transaction_statements
):
    for index in range(count):
        schedule(f"t:{index}", clock(), kind="tests.noop")

    # Lease: SELECT … FOR UPDATE and UPDATE in one transaction. Each timer: its handler's
    # statements (none here) and one DELETE, in its own transaction.
    with django_assert_max_num_queries(
        2 + transaction_statements + count * (1 + transaction_statements)
    ):
        assert timers.fire_due_timers(now=clock()) == count


# --- scheduling checks, registry, backlog -------------------------------------------------------


def test_it_refuses_keys_it_cannot_store_and_naive_times(clock):
    with pytest.raises(ValueError):
        timers.schedule(key="", kind="tests.record", due_at=clock())
    with pytest.raises(ValueError):
        timers.schedule(key="k" * 201, kind="tests.record", due_at=clock())
    with pytest.raises(ValueError):
        timers.schedule(key="k", kind="tests.record", due_at=datetime(2026, 1, 1))


def test_a_kind_has_one_handler(handlers):
    @timers.handler("tests.once")
    def first(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        pass

    timers.register_handler("tests.once", first)  # the same function again: fine
    with pytest.raises(ImproperlyConfigured):
        timers.register_handler("tests.once", handlers.noop)


def test_the_backlog_counts_overdue_timers_and_the_oldest(clock, handlers):
    now = clock()
    schedule("late:1", now - timedelta(minutes=3))
    schedule("late:2", now - timedelta(minutes=1))
    schedule("soon", now + timedelta(minutes=1))
    worker.lease(now=now, limit=1)  # running counts as overdue until it is done

    assert timers.backlog(now=now) == {
        "overdue": 2,
        "oldest_due_at": now - timedelta(minutes=3),
        "parked": 0,
    }


# --- the command ----------------------------------------------------------------------------


def test_run_timers_once_fires_what_is_due(clock, handlers):
    schedule("question:42:escalate", clock() - timedelta(seconds=1))
    schedule("question:42:feed", clock() + timedelta(minutes=30))
    out = io.StringIO()

    call_command("run_timers", "--once", stdout=out)

    assert out.getvalue() == "Fired 1 timer.\n"
    assert handlers.keys() == ["question:42:escalate"]


def test_run_timers_status_prints_the_backlog(clock, handlers, settings):
    settings.LIVECHAT_TIMERS_MAX_ATTEMPTS = 1
    now = clock.set(datetime.fromisoformat("2026-12-01T10:00:00+00:00"))
    schedule("late:1", now - timedelta(minutes=3))
    schedule("late:2", now - timedelta(minutes=1))
    schedule("broken", now - timedelta(minutes=9), kind="tests.fail")
    worker.run(worker.lease(now=now, limit=1)[0], now=now)  # parks "broken"
    out = io.StringIO()

    call_command("run_timers", "--status", stdout=out)

    assert out.getvalue() == (
        "2 timers are overdue; the oldest was due at 2026-12-01 09:57:00+00:00.\n"
        "1 timer is parked after failing too often.\n"
    )


def test_run_timers_status_says_when_nothing_is_late(clock):
    out = io.StringIO()
    call_command("run_timers", "--status", stdout=out)
    assert out.getvalue() == "No timer is overdue.\n"


@pytest.mark.django_db(transaction=True)
def test_run_timers_finishes_the_running_timer_and_exits_on_sigterm(clock, handlers):
    def stopped_meanwhile(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        handlers.record(key=key, payload=payload, now=now)
        os.kill(os.getpid(), signal.SIGTERM)  # the deploy stops the worker now

    timers.register_handler("tests.sigterm", stopped_meanwhile)
    schedule("first", clock() - timedelta(seconds=2), kind="tests.sigterm")
    schedule("second", clock() - timedelta(seconds=1))
    previous = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()

    call_command("run_timers", stdout=out)  # returns: exit status 0

    assert handlers.keys() == ["first"]
    assert done("first")
    second = timers.pending(key="second")
    assert second is not None and second.leased_until is None  # free for the next worker
    assert out.getvalue().splitlines()[-1] == "Stopped firing timers."
    assert signal.getsignal(signal.SIGTERM) is previous


@pytest.mark.django_db(transaction=True)
def test_the_worker_sleeps_until_the_next_timer_no_other_worker_holds_at_most_a_second(
    clock, handlers
):
    from timers.management.commands.run_timers import Command

    now = clock()
    stop = threading.Event()
    command = Command()

    assert command.iteration(limit=10, stop=stop) == 1.0  # nothing scheduled
    schedule("soon", now + timedelta(milliseconds=300))
    assert command.iteration(limit=10, stop=stop) == pytest.approx(0.3)
    schedule("held", now - timedelta(seconds=5))
    worker.lease(now=now, limit=1)  # another worker is running it
    assert command.iteration(limit=10, stop=stop) == pytest.approx(0.3)
    schedule("due", now - timedelta(seconds=1))
    assert command.iteration(limit=10, stop=stop) == 0  # fired one: look again at once
    assert handlers.keys() == ["due"]
    clock.advance(seconds=1)
    assert command.iteration(limit=10, stop=stop) == 0
    assert handlers.keys() == ["due", "soon"]


def test_run_timers_refuses_a_limit_below_one():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("run_timers", "--once", "--limit", "0")


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_lists_timers_read_only_with_the_backlog(clock, handlers):
    schedule("question:42:escalate", clock() - timedelta(minutes=1))
    client = Client()
    client.force_login(make_user("Root", is_superuser=True))

    listing = client.get("/admin/timers/timer/")
    timer = timers.pending(key="question:42:escalate")
    page = client.get(f"/admin/timers/timer/{timer.pk}/change/")

    assert listing.status_code == 200
    assert "question:42:escalate" in listing.content.decode()
    assert "1 timer is overdue" in listing.content.decode()
    assert page.status_code == 200
    assert client.get("/admin/timers/timer/add/").status_code == 403
    assert client.post(f"/admin/timers/timer/{timer.pk}/delete/").status_code == 403


def test_the_admin_shows_timers_only_to_whom_may_view_them(clock, moderator):
    client = Client()
    client.force_login(moderator)

    assert client.get("/admin/timers/timer/").status_code == 403


# --- concurrent workers (PostgreSQL) --------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_timer(clock, handlers):
    now = clock()
    for index in range(200):
        schedule(f"t:{index}", now - timedelta(milliseconds=index), kind="tests.concurrent")
    both_running = threading.Barrier(2, timeout=10)
    by_worker: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def handle(*, key: str, payload: dict[str, Any], now: datetime) -> None:
        mine = by_worker.setdefault(threading.current_thread().name, [])
        if not mine:
            both_running.wait()  # both hold a lease at once before either goes on
        mine.append(key)
        handlers.mark(key, now)

    timers.register_handler("tests.concurrent", handle)

    def work() -> None:
        try:
            while timers.fire_due_timers(now=now, limit=10):
                pass
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, name=f"worker-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    fired = [key for keys in by_worker.values() for key in keys]
    assert len(by_worker) == 2 and all(by_worker.values())
    assert sorted(fired) == sorted(f"t:{index}" for index in range(200))  # each exactly once
    assert not Timer.objects.filter(key__startswith="t:").exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_timers_another_is_leasing_instead_of_waiting(clock, handlers):
    now = clock()
    schedule("locked", now - timedelta(seconds=2))
    schedule("free", now - timedelta(seconds=1))
    locked = threading.Event()
    release = threading.Event()

    def other_worker_mid_lease() -> None:
        try:
            with transaction.atomic():
                list(Timer.objects.select_for_update().filter(key="locked"))
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker_mid_lease)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        assert timers.fire_due_timers(now=now) == 1
        assert handlers.keys() == ["free"]
    finally:
        release.set()
        thread.join(timeout=10)
    assert timers.fire_due_timers(now=now) == 1
    assert handlers.keys() == ["free", "locked"]


@pytest.fixture(autouse=True)
def _no_stray_signal_handlers() -> Iterator[None]:
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)
