"""The help desk at scale: the helpers' queue and availability with 10,000 open
questions, and timers fired per second by the timers app's own worker.

1. **Reads** (in-process, PostgreSQL + Redis, the bench environment). Seeds room
   ``bench-help`` by bulk SQL (``INSERT … SELECT generate_series``) with ``--open`` open
   questions (80 % waiting, 10 % claimed, 10 % answered; every 50th routed to a mentor
   first) and ``--resolved`` questions resolved over the last 6.5 days with a first
   reply, so that the typical wait has data; each with its first message and its
   ``QuestionMessage`` link, asked by ``bench-hd-asker-<n>`` accounts (one open question
   per asker, as the unique constraint wants) and helped by 20 ``bench-hd-mentor-<n>``
   accounts in the Mentors group, 10 of them online and active. Then ``VACUUM ANALYZE`` and
   p50/p99 over ``--calls`` calls of ``helpdesk.selectors.queue`` for every filter,
   ``waiting_summary``, and ``availability`` with the typical-wait cache cleared before
   every call (cold) and kept (warm), with the queries each makes
   (``CaptureQueriesContext``; Redis round trips are not queries). Then the same three
   endpoints over HTTP through one uvicorn process (``--http``, the default).
2. **Timers fired/s**. ``--timers`` timers due at the same instant T, fired by real
   ``manage.py run_timers`` loops (this script's ``--worker`` mode: the command itself,
   after registering the no-op kind ``bench.noop``), 1 and 2 worker processes, started
   before T and idle until then; fired/s = timers fired ÷ (when none is left − T), the
   count polled every 50 ms. Kinds: ``bench.noop`` (the queue's own cost: lease, a
   transaction per timer that deletes it) and the help desk's real ``helpdesk.stale``
   on ``--stale-timers`` answered questions in room ``bench-help-timers`` (room lock,
   question lock, state change, one ``RoomEvent``, two publishes after commit; 5,000 by
   default, as it runs 10-20x slower than the no-op). Also the no-op
   kind on SQLite with one worker (a fresh file, migrated; ``make run``'s setting).
   Worker CPU (user + system, from /proc) per 1,000 timers; and the queries per timer,
   counted in-process over a batch of 100.
3. Everything it made is deleted at the start (a killed run's leftovers) and at the end:
   rooms ``bench-help`` and ``bench-help-timers*``, users ``bench-hd-*``, timers whose key
   starts ``bench-hd:``, the presence, activity and typical-wait keys it wrote, the
   SQLite file; and what the workers' startup hooks added during the run (the coverage
   sampler's self-renewing timer and its samples). Worker logs stay in /tmp only when
   they hold an error.

    .venv/bin/python bench/helpdesk_bench.py                       # everything, ~7 min here
    .venv/bin/python bench/helpdesk_bench.py --skip-timers --calls 100
    .venv/bin/python bench/helpdesk_bench.py --skip-reads --workers 1 --timers 5000
    .venv/bin/python bench/helpdesk_bench.py --profile              # + cProfile of the slow parts

Every loop is bounded: a burst stops after ``--burst-timeout`` s and reports what fired.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The availability endpoint answers for help rooms only; set before Django reads settings,
# and inherited by the servers and workers this script starts.
os.environ.setdefault("LIVECHAT_HELP_ROOMS", "help-desk,bench-help")

from bench.benv import PASSWORD, PROJECT, PYTHON, bench_env, setup_django  # noqa: E402

ROOM = "bench-help"
TIMER_ROOM = "bench-help-timers"
USER_PREFIX = "bench-hd-"
ASKER = f"{USER_PREFIX}asker-"
MENTOR = f"{USER_PREFIX}mentor-"
MENTORS = 20
ONLINE_MENTORS = 10
PEOPLE_ONLINE = 40  # askers with the room open, besides the online mentors
TIMER_PREFIX = "bench-hd:"
NOOP = "bench.noop"
STALE = "helpdesk.stale"
SQLITE_PATH = Path(tempfile.gettempdir()) / "helpdesk-bench.sqlite3"
READY = "helpdesk-bench: worker ready"  # (not "ready": a traceback says app_config.ready())
STALE_ROOMS = 4  # the stale variant's questions, spread over this many rooms
POLL = 0.05
LEAD = 2.0  # seconds from the timers' commit to T: every idle worker wakes (≤ 1 s) first

# --- seeding (PostgreSQL) ------------------------------------------------------------------

SEED_ASKERS = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                           is_staff, is_active, date_joined)
SELECT '!', false, %(prefix)s || n, '', '', '', false, true, %(now)s - n * interval '1 minute'
FROM generate_series(0, %(count)s - 1) AS n
ON CONFLICT (username) DO NOTHING
"""

# Message n is question n's first message (created_event_id = n). Open questions 1..open
# were asked over the last ~8 h, 3 s apart, by askers 0..open-1 (one open question per
# asker per room); the resolved ones over the last 6.5 days by any asker.
SEED_QUEUE_MESSAGES = """
INSERT INTO livechat_message (room_id, author_id, body, html, created_at, revision, hidden,
                              created_event_id, mentions, reactions, review_tags)
SELECT %(room)s, u.id, t.body, '<p>' || t.body || '</p>', t.asked_at, 1, false, t.n,
       '[]'::jsonb, '[]'::jsonb, '[]'::jsonb
FROM (
    SELECT n,
           'Question ' || n || ': how do I add a citation to an infobox without breaking '
               || 'the table? I tried the visual editor and it moved everything.' AS body,
           CASE WHEN n <= %(open)s THEN %(now)s - (%(open)s + 1 - n) * interval '3 seconds'
                ELSE %(now)s - (n - %(open)s) * %(spacing)s * interval '1 second' END
               AS asked_at,
           CASE WHEN n <= %(open)s THEN n - 1 ELSE (n - 1) %% %(askers)s END AS asker
    FROM generate_series(1, %(total)s) AS n
) AS t
JOIN accounts_user u ON u.username = %(asker_prefix)s || t.asker
"""

SEED_QUEUE_QUESTIONS = """
WITH base AS (
    SELECT m.id AS message_id, m.room_id, m.author_id, m.created_at AS asked_at,
           m.created_event_id AS n,
           CASE WHEN m.created_event_id > %(open)s THEN 'resolved'
                WHEN m.created_event_id %% 10 = 0 THEN 'claimed'
                WHEN m.created_event_id %% 10 = 5 THEN 'answered'
                ELSE 'waiting' END AS state,
           (%(mentors)s::bigint[])[1 + (m.created_event_id / 10) %% %(mentor_count)s] AS helper,
           -- a first reply 30 s to 30 min after the question, spread evenly
           LEAST(%(now)s, m.created_at
                 + ((m.created_event_id * 7919) %% 1800 + 30) * interval '1 second') AS replied
    FROM livechat_message m WHERE m.room_id = %(room)s
)
INSERT INTO helpdesk_question
    (room_id, asker_id, state, first_message_id, asked_at, first_reply_at, last_reply_at,
     last_asker_at, claimed_by_id, claimed_at, claim_expires_at, resolved_by_id, resolved_at,
     mentor_id, routed_until, helpers_available, step, feed_at, handoff_at, reminded_at,
     updated_at)
SELECT room_id, author_id, state, message_id, asked_at,
       CASE WHEN state IN ('answered', 'resolved') THEN replied END,
       CASE WHEN state IN ('answered', 'resolved') THEN replied END,
       asked_at,
       CASE WHEN state = 'claimed' THEN helper END,
       CASE WHEN state = 'claimed' THEN asked_at + interval '1 minute' END,
       CASE WHEN state = 'claimed' THEN %(now)s + interval '10 minutes' END,
       CASE WHEN state = 'resolved' THEN helper END,
       CASE WHEN state = 'resolved' THEN replied + interval '10 minutes' END,
       CASE WHEN n %% 50 = 1 AND state <> 'resolved' THEN helper END,
       CASE WHEN n %% 50 = 1 AND state <> 'resolved' THEN %(now)s + interval '5 minutes' END,
       -- a quarter asked while no helper was available: the "offline" median
       CASE WHEN n %% 4 = 0 THEN 0 ELSE 3 END,
       0, NULL, NULL, NULL, asked_at
FROM base
"""

# Answered two hours ago, the asker silent since: every stale timer finds work to do.
# Question n is in room n mod len(rooms), asked by asker n - 1.
SEED_ANSWERED_MESSAGES = """
INSERT INTO livechat_message (room_id, author_id, body, html, created_at, revision, hidden,
                              created_event_id, mentions, reactions, review_tags)
SELECT (%(rooms)s::bigint[])[1 + n %% %(room_count)s], u.id,
       'Question ' || n || ': where do I find my sandbox?',
       '<p>Question ' || n || ': where do I find my sandbox?</p>',
       %(now)s - interval '3 hours', 1, false, n, '[]'::jsonb, '[]'::jsonb, '[]'::jsonb
FROM generate_series(1, %(total)s) AS n
JOIN accounts_user u ON u.username = %(asker_prefix)s || (n - 1)
"""

SEED_ANSWERED_QUESTIONS = """
INSERT INTO helpdesk_question
    (room_id, asker_id, state, first_message_id, asked_at, first_reply_at, last_reply_at,
     last_asker_at, helpers_available, step, updated_at)
SELECT m.room_id, m.author_id, 'answered', m.id, m.created_at,
       %(now)s - interval '2 hours', %(now)s - interval '2 hours', m.created_at, 1, 0,
       %(now)s - interval '2 hours'
FROM livechat_message m WHERE m.room_id = ANY(%(rooms)s)
"""

SEED_LINKS = """
INSERT INTO helpdesk_questionmessage (message_id, question_id, from_helper)
SELECT first_message_id, id, false FROM helpdesk_question WHERE room_id = ANY(%(rooms)s)
"""


def execute(sql: str, params: dict[str, Any] | list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def seed_users(count: int, now: datetime) -> list[Any]:
    """``count`` askers by bulk SQL; the mentors (few) through the ORM, in Mentors."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import MENTORS as MENTORS_GROUP

    execute(SEED_ASKERS, {"prefix": ASKER, "count": count, "now": now})
    encoded = make_password(PASSWORD)  # one hash for all: the HTTP part signs in as one
    mentors = []
    for index in range(MENTORS):
        mentor, _ = User.objects.get_or_create(
            username=f"{MENTOR}{index}", defaults={"password": encoded}
        )
        mentors.append(mentor)
    Group.objects.get(name=MENTORS_GROUP).user_set.add(*mentors)
    return mentors


def seed_queue_room(*, open_count: int, resolved: int, mentors: list[Any], now: datetime) -> Any:
    from django.db import transaction

    from livechat.models import Room

    total = open_count + resolved
    params = {
        "open": open_count,
        "total": total,
        "askers": max(open_count, 1),
        "asker_prefix": ASKER,
        "now": now,
        "spacing": 6.5 * 86400 / max(resolved, 1),
        "mentors": [m.pk for m in mentors],
        "mentor_count": len(mentors),
    }
    with transaction.atomic():
        room = Room.objects.create(slug=ROOM, name="Bench help desk")
        params["room"] = room.pk
        params["rooms"] = [room.pk]
        execute(SEED_QUEUE_MESSAGES, params)
        execute(SEED_QUEUE_QUESTIONS, params)
        execute(SEED_LINKS, params)
        execute("UPDATE livechat_room SET last_event_id = %s WHERE id = %s", [total, room.pk])
    return room


def seed_answered_rooms(*, slugs: list[str], count: int, now: datetime) -> list[Any]:
    """``count`` answered questions spread evenly over new rooms ``slugs``."""
    from django.db import transaction

    from livechat.models import Room

    with transaction.atomic():
        rooms = [Room.objects.create(slug=slug, name=f"Bench {slug}") for slug in slugs]
        params = {
            "rooms": [room.pk for room in rooms],
            "room_count": len(rooms),
            "total": count,
            "asker_prefix": ASKER,
            "now": now,
        }
        execute(SEED_ANSWERED_MESSAGES, params)
        execute(SEED_ANSWERED_QUESTIONS, params)
        execute(SEED_LINKS, params)
        execute(
            "UPDATE livechat_room SET last_event_id = %(total)s WHERE id = ANY(%(rooms)s)", params
        )
    return rooms


def analyze() -> None:
    # Every table: with stale user statistics the planner picks nested loops over a
    # materialised user table (bench/history_bench.py found it). VACUUM too, as autovacuum
    # leaves a live database: without the visibility map, counting the open questions
    # fetches every heap row (4 ms instead of 1 at 10,000).
    execute("VACUUM ANALYZE helpdesk_question")
    execute("ANALYZE")


# --- cleaning up ---------------------------------------------------------------------------


def cleanup_database() -> None:
    """Delete what this script seeds. Bulk tables by SQL first (the ORM's collector would
    load every row), then the ORM for whatever else refers to the rooms and users."""
    from django.db import transaction
    from django.db.models import Q

    from accounts.models import User
    from livechat.models import Room
    from timers.models import Timer

    Timer.objects.filter(key__startswith=TIMER_PREFIX).delete()
    room_ids = list(
        Room.objects.filter(Q(slug=ROOM) | Q(slug__startswith=TIMER_ROOM)).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        if room_ids:
            params = {"rooms": room_ids}
            questions = "SELECT id FROM helpdesk_question WHERE room_id = ANY(%(rooms)s)"
            execute(f"DELETE FROM helpdesk_helpernotice WHERE question_id IN ({questions})", params)
            execute(
                f"DELETE FROM helpdesk_questionmessage WHERE question_id IN ({questions})", params
            )
            execute("DELETE FROM helpdesk_question WHERE room_id = ANY(%(rooms)s)", params)
            execute("DELETE FROM livechat_roomevent WHERE room_id = ANY(%(rooms)s)", params)
            # Messages something else refers to (a notification, a reply) are left to the
            # ORM's cascade below.
            execute(
                "DELETE FROM livechat_message m WHERE room_id = ANY(%(rooms)s) AND NOT EXISTS "
                "(SELECT 1 FROM livechat_message r WHERE r.reply_to_id = m.id) AND NOT EXISTS "
                "(SELECT 1 FROM livechat_notification n WHERE n.message_id = m.id)",
                params,
            )
            Room.objects.filter(pk__in=room_ids).delete()
        User.objects.filter(username__startswith=USER_PREFIX).delete()


@dataclass(frozen=True)
class Before:
    """What the database held before this run, beyond our own names: the worker's
    startup hooks (the coverage sampler) schedule timers that re-arm themselves and
    write samples; those our workers started are ours to remove."""

    started: datetime
    timer_keys: frozenset[str]
    last_sample: int


def before_run() -> Before:
    from django.db.models import Max

    from core import clock
    from helpdesk.models import HelperSample
    from timers.models import Timer

    return Before(
        started=clock.now(),
        timer_keys=frozenset(Timer.objects.values_list("key", flat=True)),
        last_sample=HelperSample.objects.aggregate(last=Max("pk"))["last"] or 0,
    )


def cleanup_side_effects(before: Before) -> None:
    from helpdesk.models import HelperSample
    from timers.models import Timer

    Timer.objects.filter(created_at__gte=before.started).exclude(key__in=before.timer_keys).delete()
    HelperSample.objects.filter(pk__gt=before.last_sample).delete()


def cleanup_redis(user_ids: list[int], room_ids: list[int]) -> None:
    from django.core.cache import cache

    from helpdesk.availability import _activity_key
    from livechat.presence import store

    cache.delete_many([_activity_key(pk) for pk in user_ids] + wait_cache_keys())
    presence = store()
    client = getattr(presence, "_sync_client", None)
    if client is not None:
        keys = [presence._socket_key(pk) for pk in user_ids]  # type: ignore[attr-defined]
        keys += [presence._key(pk) for pk in room_ids]  # type: ignore[attr-defined]
        if keys:
            client().delete(*keys)


def wait_cache_keys() -> list[str]:
    # helpdesk.selectors.typical_wait's cache keys (online and offline).
    return ["helpdesk:typical-wait:1", "helpdesk:typical-wait:0"]


# --- measuring -----------------------------------------------------------------------------


def timed(
    fn: Callable[[], object], count: int, before: Callable[[], None] | None = None
) -> tuple[list[float], list[float]]:
    """Milliseconds per call, sorted: wall time, and this process's CPU time (which other
    processes on a busy machine inflate less)."""
    wall, cpu = [], []
    for _ in range(count):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return sorted(wall), sorted(cpu)


def pct(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(q * len(samples)))]


def count_queries(fn: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


@dataclass
class ReadRow:
    what: str
    rows: str
    queries: str
    p50: float
    p99: float
    max: float
    cpu_p50: float | None = None


def bring_helpers_online(mentors: list[Any], askers: list[Any], room: Any, now: datetime) -> None:
    """Half the mentors have a socket open and were active just now; some askers have the
    room open (presence in Redis, activity in the cache, as the consumers write them)."""
    from accounts.roles import public_user
    from helpdesk.availability import record_activity
    from livechat.presence import member_key, store

    presence = store()
    people = [*mentors[:ONLINE_MENTORS], *askers]
    members = {p.pk: member_key(f"bench-hd.{p.pk}", public_user(p)) for p in people}

    async def touch() -> None:
        for pk, member in members.items():
            await presence.touch_socket(pk, f"bench-hd.{pk}")
            await presence.touch(room.pk, member)

    asyncio.run(touch())
    for mentor in mentors[:ONLINE_MENTORS]:
        record_activity(user_id=mentor.pk, now=now)


def measure_reads(*, room: Any, mentors: list[Any], askers: list[Any], calls: int) -> list[ReadRow]:
    from django.core.cache import cache

    from core import clock
    from helpdesk import selectors

    viewer = mentors[0]
    table = []

    def row(
        what: str,
        fn: Callable[[], Any],
        rows: Callable[[Any], int | str],
        before: Callable[[], None] | None = None,
    ) -> None:
        fn()  # warm: connection, plan cache, imports
        if before is not None:
            before()
        result: list[Any] = []
        queries = count_queries(lambda: result.append(fn()))
        samples, cpu = timed(fn, calls, before)
        table.append(
            ReadRow(
                what,
                str(rows(result[0])),
                str(queries),
                pct(samples, 0.5),
                pct(samples, 0.99),
                samples[-1],
                pct(cpu, 0.5),
            )
        )

    now = clock.now()
    for state in selectors.QUEUE_FILTERS:
        row(
            f"queue(state={state!r})",
            lambda s=state: selectors.queue(viewer=viewer, state=s, now=now),
            lambda r: len(r["questions"]),
        )
    # The page size is the queue's cost: the same call with a quarter of the rows.
    row(
        "queue(state='unresolved', limit=50)",
        lambda: selectors.queue(viewer=viewer, state="unresolved", now=now, limit=50),
        lambda r: len(r["questions"]),
    )
    row(
        "waiting_summary",
        lambda: selectors.waiting_summary(now=now),
        lambda r: f"{r['waiting']:,} waiting",
    )

    def clear() -> None:
        cache.delete_many(wait_cache_keys())

    def describe(result: dict[str, Any]) -> str:
        return (
            f"{result['helpers_online']} helpers, {result['people_online']} people, "
            f"{result['samples']:,} samples"
        )

    bring_helpers_online(mentors, askers, room, now)
    row(
        "availability, cache cold",
        lambda: selectors.availability(room=room, now=now),
        describe,
        clear,
    )
    row("availability, cache warm", lambda: selectors.availability(room=room, now=now), describe)
    # Not the code: the median that typical_wait computes in Python, computed by
    # PostgreSQL instead (a proposal; the cold availability is almost all that loop).
    row(
        "proposal: typical wait by percentile_cont in SQL",
        lambda: sql_median(now),
        lambda r: f"median {r[0]:.0f} s of {r[1]:,}",
    )
    return table


SQL_MEDIAN = """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first_reply_at - asked_at)),
       count(*)
FROM helpdesk_question
WHERE asked_at >= %s AND first_reply_at IS NOT NULL AND helpers_available > 0
"""


def sql_median(now: datetime) -> tuple[float, int]:
    from django.db import connection

    from helpdesk.selectors import WAIT_WINDOW

    with connection.cursor() as cursor:
        cursor.execute(SQL_MEDIAN, [now - WAIT_WINDOW])
        median, count = cursor.fetchone()
    return float(median), int(count)


def measure_http(*, mentor: Any, askers: list[Any], room: Any, calls: int) -> list[ReadRow]:
    import http.client

    from bench.loadgen import Target, login_sync
    from bench.servers import running
    from core import clock

    table = []
    with running("uvicorn") as server:  # (it clears the bench:* Redis keys first)
        target = Target.parse(server.url)
        session = login_sync(target, mentor.username, PASSWORD)
        conn = http.client.HTTPConnection(target.host, target.port, timeout=30)
        headers = {"Cookie": f"sessionid={session}"}

        def get(path: str) -> int:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:200]!r}")
            return len(body)

        # Helpers online again (the server start cleared Redis); the cache stays warm
        # for the availability row: the page asks at most once a minute per asker.
        from accounts.models import User

        mentors = list(User.objects.filter(username__startswith=MENTOR).order_by("pk"))
        bring_helpers_online(mentors, askers, room, clock.now())
        for path in (
            "/api/helpdesk/queue/?state=unresolved",
            "/api/helpdesk/queue/?state=waiting",
            "/api/helpdesk/summary/",
            f"/api/rooms/{ROOM}/availability/",
        ):
            for _ in range(10):
                size = get(path)
            samples, _ = timed(lambda p=path: get(p), calls)
            table.append(
                ReadRow(
                    f"GET {path} ({server.label})",
                    f"{size:,} bytes",
                    "",
                    pct(samples, 0.5),
                    pct(samples, 0.99),
                    samples[-1],
                )
            )
        conn.close()
    return table


def print_reads(title: str, table: list[ReadRow]) -> str:
    lines = [
        f"### {title}",
        "",
        "| call | rows / answer | queries | p50 ms | p99 ms | max ms | CPU p50 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in table:
        cpu = "" if r.cpu_p50 is None else f"{r.cpu_p50:.2f}"
        lines.append(
            f"| {r.what} | {r.rows} | {r.queries} | {r.p50:.2f} | {r.p99:.2f} | {r.max:.2f} "
            f"| {cpu} |"
        )
    text = "\n".join(lines)
    print(text, flush=True)
    return text


# --- timers --------------------------------------------------------------------------------


def noop(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    """The queue's own cost: the worker still deletes the timer in its transaction."""


def register_noop() -> None:
    from timers.api import register_handler

    register_handler(NOOP, noop)


def worker_main() -> None:
    """``--worker``: the real ``manage.py run_timers`` loop, plus the no-op kind."""
    setup_django()
    register_noop()
    from django.core.management import call_command

    print(READY, flush=True)
    call_command("run_timers")


@contextmanager
def workers(
    count: int, label: str, env: dict[str, str] | None = None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs = []
    logs = []
    try:
        for index in range(count):
            log = Path(tempfile.gettempdir()) / f"helpdesk-bench-worker-{label}-{index}.log"
            logs.append(log)
            out = log.open("wb")
            procs.append(
                subprocess.Popen(
                    [PYTHON, str(Path(__file__).resolve()), "--worker"],
                    cwd=PROJECT,
                    # this process's environment (the same database), plus the variant's
                    env=bench_env(**(env or {})),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
            out.close()
        deadline = time.monotonic() + 60
        for proc, log in zip(procs, logs, strict=True):
            while READY.encode() not in log.read_bytes():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"timer worker did not start:\n{log.read_text()}")
                time.sleep(0.05)
        time.sleep(1.2)  # past "ready": Django's command startup, then its first idle sleep
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # graceful: finishes the running timer
        for proc, log in zip(procs, logs, strict=True):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            text = log.read_text(errors="replace")
            if "Traceback" in text or "ERROR" in text:
                print(f"--- {log} (kept) ---\n{text[-3000:]}", file=sys.stderr)
            else:
                log.unlink()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the line, 12 and 13 after the name
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Burst:
    database: str
    kind: str
    workers: int
    timers: int
    fired: int
    failed: int
    seconds: float
    per_second: float
    cpu_ms_per_1k: float
    note: str = ""
    variant: str = ""


def schedule_burst(kind: str, payloads: list[tuple[str, dict[str, Any]]]) -> None:
    """The timers, due tomorrow: workers see nothing due while they are written."""
    from core import clock
    from timers.models import Timer

    later = clock.now() + timedelta(days=1)
    Timer.objects.bulk_create(
        [Timer(key=key, kind=kind, payload=payload, due_at=later) for key, payload in payloads],
        batch_size=2000,
    )


def timer_keys(kind: str, count: int, rooms: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    if not rooms:
        return [(f"{TIMER_PREFIX}noop:{n}", {"n": n}) for n in range(count)]
    from helpdesk.models import Question

    ids = Question.objects.filter(room__in=rooms).order_by("pk").values_list("pk", flat=True)
    return [(f"{TIMER_PREFIX}stale:{pk}", {"question": pk}) for pk in ids[:count]]


def reset_answered(rooms: list[Any]) -> None:
    """Answered again: each run starts from the same state."""
    from helpdesk.models import Question

    if rooms:
        Question.objects.filter(room__in=rooms).update(state=Question.State.ANSWERED)


def run_burst(
    *,
    kind: str,
    count: int,
    worker_count: int,
    timeout: float,
    rooms: list[Any] | None = None,
    env: dict[str, str] | None = None,
    variant: str = "",
) -> Burst:
    """``count`` timers of ``kind`` due at once (``rooms``: the stale handler on the
    answered questions there), fired by ``worker_count`` run_timers processes."""
    from django.db import connection

    from timers.models import Timer

    rooms = rooms or []
    ours = Timer.objects.filter(key__startswith=TIMER_PREFIX)
    ours.delete()
    reset_answered(rooms)
    payloads = timer_keys(kind, count, rooms)
    schedule_burst(kind, payloads)
    if connection.vendor == "postgresql":
        execute("VACUUM ANALYZE timers")
    label = f"{connection.vendor}-{kind}-{worker_count}"
    with workers(worker_count, label, env) as procs:
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        t_due = time.time() + LEAD
        ours.update(due_at=datetime.fromtimestamp(t_due, tz=UTC))
        deadline = t_due + timeout
        # Failed runs are rescheduled with attempts > 0: only first attempts are waited for.
        waiting = ours.filter(attempts=0)
        while time.time() < deadline:
            if not waiting.exists():
                break
            time.sleep(POLL)
        finished = time.time()
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
    left = waiting.count()
    failed = ours.filter(attempts__gt=0).count()
    fired = len(payloads) - left - failed
    seconds = max(finished - t_due, 1e-9)
    load = os.getloadavg()[0]
    note = f"load {load:.1f}"
    if left:
        note += f"; stopped after {timeout:.0f} s, {left:,} not fired"
    if rooms:
        from helpdesk.models import Question

        stale = Question.objects.filter(room__in=rooms, state=Question.State.STALE).count()
        if stale != fired:
            note += f"; {stale:,} questions stale"
    ours.delete()
    return Burst(
        database="PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
        kind=kind,
        workers=worker_count,
        timers=len(payloads),
        fired=fired,
        failed=failed,
        seconds=seconds,
        per_second=fired / seconds,
        cpu_ms_per_1k=cpu * 1000 / max(fired, 1) * 1000,
        note=note,
        variant=variant,
    )


def queries_per_timer(*, kind: str, rooms: list[Any], batch: int = 100) -> float:
    """In this process, one batch of ``batch`` due timers: statements per timer fired."""
    from core import clock
    from timers.api import fire_due_timers
    from timers.models import Timer

    ours = Timer.objects.filter(key__startswith=TIMER_PREFIX)
    ours.delete()
    reset_answered(rooms)
    schedule_burst(kind, timer_keys(kind, batch, rooms))
    now = clock.now()
    ours.update(due_at=now)
    fired: list[int] = []
    queries = count_queries(lambda: fired.append(fire_due_timers(now=now, limit=batch)))
    ours.delete()
    return queries / max(fired[0], 1)


def print_bursts(bursts: list[Burst]) -> str:
    lines = [
        "| database | handler | workers | timers | fired | failed | seconds | timers/s "
        "| worker CPU ms / 1k | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for b in bursts:
        lines.append(
            f"| {b.database} | `{b.kind}`{b.variant} | {b.workers} | {b.timers:,} | {b.fired:,} | "
            f"{b.failed} | {b.seconds:.1f} | **{b.per_second:,.0f}** | "
            f"{b.cpu_ms_per_1k:,.0f} | {b.note} |"
        )
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def sqlite_child_main(count: int, timeout: float) -> None:
    """``--sqlite-burst``: in a process configured for a fresh SQLite file."""
    setup_django()
    register_noop()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    burst = run_burst(kind=NOOP, count=count, worker_count=1, timeout=timeout)
    per_timer = queries_per_timer(kind=NOOP, rooms=[])
    print("RESULT " + json.dumps({"burst": asdict(burst), "queries": per_timer}), flush=True)


def sqlite_burst(count: int, timeout: float) -> tuple[Burst, float]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    # An empty DATABASE_URL selects SQLite (config.settings); benv leaves it empty.
    env = bench_env(DATABASE_URL="", SQLITE_PATH=str(SQLITE_PATH))
    try:
        done = subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--sqlite-burst", "--timers", str(count),
             "--burst-timeout", str(timeout)],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout + 300,
        )  # fmt: skip
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    result = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if done.returncode or result is None:
        raise RuntimeError(f"SQLite burst failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    data = json.loads(result.removeprefix("RESULT "))
    return Burst(**data["burst"]), data["queries"]


# --- profiling -----------------------------------------------------------------------------


def profile(label: str, fn: Callable[[], object], top: int = 25, callees: str = "") -> str:
    """cProfile by this process's CPU time: waiting for PostgreSQL or Redis (or for a core,
    on a busy machine) does not count, which the wall-clock figures already show."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(top)
    if callees:
        stats.print_callees(callees)
    text = f"--- profile (CPU time): {label} ---\n{out.getvalue()}"
    print(text, flush=True)
    return text


def profile_stale(rooms: list[Any], count: int) -> None:
    """The stale handler in this process, ``count`` timers, by cumulative time."""
    from core import clock
    from timers.api import fire_due_timers
    from timers.models import Timer

    ours = Timer.objects.filter(key__startswith=TIMER_PREFIX)
    ours.delete()
    reset_answered(rooms)
    schedule_burst(STALE, timer_keys(STALE, count, rooms))
    now = clock.now()
    ours.update(due_at=now)

    def loop() -> None:
        while fire_due_timers(now=now):
            pass

    profile(
        f"{count} {STALE} timers fired in-process",
        loop,
        top=40,
        callees=r"\(run\)|mark_stale|_record|run_and_clear_commit_hooks",
    )
    ours.delete()


def publish_cost(calls: int = 200) -> str:
    """What one publish after commit costs a sync process such as the timer worker:
    ``async_to_sync(layer.group_send)`` (what livechat.broadcast does) against a plain
    synchronous Redis PUBLISH of the same size."""
    import redis
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings

    layer = get_channel_layer()
    message = {"type": "room.event", "event_id": 1, "public": "x" * 600, "moderator": "x" * 600}
    async_to_sync(layer.group_send)("bench-hd-nobody", message)
    wall, cpu = timed(lambda: async_to_sync(layer.group_send)("bench-hd-nobody", message), calls)
    client = redis.Redis.from_url(settings.REDIS_URL)
    plain, plain_cpu = timed(lambda: client.publish("bench-hd-nobody", "x" * 1200), calls)
    client.close()
    text = (
        f"publish from a sync process, {calls} calls: async_to_sync(group_send) p50 "
        f"{pct(wall, 0.5):.2f} ms (CPU {pct(cpu, 0.5):.2f} ms); plain redis PUBLISH p50 "
        f"{pct(plain, 0.5):.2f} ms (CPU {pct(plain_cpu, 0.5):.2f} ms)"
    )
    print(text, flush=True)
    return text


def describe_run() -> str:
    """Date, code and machine, for the notes that go with the figures."""
    from django.db import connection

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=PROJECT, capture_output=True, text=True)
        if done.returncode:
            return ""
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    code = (
        f"commit {head} + {len(git('status', '--short').splitlines())} changed/untracked paths"
        if head
        else f"a copy of a working tree in {PROJECT} (not a checkout)"
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    text = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {code}, {os.cpu_count()} CPUs, PostgreSQL {pg} "
        f"(synchronous_commit={sync}), load average {os.getloadavg()[0]:.1f}"
    )
    print(text, flush=True)
    return text


def measure_timers(args: argparse.Namespace, *, now: datetime, rooms: list[Any]) -> list[str]:
    """Part 2: the bursts, one after another; ``rooms`` collects the rooms seeded."""
    bursts: list[Burst] = []
    per_timer: dict[str, float] = {}
    counts = [int(w) for w in args.workers.split(",")]

    def burst(**kwargs: Any) -> None:
        bursts.append(run_burst(timeout=args.burst_timeout, **kwargs))
        print_bursts(bursts[-1:])

    per_timer[f"PostgreSQL `{NOOP}`"] = queries_per_timer(kind=NOOP, rooms=[])
    for count in counts:
        burst(kind=NOOP, count=args.timers, worker_count=count)
    if not args.no_variants:
        # Is the worker waiting for its commits? The same burst without waiting for the WAL
        # flush (a crash may lose the last commits: those timers would fire again).
        burst(
            kind=NOOP,
            count=args.timers,
            worker_count=1,
            env={"PGOPTIONS": "-c synchronous_commit=off"},
            variant=", synchronous_commit=off",
        )
    if not args.skip_stale:
        t0 = time.monotonic()
        one = seed_answered_rooms(slugs=[TIMER_ROOM], count=args.stale_timers, now=now)
        spread = (
            []
            if args.no_variants
            else seed_answered_rooms(
                slugs=[f"{TIMER_ROOM}-{i}" for i in range(STALE_ROOMS)],
                count=args.stale_timers,
                now=now,
            )
        )
        rooms += one + spread
        analyze()
        print(
            f"seeded {args.stale_timers:,} answered questions ({len(one + spread)} rooms) in "
            f"{time.monotonic() - t0:.0f} s",
            flush=True,
        )
        per_timer[f"PostgreSQL `{STALE}`"] = queries_per_timer(kind=STALE, rooms=one)
        for count in counts:
            burst(kind=STALE, count=args.stale_timers, worker_count=count, rooms=one)
        if spread:
            # Every stale run takes its room's row lock until it commits: in one room the
            # workers queue for it; spread over rooms they need not.
            burst(
                kind=STALE,
                count=args.stale_timers,
                worker_count=max(counts),
                rooms=spread,
                variant=f", questions in {STALE_ROOMS} rooms",
            )
    if not args.skip_sqlite:
        result, queries = sqlite_burst(args.timers, args.burst_timeout)
        bursts.append(result)
        per_timer[f"SQLite `{NOOP}`"] = queries
        print_bursts(bursts[-1:])
    sections = ["### Timers fired per second\n\n" + print_bursts(bursts)]
    sections.append(
        "Statements per timer fired (one batch of 100, lease included): "
        + ", ".join(f"{k}: {v:.1f}" for k, v in per_timer.items())
    )
    if args.profile and not args.skip_stale:
        sections.append(publish_cost())
        profile_stale(one, min(args.stale_timers, 1000))
    return sections


# --- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--open", type=int, default=10_000, help="open questions in the queue")
    parser.add_argument("--resolved", type=int, default=20_000, help="resolved in 7 days")
    parser.add_argument("--calls", type=int, default=300, help="per read")
    parser.add_argument("--timers", type=int, default=20_000, help="per no-op burst")
    parser.add_argument(
        "--stale-timers", type=int, default=5_000, help="per helpdesk.stale burst (~30-150/s)"
    )
    parser.add_argument("--workers", default="1,2", help="worker processes per burst")
    parser.add_argument("--burst-timeout", type=float, default=240.0)
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--skip-timers", action="store_true")
    parser.add_argument("--skip-stale", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--no-variants",
        action="store_true",
        help="skip the no-op run with synchronous_commit=off and the stale run over 4 rooms",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the slow parts")
    parser.add_argument("--keep", action="store_true", help="leave the seeded data")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-burst", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main()
        return
    if args.sqlite_burst:
        sqlite_child_main(args.timers, args.burst_timeout)
        return

    started = time.monotonic()
    setup_django()
    register_noop()
    from django.db import connection

    from accounts.models import User
    from core import clock
    from helpdesk import selectors

    if connection.vendor != "postgresql":
        raise SystemExit("Run against PostgreSQL (the bench environment: bench/README.md).")
    cleanup_database()
    before = before_run()
    sections: list[str] = [describe_run()]
    now = clock.now()
    askers_needed = max(args.open, 0 if args.skip_timers or args.skip_stale else args.stale_timers)
    mentors = seed_users(max(askers_needed, PEOPLE_ONLINE), now)
    askers = list(User.objects.filter(username__startswith=ASKER).order_by("pk")[:PEOPLE_ONLINE])
    rooms: list[Any] = []
    try:
        if not args.skip_reads:
            t0 = time.monotonic()
            room = seed_queue_room(
                open_count=args.open, resolved=args.resolved, mentors=mentors, now=now
            )
            rooms.append(room)
            analyze()
            print(
                f"seeded {args.open:,} open and {args.resolved:,} resolved questions in "
                f"{time.monotonic() - t0:.0f} s",
                flush=True,
            )
            title = (
                f"In-process, {args.open:,} open + {args.resolved:,} resolved questions, "
                f"{args.calls} calls each (load {os.getloadavg()[0]:.1f} at the start)"
            )
            sections.append(print_reads(title, measure_reads(
                room=room, mentors=mentors, askers=askers, calls=args.calls
            )))  # fmt: skip
            if args.profile:
                from django.core.cache import cache

                def cold() -> None:
                    for _ in range(20):
                        cache.delete_many(wait_cache_keys())
                        selectors.availability(room=room, now=clock.now())

                profile("availability, cache cold, 20 calls", cold)
                profile(
                    "queue(unresolved), 20 calls",
                    lambda: [
                        selectors.queue(viewer=mentors[0], state="unresolved", now=clock.now())
                        for _ in range(20)
                    ],
                )
            if not args.no_http:
                sections.append(print_reads(
                    f"Over HTTP, {args.calls} requests each, one keep-alive connection",
                    measure_http(mentor=mentors[0], askers=askers, room=room, calls=args.calls),
                ))  # fmt: skip

        if not args.skip_timers:
            sections += measure_timers(args, now=now, rooms=rooms)
    finally:
        user_ids = list(
            User.objects.filter(username__startswith=USER_PREFIX).values_list("pk", flat=True)
        )
        if not args.keep:
            t0 = time.monotonic()
            cleanup_redis(user_ids, [r.pk for r in rooms])
            cleanup_database()
            cleanup_side_effects(before)
            print(f"cleaned up in {time.monotonic() - t0:.0f} s", flush=True)
    print("\n\n## Summary (Markdown)\n")
    print("\n\n".join(sections))
    print(f"\n(total {time.monotonic() - started:.0f} s, load {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
