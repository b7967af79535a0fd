"""Timers on job-queue candidates: how many due timers fire per second, and how late.

The help desk needs timers (escalate an unanswered question after 5 min, 30 min, 24 h; let
a claim lapse after 10 min; send a consolidated email 2 min after an unread reply). This
script compares the queues that could run them, on this machine, with one trivial,
idempotent job: it records its id and the time it started in Redis db 5 (`HSETNX`, so a
second run of the same job changes nothing, and `HINCRBY`, so duplicates are counted).

    .venv/bin/pip install -r bench/requirements-jobs.txt
    .venv/bin/python bench/job_queue_bench.py --candidate huey-redis --jobs 20000
    .venv/bin/python bench/job_queue_bench.py --candidate all --workers 1,2 --repeat 2 \\
        --raw /tmp/jobs_bench/raw.json
    .venv/bin/python bench/job_queue_bench.py --summarize a.json,b.json   # merged medians

Per candidate and worker count it starts the worker processes and warms them up with 200
jobs due now; it times enqueueing 100 timers due tomorrow one by one (the enqueue/s
column) and 100 as the burst will be enqueued (batched in transactions or one statement
where the queue allows: that only shortens the set-up), then:

1. burst: enqueue `--jobs` jobs all due at the same instant T (far enough ahead that every
   enqueue has finished before T), and time from T until the last one has run:
   timers fired per second = jobs run / (last start - T). A burst not finished
   `--timeout` s after T counts the jobs run by then, and the storage is emptied and the
   workers restarted before the next phase;
2. latency: enqueue `--rate` jobs/s for `--duration` s, each due `--ahead` s after it is
   enqueued, and report p50/p99/max of (start - due), waiting at most `--drain` s after
   the last one was due.

Every (candidate, workers) pair runs in a fresh child process against fresh storage: Redis
db 5 is flushed (only that db), the PostgreSQL database `jobs_bench` is dropped and created
again, SQLite files live in /tmp/jobs_bench. Repeats are interleaved (every pair, then
again) and the table shows medians. At the end the workers are stopped (by the process
group each was started in), `jobs_bench` is dropped and db 5 flushed.

Candidates (`--candidate`, comma-separated, or `all`):

- `diy-pg`: our own `timers` table (unique key, `due_at` indexed); each worker claims up to
  500 due rows with `DELETE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT 500)
  RETURNING`, runs them in that transaction, and when nothing is due sleeps until the
  earliest `due_at` (at most 1 s);
- `diy-pg-tx`: the same table as the app would use it: a batch is leased (`UPDATE …
  SET leased_until`) in one short transaction, then each timer runs in its own transaction
  that also deletes it (one commit per timer);
- `diy-sqlite`: the `diy-pg` loop on SQLite (WAL), with `BEGIN IMMEDIATE` instead of row locks;
- `huey-redis`, `huey-pg`, `huey-sqlite`: Huey 3 (`task.schedule(eta=…)`), a consumer
  with one worker thread and its scheduler thread (1 s tick, Huey's minimum);
- `celery`: Celery 5 with the Redis broker, `apply_async(eta=…)`, `--pool=prefork
  --concurrency=1` (`celery-solo`: `--pool=solo`, not in `all`);
- `django-tasks-pg`, `django-tasks-sqlite`: the django-tasks backport of Django 6's tasks
  interface with django-tasks-db's database backend (`task.using(run_after=…)`),
  `db_worker --interval 1`, `CONN_MAX_AGE = 60` as in the project's settings;
- `procrastinate`: PostgreSQL only, `configure(schedule_at=…).defer()`, LISTEN/NOTIFY on
  and a 1 s polling interval (the default is 5 s), successful jobs deleted;
- `procrastinate-c4`: the same with `concurrency=4` (sync jobs run in threads);
- `rq-simple`, `rq`: RQ 2 with `enqueue_at` and the worker's scheduler; `rq-simple` runs
  jobs in the worker (`SimpleWorker`), `rq` forks a work horse per job (RQ's default; not
  in `all`).

`all` runs every candidate but `celery-solo` and `rq`, which ran due timers at ~20/s in a
first check. SQLite candidates, `huey-pg`, `procrastinate-c4` and `rq-simple` run with one
worker only (the embedded case has one; the others to keep the matrix short).

Client, workers, Redis and PostgreSQL share the 2 cores; compare candidates measured in
the same session, not absolute numbers across machines.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = str(PROJECT / ".venv" / "bin" / "python")
SCRIPT = str(Path(__file__).resolve())
WORKDIR = Path(os.environ.get("JOBS_BENCH_DIR", "/tmp/jobs_bench"))

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 5
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "jobs_bench"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"

START_KEY, RUNS_KEY = "jb:start", "jb:runs"  # the sink: job id -> first start, run count
WARMUP_JOBS = 200
DIY_BATCH = 500
POLL_S = 1.0  # the idle polling interval every polling candidate is given

UTC = dt.UTC

# --------------------------------------------------------------------------- the job


_redis_client = None


def sink():
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    return _redis_client


def record(job_id: int, due: float) -> None:
    """The job every candidate runs: idempotent (HSETNX keeps the first start)."""
    now = time.time()
    pipe = sink().pipeline(transaction=False)
    pipe.hsetnx(START_KEY, job_id, now)
    pipe.hincrby(RUNS_KEY, job_id, 1)
    pipe.execute()


def aware(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=UTC)


# ------------------------------------------------------------------- shared storage


def flush_redis() -> None:
    sink().flushdb()  # db 5 only


def recreate_pg() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def drop_pg() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def sqlite_path(name: str) -> Path:
    return WORKDIR / f"{name}.sqlite3"


def remove_sqlite(name: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{sqlite_path(name)}{suffix}")


# ------------------------------------------------------------------------ candidates
#
# Each candidate gives: reset() (fresh storage, in the run process, before any worker
# starts), producer() (a context manager yielding enqueue(job_id, due_epoch)) and
# worker() (the body of one worker process, until SIGTERM).


class Candidate:
    name = ""
    multi_worker = True  # measured with 2 worker processes too

    def reset(self) -> None:
        flush_redis()

    @contextlib.contextmanager
    def producer(self) -> Iterator[Callable[[int, float], None]]:
        raise NotImplementedError
        yield

    def enqueue_many(self, enqueue: Callable[[int, float], None], ids: range, due: float) -> None:
        """The burst's enqueue: one call per job unless the queue can batch them (in one
        transaction, or one statement), which only shortens the set-up."""
        for job_id in ids:
            enqueue(job_id, due)

    def worker(self, index: int) -> None:
        raise NotImplementedError


# --- do it ourselves: a timers table polled with SKIP LOCKED


DIY_PG_SCHEMA = """
CREATE TABLE timers (
    id bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE,          -- e.g. 'question:42:escalate-5min'
    kind text NOT NULL,
    object_id bigint NOT NULL,
    due_at timestamptz NOT NULL
);
CREATE INDEX timers_due_at ON timers (due_at);
"""

# Schedule and reschedule are one statement: a renewed claim moves its due_at.
DIY_PG_UPSERT = """
INSERT INTO timers (key, kind, object_id, due_at) VALUES (%s, 'bench', %s, %s)
ON CONFLICT (key) DO UPDATE SET due_at = EXCLUDED.due_at
"""

# The rows leave the table in the transaction that runs them: a worker that dies
# mid-batch rolls back and the timers come due again (at least once, hence idempotent
# jobs). SKIP LOCKED lets several workers take disjoint batches.
DIY_PG_CLAIM = """
DELETE FROM timers WHERE id IN (
    SELECT id FROM timers WHERE due_at <= %s ORDER BY due_at
    LIMIT %s FOR UPDATE SKIP LOCKED
) RETURNING object_id, due_at
"""


class DiyPg(Candidate):
    name = "diy-pg"

    def reset(self) -> None:
        import psycopg

        super().reset()
        recreate_pg()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(DIY_PG_SCHEMA)

    @contextlib.contextmanager
    def producer(self):
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:

            def enqueue(job_id: int, due: float) -> None:
                conn.execute(DIY_PG_UPSERT, (f"bench:{job_id}", job_id, aware(due)))

            enqueue.conn = conn  # type: ignore[attr-defined]
            yield enqueue

    def enqueue_many(self, enqueue, ids, due):
        conn = enqueue.conn
        for start in range(ids.start, ids.stop, 500):
            with conn.transaction():
                for job_id in range(start, min(start + 500, ids.stop)):
                    enqueue(job_id, due)

    def worker(self, index: int) -> None:
        import psycopg

        running = install_stop_flag()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            while running():
                with conn.transaction():
                    rows = conn.execute(DIY_PG_CLAIM, (dt.datetime.now(UTC), DIY_BATCH)).fetchall()
                    for object_id, due_at in rows:
                        record(object_id, due_at.timestamp())
                if rows:
                    continue
                (next_due,) = conn.execute("SELECT min(due_at) FROM timers").fetchone()
                wait = POLL_S if next_due is None else next_due.timestamp() - time.time()
                time.sleep(min(max(wait, 0.0), POLL_S))


# The shape the app would use: a batch is leased (not deleted) in one short transaction,
# then every timer runs in its own transaction that also deletes it, so a job's database
# writes and its timer's removal commit together, and a slow job holds no batch of locks.
# A timer renewed while leased gets a new due_at and no lease: the DELETE, which asks for
# the due_at it leased, leaves it for its new time.
DIY_PG_TX_SCHEMA = DIY_PG_SCHEMA.replace(
    "due_at timestamptz NOT NULL", "due_at timestamptz NOT NULL,\n    leased_until timestamptz"
)
DIY_PG_TX_UPSERT = DIY_PG_UPSERT.replace(
    "SET due_at = EXCLUDED.due_at", "SET due_at = EXCLUDED.due_at, leased_until = NULL"
)
DIY_PG_TX_LEASE = """
UPDATE timers SET leased_until = %(now)s + interval '60 seconds' WHERE id IN (
    SELECT id FROM timers
    WHERE due_at <= %(now)s AND (leased_until IS NULL OR leased_until < %(now)s)
    ORDER BY due_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED
) RETURNING id, object_id, due_at
"""


class DiyPgTx(DiyPg):
    name = "diy-pg-tx"

    def reset(self) -> None:
        import psycopg

        flush_redis()
        recreate_pg()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(DIY_PG_TX_SCHEMA)

    @contextlib.contextmanager
    def producer(self):
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:

            def enqueue(job_id: int, due: float) -> None:
                conn.execute(DIY_PG_TX_UPSERT, (f"bench:{job_id}", job_id, aware(due)))

            enqueue.conn = conn  # type: ignore[attr-defined]
            yield enqueue

    def worker(self, index: int) -> None:
        import psycopg

        running = install_stop_flag()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            while running():
                now = dt.datetime.now(UTC)
                rows = conn.execute(DIY_PG_TX_LEASE, {"now": now, "limit": DIY_BATCH}).fetchall()
                for timer_id, object_id, due_at in rows:
                    with conn.transaction():
                        record(object_id, due_at.timestamp())
                        conn.execute(
                            "DELETE FROM timers WHERE id = %s AND due_at = %s", (timer_id, due_at)
                        )
                if rows:
                    continue
                (next_due,) = conn.execute(
                    "SELECT min(due_at) FROM timers WHERE leased_until IS NULL"
                ).fetchone()
                wait = POLL_S if next_due is None else next_due.timestamp() - time.time()
                time.sleep(min(max(wait, 0.0), POLL_S))


class DiySqlite(Candidate):
    name = "diy-sqlite"
    multi_worker = False  # the embedded default runs one worker

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(sqlite_path(self.name), isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def reset(self) -> None:
        super().reset()
        remove_sqlite(self.name)
        conn = self.connect()
        conn.executescript(
            """
            CREATE TABLE timers (
                id integer PRIMARY KEY,
                key text NOT NULL UNIQUE,
                kind text NOT NULL,
                object_id integer NOT NULL,
                due_at real NOT NULL
            );
            CREATE INDEX timers_due_at ON timers (due_at);
            """
        )
        conn.close()

    @contextlib.contextmanager
    def producer(self):
        conn = self.connect()
        try:

            def enqueue(job_id: int, due: float) -> None:
                conn.execute(
                    "INSERT INTO timers (key, kind, object_id, due_at) VALUES (?, 'bench', ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at",
                    (f"bench:{job_id}", job_id, due),
                )

            enqueue.conn = conn  # type: ignore[attr-defined]
            yield enqueue
        finally:
            conn.close()

    def enqueue_many(self, enqueue, ids, due):
        for start in range(ids.start, ids.stop, 500):
            enqueue.conn.execute("BEGIN IMMEDIATE")
            for job_id in range(start, min(start + 500, ids.stop)):
                enqueue(job_id, due)
            enqueue.conn.execute("COMMIT")

    def worker(self, index: int) -> None:
        running = install_stop_flag()
        conn = self.connect()
        while running():
            # SQLite has one writer at a time: BEGIN IMMEDIATE takes the write lock, so
            # concurrent workers would simply take turns.
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = conn.execute(
                    "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE due_at <= ?"
                    " ORDER BY due_at LIMIT ?) RETURNING object_id, due_at",
                    (time.time(), DIY_BATCH),
                ).fetchall()
                for object_id, due_at in rows:
                    record(object_id, due_at)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if rows:
                continue
            (next_due,) = conn.execute("SELECT min(due_at) FROM timers").fetchone()
            wait = POLL_S if next_due is None else next_due - time.time()
            time.sleep(min(max(wait, 0.0), POLL_S))
        conn.close()


# --- Huey


def huey_job(job_id: int, due: float) -> None:
    record(job_id, due)


class HueyBase(Candidate):
    name = "huey"

    def make_huey(self):
        raise NotImplementedError

    def setup(self):
        self.huey = self.make_huey()
        self.task = self.huey.task(name="jb_job")(huey_job)

    def reset(self) -> None:
        super().reset()
        self.setup()
        self.huey.flush()

    @contextlib.contextmanager
    def producer(self):
        if not hasattr(self, "task"):
            self.setup()

        def enqueue(job_id: int, due: float) -> None:
            self.task.schedule(args=(job_id, due), eta=aware(due))

        yield enqueue

    def worker(self, index: int) -> None:
        import logging

        logging.basicConfig(level=logging.WARNING)
        self.setup()
        consumer = self.huey.create_consumer(
            workers=1,
            worker_type="thread",
            periodic=False,
            scheduler_interval=1,  # Huey's minimum
            initial_delay=0.1,
            backoff=1.15,
            max_delay=POLL_S,  # storages that poll (SQLite) back off to at most this
            check_worker_health=False,
        )
        consumer.run()


class HueyRedis(HueyBase):
    name = "huey-redis"

    def make_huey(self):
        from huey import RedisHuey

        return RedisHuey("jb", host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, results=False)


class HueyPg(HueyBase):
    name = "huey-pg"
    multi_worker = False  # one worker only, to keep the matrix within the time budget

    def reset(self) -> None:
        recreate_pg()
        super().reset()

    def make_huey(self):
        from huey import PostgresHuey

        return PostgresHuey("jb", dsn=PG_URL, results=False)


class HueySqlite(HueyBase):
    name = "huey-sqlite"
    multi_worker = False

    def reset(self) -> None:
        remove_sqlite(self.name)
        super().reset()

    def make_huey(self):
        from huey import SqliteHuey

        return SqliteHuey("jb", filename=str(sqlite_path(self.name)), results=False)


# --- Celery


def celery_app():
    from celery import Celery

    app = Celery("jb", broker=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}")
    app.conf.update(
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    app.task(name="jb_job")(record)
    return app


class CeleryCandidate(Candidate):
    name = "celery"
    pool = ["--pool=prefork", "--concurrency=1"]  # a main process and one pool child

    @contextlib.contextmanager
    def producer(self):
        app = celery_app()
        task = app.tasks["jb_job"]

        def enqueue(job_id: int, due: float) -> None:
            task.apply_async(args=(job_id, due), eta=aware(due))

        yield enqueue

    def worker(self, index: int) -> None:
        app = celery_app()
        app.worker_main(
            [
                "worker",
                *self.pool,
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=jb{index}@%h",
            ]
        )


# --- django-tasks (Django 6's interface) with the database backend


def dt_job(job_id: int, due: float) -> None:
    record(job_id, due)


class CelerySolo(CeleryCandidate):
    name = "celery-solo"
    pool = ["--pool=solo"]


class DjangoTasksBase(Candidate):
    name = "django-tasks"

    def database(self) -> dict[str, Any]:
        raise NotImplementedError

    def setup(self) -> None:
        import django
        from django.conf import settings

        if settings.configured:
            return
        settings.configure(
            DEBUG=False,
            SECRET_KEY="jobs-bench",
            USE_TZ=True,
            INSTALLED_APPS=["django_tasks", "django_tasks_db"],
            # Persistent connections, as the project's settings (conn_max_age=60): with
            # Django's default of 0 the worker reconnects for every task (~40 tasks/s).
            DATABASES={"default": {**self.database(), "CONN_MAX_AGE": 60}},
            TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        )
        django.setup()
        from django_tasks import task

        # The task's path is "<module>.dt_job": make that name the Task object, so the
        # worker (the same script, also __main__) imports the task and not the function.
        module = sys.modules[__name__]
        if not hasattr(module.dt_job, "enqueue"):
            module.dt_job = task()(module.dt_job)

    def recreate(self) -> None:
        """Fresh storage for this candidate's database."""

    def reset(self) -> None:
        from django.conf import settings

        if settings.configured:  # a second reset: the database is about to be dropped
            from django.db import connections

            connections.close_all()
        self.recreate()
        super().reset()
        self.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

    @contextlib.contextmanager
    def producer(self):
        self.setup()
        job = sys.modules[__name__].dt_job

        def enqueue(job_id: int, due: float) -> None:
            job.using(run_after=aware(due)).enqueue(job_id, due)

        yield enqueue

    def enqueue_many(self, enqueue, ids, due):
        from django.db import transaction

        for start in range(ids.start, ids.stop, 500):
            with transaction.atomic():
                for job_id in range(start, min(start + 500, ids.stop)):
                    enqueue(job_id, due)

    def worker(self, index: int) -> None:
        self.setup()
        from django.core.management import call_command

        call_command("db_worker", interval=POLL_S, startup_delay=False, reload=False, verbosity=0)


class DjangoTasksPg(DjangoTasksBase):
    name = "django-tasks-pg"

    def recreate(self) -> None:
        recreate_pg()

    def database(self) -> dict[str, Any]:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": PG_DB,
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
        }


class DjangoTasksSqlite(DjangoTasksBase):
    name = "django-tasks-sqlite"
    multi_worker = False

    def recreate(self) -> None:
        remove_sqlite(self.name)

    def database(self) -> dict[str, Any]:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path(self.name)),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }


# --- procrastinate (PostgreSQL)


def procrastinate_app():
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=PG_URL))

    @app.task(name="jb_job")
    def jb_job(job_id: int, due: float) -> None:
        record(job_id, due)

    return app, jb_job


class Procrastinate(Candidate):
    name = "procrastinate"
    concurrency = 1

    def reset(self) -> None:
        super().reset()
        recreate_pg()
        app, _ = procrastinate_app()
        with app.open():
            app.schema_manager.apply_schema()

    @contextlib.contextmanager
    def producer(self):
        app, job = procrastinate_app()
        with app.open():

            def enqueue(job_id: int, due: float) -> None:
                job.configure(schedule_at=aware(due)).defer(job_id=job_id, due=due)

            enqueue.job = job  # type: ignore[attr-defined]
            yield enqueue

    def enqueue_many(self, enqueue, ids, due):
        deferrer = enqueue.job.configure(schedule_at=aware(due))
        for start in range(ids.start, ids.stop, 500):
            stop = min(start + 500, ids.stop)
            deferrer.batch_defer(*({"job_id": i, "due": due} for i in range(start, stop)))

    def worker(self, index: int) -> None:
        import logging

        logging.basicConfig(level=logging.WARNING)
        app, _ = procrastinate_app()
        app.run_worker(
            concurrency=self.concurrency,
            fetch_job_polling_interval=POLL_S,
            listen_notify=True,
            delete_jobs="successful",
            name=f"jb{index}",
        )


class Procrastinate4(Procrastinate):
    # Four jobs at a time per worker (sync jobs run in threads): the fetch and finish
    # round trips of one job overlap with the others'.
    name = "procrastinate-c4"
    concurrency = 4
    multi_worker = False  # one worker only, to keep the matrix within the time budget


# --- RQ


def rq_job(job_id: int, due: float) -> None:
    record(job_id, due)


class Rq(Candidate):
    name = "rq"
    simple = False

    def queue(self):
        from rq import Queue

        return Queue("jb", connection=sink())

    @contextlib.contextmanager
    def producer(self):
        queue = self.queue()

        def enqueue(job_id: int, due: float) -> None:
            # By name: RQ refuses functions from __main__; the worker imports this file
            # again as bench.job_queue_bench.
            queue.enqueue_at(aware(due), "bench.job_queue_bench.rq_job", job_id, due, result_ttl=0)

        yield enqueue

    def worker(self, index: int) -> None:
        from rq import SimpleWorker, Worker

        sys.path.insert(0, str(PROJECT))
        cls = SimpleWorker if self.simple else Worker
        worker = cls([self.queue()], connection=sink(), name=f"jb{index}-{os.getpid()}")
        worker.work(with_scheduler=True, logging_level="WARNING")


class RqSimple(Rq):
    name = "rq-simple"
    simple = True
    multi_worker = False  # one worker only, to keep the matrix within the time budget


CANDIDATES: dict[str, type[Candidate]] = {
    cls.name: cls
    for cls in (
        DiyPg,
        DiyPgTx,
        DiySqlite,
        HueyRedis,
        HueyPg,
        HueySqlite,
        CeleryCandidate,
        CelerySolo,
        DjangoTasksPg,
        DjangoTasksSqlite,
        Procrastinate,
        Procrastinate4,
        Rq,
        RqSimple,
    )
}

# celery-solo and rq (a fork per job) ran at ~20 timers/s in a first check: not in "all".
DEFAULT_SET = [name for name in CANDIDATES if name not in ("celery-solo", "rq")]

# ---------------------------------------------------------------------- processes


def install_stop_flag() -> Callable[[], bool]:
    state = {"running": True}

    def stop(signum, frame):
        state["running"] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return lambda: state["running"]


def start_workers(name: str, count: int, tag: str) -> list[subprocess.Popen]:
    (WORKDIR / "logs").mkdir(parents=True, exist_ok=True)
    procs = []
    for index in range(count):
        log = open(WORKDIR / "logs" / f"{tag}-w{index}.log", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [PYTHON, SCRIPT, "--role", "worker", "--candidate", name, "--index", str(index)],
                cwd=PROJECT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole below
            )
        )
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def cpu_seconds(pgid: int) -> float:
    """utime + stime of every process in a worker's process group (Celery's pool children,
    RQ's work horses once reaped), in seconds."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ one measurement


def wait_for(count: int, deadline: float) -> int:
    done = 0
    while time.time() < deadline:
        done = sink().hlen(START_KEY)
        if done >= count:
            break
        time.sleep(0.05)
    return done


def collect(ids: set[int]) -> tuple[dict[int, float], int]:
    """First start time per job among `ids`, and how many extra runs happened."""
    starts = {int(k): float(v) for k, v in sink().hgetall(START_KEY).items() if int(k) in ids}
    runs = {int(k): int(v) for k, v in sink().hgetall(RUNS_KEY).items() if int(k) in ids}
    return starts, sum(runs.values()) - len(runs)


def clear_sink() -> None:
    sink().delete(START_KEY, RUNS_KEY)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def warm_up(cand: Candidate, enqueue: Callable[[int, float], None], tag: str) -> None:
    """Returns once the workers are up and connected: these jobs have run."""
    clear_sink()
    half = WARMUP_JOBS // 2
    now = time.time()
    for k in range(half):
        enqueue(-1 - k, now)
    cand.enqueue_many(enqueue, range(-WARMUP_JOBS, -half), now)
    if wait_for(WARMUP_JOBS, time.time() + 60) < WARMUP_JOBS:
        raise RuntimeError(f"{tag}: warm-up jobs did not all run within 60 s")
    time.sleep(2.0)  # a second worker may have started later than the first
    clear_sink()


def burst(cand, enqueue, procs, args) -> dict[str, Any]:
    # Enqueue cost, with idle workers, of timers due tomorrow (they never run here): one
    # by one (the enqueue/s column: one timer, one commit), then as the burst will be
    # enqueued (possibly batched), which says how far ahead the burst must be due.
    half = WARMUP_JOBS // 2
    tomorrow = time.time() + 86_400
    started = time.perf_counter()
    for k in range(half):
        enqueue(-1_000_000 - k, tomorrow)
    per_job = (time.perf_counter() - started) / half
    started = time.perf_counter()
    cand.enqueue_many(enqueue, range(-2_000_000, -2_000_000 + half), tomorrow)
    per_job_batched = (time.perf_counter() - started) / half

    lead = args.lead or per_job_batched * args.jobs * 1.5 + 5.0
    due = time.time() + lead
    started = time.perf_counter()
    cand.enqueue_many(enqueue, range(args.jobs), due)
    enqueue_s = time.perf_counter() - started
    overran = time.time() - due
    cpu_before = sum(cpu_seconds(p.pid) for p in procs)
    done = wait_for(args.jobs, due + args.timeout)
    cpu_after = sum(cpu_seconds(p.pid) for p in procs)
    starts, dups = collect(set(range(args.jobs)))
    last = max(starts.values()) if starts else due
    # A burst that did not finish within --timeout: the rate over the timeout.
    elapsed = max(last - due, 1e-9) if done >= args.jobs else args.timeout
    clear_sink()
    return {
        "enqueue_per_s": 1 / per_job,
        "burst_enqueue_s": enqueue_s,
        "lead_s": lead,
        "enqueue_overran_s": max(0.0, overran),
        "burst_done": done,
        "burst_first_s": (min(starts.values()) - due) if starts else None,
        "burst_all_s": elapsed,
        "fired_per_s": len(starts) / elapsed,
        "burst_cpu_ms_per_1k": (cpu_after - cpu_before) * 1000 / max(len(starts), 1) * 1000,
        "burst_duplicates": dups,
    }


def latency(enqueue, args) -> dict[str, Any]:
    total = int(args.rate * args.duration)
    base = args.jobs + 1
    dues: dict[int, float] = {}
    t0 = time.time() + 0.5
    behind = 0.0
    for k in range(total):
        at = t0 + k / args.rate
        pause = at - time.time()
        if pause > 0:
            time.sleep(pause)
        else:
            behind = max(behind, -pause)
        job_due = time.time() + args.ahead
        enqueue(base + k, job_due)
        dues[base + k] = job_due
    wait_for(total, max(dues.values()) + args.drain)
    starts, dups = collect(set(dues))
    lat = [(starts[j] - dues[j]) * 1000 for j in starts]
    return {
        "lat_jobs": total,
        "lat_done": len(starts),
        "lat_p50_ms": percentile(lat, 50),
        "lat_p99_ms": percentile(lat, 99),
        "lat_max_ms": max(lat) if lat else None,
        "lat_min_ms": min(lat) if lat else None,
        "lat_early": sum(1 for v in lat if v < 0),
        "lat_duplicates": dups,
        "producer_behind_s": behind,
    }


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    cand = CANDIDATES[args.candidate]()
    WORKDIR.mkdir(parents=True, exist_ok=True)
    tag = f"{cand.name}-{args.workers}"
    result: dict[str, Any] = {"candidate": cand.name, "workers": args.workers}
    procs: list[subprocess.Popen] = []
    try:
        cand.reset()
        procs = start_workers(cand.name, args.workers, tag)
        with cand.producer() as enqueue:
            warm_up(cand, enqueue, tag)
            result.update(burst(cand, enqueue, procs, args))
        if args.duration > 0:
            if result["burst_done"] < args.jobs:
                # The backlog of an unfinished burst would delay every latency job:
                # start again from empty storage.
                stop_workers(procs)
                cand = CANDIDATES[args.candidate]()  # new clients for the new storage
                cand.reset()
                procs = start_workers(cand.name, args.workers, tag)
                with cand.producer() as enqueue:
                    warm_up(cand, enqueue, tag)
            with cand.producer() as enqueue:
                result.update(latency(enqueue, args))
    finally:
        stop_workers(procs)
    return result


# -------------------------------------------------------------------- the matrix

COLUMNS = [
    ("candidate", "candidate", "{}"),
    ("workers", "workers", "{}"),
    ("runs", "runs", "{}"),
    ("enqueue_per_s", "enqueue/s", "{:,.0f}"),
    ("fired_per_s", "burst: timers fired/s", "{:,.0f}"),
    ("fired_range", "fired/s, each run", "{}"),
    ("burst_first_s", "burst: first start after due (s)", "{:.2f}"),
    ("burst_all_s", "burst: all done after due (s)", "{:.1f}"),
    ("burst_cpu_ms_per_1k", "worker CPU ms / 1k timers", "{:,.0f}"),
    ("lat_p50_ms", "latency p50 (ms)", "{:,.0f}"),
    ("lat_p99_ms", "latency p99 (ms)", "{:,.0f}"),
    ("lat_max_ms", "latency max (ms)", "{:,.0f}"),
    ("burst_done_runs", "burst jobs run by the cut-off", "{}"),
    ("lat_missing_runs", "latency jobs not run", "{}"),
    ("duplicates", "duplicates", "{}"),
]


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"candidate": rows[0]["candidate"], "workers": rows[0]["workers"]}
    for key, _, _ in COLUMNS[3:-3]:
        values = [r[key] for r in rows if isinstance(r.get(key), int | float)]
        if values:
            out[key] = statistics.median(values)
    out["fired_range"] = "/".join(f"{r['fired_per_s']:,.0f}" for r in rows)
    # Per run, joined with "/": a burst cut off by --timeout, and latency jobs still not
    # run --drain seconds after the last was due, are not losses, only not measured.
    out["burst_done_runs"] = "/".join(
        "all" if r["burst_done"] >= r["jobs"] else f"{r['burst_done']:,}" for r in rows
    )
    out["lat_missing_runs"] = "/".join(
        str(r.get("lat_jobs", 0) - r.get("lat_done", 0)) for r in rows
    )
    out["duplicates"] = "/".join(
        str(r.get("burst_duplicates", 0) + r.get("lat_duplicates", 0)) for r in rows
    )
    out["runs"] = len(rows)
    return out


def table(summaries: list[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
        "| " + " | ".join("---" for _ in COLUMNS) + " |",
    ]
    for s in summaries:
        cells = []
        for key, _, fmt in COLUMNS:
            value = s.get(key)
            cells.append("n/a" if value is None else fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_matrix(args: argparse.Namespace) -> None:
    names = DEFAULT_SET if args.candidate == "all" else args.candidate.split(",")
    for name in names:
        if name not in CANDIDATES:
            sys.exit(f"unknown candidate {name!r}; choose from {', '.join(CANDIDATES)}")
    worker_counts = [int(w) for w in args.workers_list.split(",")]
    pairs = [
        (name, w)
        for name in names
        for w in worker_counts
        if w == 1 or CANDIDATES[name].multi_worker
    ]
    raw: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        for repeat in range(args.repeat):
            for name, workers in pairs:
                cmd = [PYTHON, SCRIPT, "--role", "run", "--candidate", name]
                cmd += ["--workers", str(workers)]
                for option in ("jobs", "rate", "duration", "ahead", "timeout", "drain", "lead"):
                    cmd += [f"--{option}", str(getattr(args, option))]
                print(f"# repeat {repeat + 1}: {name} x{workers} …", file=sys.stderr, flush=True)
                proc = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True)
                if proc.returncode != 0:
                    print(proc.stderr[-3000:], file=sys.stderr)
                    raw.append({"candidate": name, "workers": workers, "error": True})
                    continue
                row = json.loads(proc.stdout.strip().splitlines()[-1])
                row.update(repeat=repeat + 1, jobs=args.jobs)
                raw.append(row)
                print(
                    "#   "
                    + ", ".join(
                        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                        for k, v in row.items()
                    ),
                    file=sys.stderr,
                    flush=True,
                )
                if args.raw:
                    Path(args.raw).write_text(json.dumps(raw, indent=1))
    finally:
        cleanup()
    print(
        f"Medians of {args.repeat} interleaved runs, {args.jobs:,} burst jobs, latency at"
        f" {args.rate:g}/s for {args.duration:g} s (each due {args.ahead:g} s after enqueue);"
        f" {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores;"
        f" matrix took {time.monotonic() - started:.0f} s.\n"
    )
    print_summary(raw)


def print_summary(raw: list[dict[str, Any]]) -> None:
    pairs = list(dict.fromkeys((r["candidate"], r["workers"]) for r in raw))
    summaries = []
    for name, workers in pairs:
        rows = [
            r
            for r in raw
            if r["candidate"] == name and r["workers"] == workers and not r.get("error")
        ]
        if rows:
            summaries.append(summarize(rows))
    print(table(summaries))
    errors = [r for r in raw if r.get("error")]
    if errors:
        failed = ", ".join(f"{r['candidate']} x{r['workers']}" for r in errors)
        print(f"\nFailed runs: {failed}")


def cleanup() -> None:
    with contextlib.suppress(Exception):
        flush_redis()
    with contextlib.suppress(Exception):
        drop_pg()
    for name in CANDIDATES:
        remove_sqlite(name)
    shutil.rmtree(WORKDIR / "huey", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", choices=["matrix", "run", "worker"], default="matrix")
    parser.add_argument("--candidate", default="all", help="comma-separated, or 'all'")
    parser.add_argument("--workers", dest="workers_list", default="1,2")
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=20_000, help="burst size")
    parser.add_argument("--rate", type=float, default=200, help="latency phase jobs/s")
    parser.add_argument("--duration", type=float, default=10, help="latency phase seconds")
    parser.add_argument("--ahead", type=float, default=2.0, help="latency jobs due after (s)")
    parser.add_argument("--timeout", type=float, default=30, help="burst cut-off after due")
    parser.add_argument("--drain", type=float, default=15, help="latency cut-off after due")
    parser.add_argument("--lead", type=float, default=0, help="burst due after (s); 0: auto")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--raw", help="write every run's figures to this JSON file")
    parser.add_argument("--summarize", help="only print the table of these --raw files (a,b)")
    args = parser.parse_args()

    if args.summarize:
        raw = [row for f in args.summarize.split(",") for row in json.loads(Path(f).read_text())]
        print_summary(sorted(raw, key=lambda r: list(CANDIDATES).index(r["candidate"])))
        return

    if args.role == "worker":
        CANDIDATES[args.candidate]().worker(args.index)
    elif args.role == "run":
        args.workers = int(args.workers_list)
        print(json.dumps(run_one(args)))
    else:
        run_matrix(args)


if __name__ == "__main__":
    main()
