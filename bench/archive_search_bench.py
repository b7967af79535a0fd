"""Archive search latency over a large help room (target: p99 <= 50 ms on PostgreSQL at
1,000,000 messages).

Creates its own database (PostgreSQL ``archive_bench`` by default, or a temporary SQLite
file with ``--sqlite``), migrates it, and seeds room ``bench-archive`` with ``--size``
messages (plus a tenth as many in ``bench-archive-other``, so that the room filter has
something to filter). Bodies are 6-20 words drawn from a skewed vocabulary (function
words in most messages, help-desk words in a few percent, a long tail of rare words), the
same for both databases (seeded). 1% are hidden. The search structures are dropped
before seeding and built afterwards, as migration 0003 would on an existing table, and
the build is timed.

It then measures ``helpdesk.archive.search`` in-process (the whole selector: the ids
through the index, the messages with their authors, the highlighted snippets), warm,
``--repeat`` times per query, for the newest page and for a page from the middle of the
room, prints a table of p50/p99 in ms with each query's match count, and the plan of the
slowest query. At the end the database is dropped (``--keep`` keeps it, and a rerun of
the same size reuses it).

    .venv/bin/python bench/archive_search_bench.py --size 1000000
    .venv/bin/python bench/archive_search_bench.py --size 200000 --sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

SLUG = "bench-archive"
OTHER_SLUG = "bench-archive-other"
AUTHORS = 500
DAYS = 365
SEED = 20261105

# Split strings, not list literals: one word a line would make the vocabulary unreadable.
FUNCTION_WORDS = (  # noqa: SIM905
    "the to a i and is it you of in for how do this that on my can with be what not have "
    "but if are was there an at or as your just so me it's from will would any"
).split()
HELP_WORDS = (  # noqa: SIM905
    "edit article page source cite sources reference references help wikipedia draft "
    "sandbox template infobox citation link links talk user account image upload "
    "notability reliable delete deleted revert vandalism copyright policy category "
    "section table format preview publish editor visual mentor question thanks welcome "
    "review submit rejected notable biography footnote url website book journal news "
    "username block blocked warning discussion consensus"
).split()
TAIL_SIZE = 5000
ABSENT = "xylophonist"


def vocabulary() -> list[str]:
    """Function words first, then help-desk words, then a long tail of made-up ones."""
    rng = random.Random(SEED)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    tail: list[str] = []
    seen = set(FUNCTION_WORDS) | set(HELP_WORDS) | {ABSENT}
    while len(tail) < TAIL_SIZE:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            tail.append(word)
    return [*FUNCTION_WORDS, *HELP_WORDS, *tail]


def bodies(count: int, words: list[str], seed: int) -> Iterator[str]:
    # P(rank < k) = (k / V) ** 0.25: the first word is in ~12% of draws, the last
    # ones in ~0.005%; with 6-20 draws a message, from most messages to a few hundred
    # in a million.
    rng = random.Random(seed)
    size = len(words)
    for _ in range(count):
        yield " ".join(
            words[min(size - 1, int(size * rng.random() ** 4))] for _ in range(rng.randint(6, 20))
        )


def queries(words: list[str]) -> list[tuple[str, str]]:
    """(label, text): from a word in most messages to one in none."""
    tail = len(FUNCTION_WORDS) + len(HELP_WORDS)
    return [
        ("very common word", words[0]),
        ("common help word", "sandbox"),
        ("help word", "notability"),
        ("less common word", words[tail + 150]),
        ("uncommon word", words[tail + 500]),
        ("rare word", words[tail + 1500]),
        ("very rare word", words[-1]),
        ("absent word", ABSENT),
        ("two words", "cite sources"),
        ("phrase", '"reliable sources"'),
        ("or", "draft or sandbox"),
        ("exclusion", "sandbox -the"),
    ]


# --- the database ---------------------------------------------------------------------------


def configure(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.update(
        {"DEBUG": "0", "SECRET_KEY": "bench", "REDIS_URL": "", "LOG_LEVEL": "WARNING"}
    )
    if args.sqlite:
        os.environ["DATABASE_URL"] = ""
        os.environ["SQLITE_PATH"] = args.sqlite_path
    else:
        os.environ["DATABASE_URL"] = args.database_url
        create_postgresql_database(args.database_url)
    import django

    django.setup()


def _admin_connection(url: str) -> Any:
    import psycopg

    base, _, name = url.rpartition("/")
    return psycopg.connect(f"{base}/postgres", autocommit=True), name


def create_postgresql_database(url: str) -> None:
    admin, name = _admin_connection(url)
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(args: argparse.Namespace) -> None:
    from django.db import connections

    connections.close_all()
    if args.sqlite:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(args.sqlite_path + suffix)
        return
    admin, name = _admin_connection(args.database_url)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


# --- seeding --------------------------------------------------------------------------------


def seed(size: int) -> Any:
    """The rooms and their messages; a database already seeded at this size is reused."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from helpdesk import search
    from livechat.models import Message, Room

    call_command("migrate", verbosity=0)
    room, _ = Room.objects.get_or_create(slug=SLUG, defaults={"name": "Bench archive"})
    other, _ = Room.objects.get_or_create(slug=OTHER_SLUG, defaults={"name": "Bench other"})
    if Message.objects.filter(room=room).count() == size:
        print(f"reusing the {size:,} messages already seeded")
        return room
    Message.objects.filter(room__in=[room, other]).delete()
    existing = set(
        User.objects.filter(username__startswith="archive-").values_list("username", flat=True)
    )
    User.objects.bulk_create(
        User(username=f"archive-{n}", password="!")
        for n in range(AUTHORS)
        if f"archive-{n}" not in existing
    )
    authors = list(
        User.objects.filter(username__startswith="archive-").values_list("pk", flat=True)
    )
    words = vocabulary()
    search.drop_structures(connection)
    started = time.monotonic()
    insert([room.pk, other.pk], size, authors, bodies(size + size // 10, words, SEED))
    print(f"seeded {size:,} + {size // 10:,} messages in {time.monotonic() - started:.0f}s")
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What an operator would give a one-off index build on a big table.
            cursor.execute("SET maintenance_work_mem = '512MB'")
    search.ensure_structures(connection)
    print(f"built the search structures in {time.monotonic() - started:.0f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return room


def rows(
    rooms: list[int], size: int, authors: list[int], texts: Iterator[str]
) -> Iterator[tuple[Any, ...]]:
    """The two rooms' messages interleaved in time, as rooms' messages are in a real
    table: ``size`` in the first room, a tenth as many in the second."""
    rng = random.Random(SEED + 1)
    total = size + size // 10
    picks = [rooms[0]] * size + [rooms[1]] * (size // 10)
    rng.shuffle(picks)
    start = datetime.now(UTC) - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / max(total, 1)
    for n, (room_id, body) in enumerate(zip(picks, texts, strict=False)):
        yield (
            room_id,
            authors[rng.randrange(len(authors))],
            body,
            f"<p>{body}</p>",
            start + step * n,
            1,
            rng.random() < 0.01,
            n + 1,
            "[]",
            "[]",
            "[]",
        )


COLUMNS = (
    "room_id, author_id, body, html, created_at, revision, hidden, created_event_id, "
    "mentions, reactions, review_tags"
)


def insert(rooms: list[int], size: int, authors: list[int], texts: Iterator[str]) -> None:
    from django.db import connection, transaction

    source = rows(rooms, size, authors, texts)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY livechat_message ({COLUMNS}) FROM STDIN") as copy:
                for row in source:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 11)
            batch: list[tuple[Any, ...]] = []
            for row in source:
                batch.append((*row[:4], row[4].strftime("%Y-%m-%d %H:%M:%S.%f"), *row[5:]))
                if len(batch) == 10_000:
                    cursor.executemany(
                        f"INSERT INTO livechat_message ({COLUMNS}) VALUES ({marks})", batch
                    )
                    batch.clear()
            if batch:
                cursor.executemany(
                    f"INSERT INTO livechat_message ({COLUMNS}) VALUES ({marks})", batch
                )


# --- measuring ------------------------------------------------------------------------------


def timed(fn: Callable[[], object], count: int) -> list[float]:
    for _ in range(3):
        fn()  # warm: the plan, the pages, Python's caches
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def p(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(q * len(samples)))]


def match_count(room: Any, text: str) -> int:
    """How many visible messages of the room match (through the same index)."""
    from django.db import connection

    from helpdesk import search

    query = search.parse_query(text)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT count(*) FROM {search.PG_TABLE} WHERE room_id = %(room)s "
                f"AND NOT hidden AND vector @@ {search.PG_QUERY}",
                {"room": room.pk, "q": query.text},
            )
        else:
            cursor.execute(
                f"SELECT count(*) FROM {search.FTS_TABLE} f JOIN livechat_message m "
                f"ON m.id = f.rowid WHERE {search.FTS_TABLE} MATCH %s AND m.room_id = %s "
                "AND NOT m.hidden",
                [query.fts5(), room.pk],
            )
        return cursor.fetchone()[0]


def explain(room: Any, text: str, before: int | None) -> str:
    """The plans of the selector's statements for this search (helpdesk.search)."""
    from django.db import connection

    from helpdesk import archive, search

    if connection.vendor != "postgresql":
        return ""
    params = {
        "room": room.pk,
        "before": before if before is not None else 2**63 - 1,
        "newest": search.PG_NEWEST,
        "limit": archive.SEARCH_PAGE_SIZE + 1,
        "q": search.parse_query(text).text,
    }
    plans = []
    with connection.cursor() as cursor:
        cursor.execute(search._PG_NEWEST_SQL, params)
        found = len(cursor.fetchall())
        statements = [(search._PG_NEWEST_SQL, params)]
        if found < params["limit"]:
            statements.append((search._PG_OLDER_SQL, {**params, "limit": params["limit"] - found}))
        for sql, values in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, values)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(plans)


def measure(room: Any, repeat: int) -> None:
    from django.db import connection

    from helpdesk import archive
    from livechat.models import Message

    ids = Message.objects.filter(room=room).order_by("id").values_list("id", flat=True)
    middle = ids[ids.count() // 2]
    total = Message.objects.count()
    lines = [
        f"{connection.vendor}: room {room.slug}, {ids.count():,} of the {total:,} messages, "
        f"{repeat} searches each",
        "",
        "| query | text | matches | newest page p50 / p99 ms | middle page p50 / p99 ms |",
        "|---|---|---:|---:|---:|",
    ]
    worst = (0.0, "", None)
    for label, text in queries(vocabulary()):
        matches = match_count(room, text)
        cells = []
        for before in (None, middle):
            samples = timed(
                lambda b=before, t=text: archive.search(room=room, text=t, before=b), repeat
            )
            cells.append(f"{p(samples, 0.5):.2f} / {p(samples, 0.99):.2f}")
            if p(samples, 0.99) > worst[0]:
                worst = (p(samples, 0.99), text, before)
        lines.append(f"| {label} | `{text}` | {matches:,} | {cells[0]} | {cells[1]} |")
    print("\n".join(lines))
    plan = explain(room, worst[1], worst[2])
    if plan:
        where = "newest page" if worst[2] is None else "middle page"
        print(f"\nEXPLAIN ANALYZE of the slowest ({worst[1]!r}, {where}, p99 {worst[0]:.2f} ms):")
        print(plan)


def measure_live_window(room: Any, repeat: int) -> None:
    """The live room's history with its window (livechat.selectors.history_page with
    ``since``): the newest page, and the last page before the window's start, against
    the same pages without a window."""
    from accounts.models import User
    from livechat import selectors
    from livechat.models import Message

    newest = Message.objects.filter(room=room).order_by("-id").values("id", "created_at")[0]
    since = newest["created_at"] - timedelta(days=7)
    first = Message.objects.filter(room=room, created_at__gte=since).order_by("id").values("id")[0]
    viewer = User.objects.filter(username__startswith="archive-").first()
    lines = [
        "",
        f"Live window (7 days) in room {room.slug}, history_page p50 / p99 ms:",
        "",
        "| page | without a window | with the window |",
        "|---|---:|---:|",
    ]
    for label, before in (("newest", None), ("the window's first", first["id"] + 30)):
        cells = []
        for bound in (None, since):
            samples = timed(
                lambda b=before, s=bound: selectors.history_page(
                    room=room, viewer=viewer, before=b, limit=50, since=s
                ),
                repeat,
            )
            cells.append(f"{p(samples, 0.5):.2f} / {p(samples, 0.99):.2f}")
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="searches per query and page")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/archive_bench"
    )
    parser.add_argument("--sqlite", action="store_true", help="measure SQLite's FTS5 instead")
    parser.add_argument(
        "--sqlite-path", default=os.path.join(tempfile.gettempdir(), "archive_bench.sqlite3")
    )
    parser.add_argument("--keep", action="store_true", help="keep the database for a rerun")
    args = parser.parse_args()
    configure(args)
    from livechat.models import Room

    try:
        room = seed(args.size)
        measure(room, args.repeat)
        measure_live_window(room, args.repeat)
        # A room with a small share of the table: the walks must skip the others.
        other = Room.objects.get(slug=OTHER_SLUG)
        measure(other, args.repeat)
        measure_live_window(other, args.repeat)
    finally:
        if not args.keep:
            drop_database(args)
            print("\ndropped the benchmark database")


if __name__ == "__main__":
    main()
