"""History and catch-up reads at depth in a room of 1,000,000 messages.

Seeds room ``bench-history`` once with 1M messages and their 1M ``message.created``
events by bulk SQL (``INSERT ... SELECT generate_series``: about a minute, not hours of
ORM saves), then ANALYZEs, and measures at depths top, 10k, 100k, 500k and 990k:

- ``GET /api/rooms/bench-history/messages/?limit=50&before=<id>`` end to end over HTTP
  (session cookie, one keep-alive connection, requests one after another);
- ``livechat.selectors.history_page`` in-process (the ORM query plus serialisation);
- ``GET /api/rooms/bench-history/events/?after=<event id>&limit=50`` over HTTP;
- EXPLAIN ANALYZE of the deepest history page, to show the index it uses.

    .venv/bin/python bench/history_bench.py --servers daphne,uvicorn --requests 200
"""

from __future__ import annotations

import argparse
import http.client
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benv import PASSWORD, setup_django, username  # noqa: E402
from bench.loadgen import Target, login_sync  # noqa: E402
from bench.servers import running  # noqa: E402

SLUG = "bench-history"
SIZE = 1_000_000
DEPTHS = (0, 10_000, 100_000, 500_000, 990_000)
PAGE = 50

SEED_MESSAGES = """
INSERT INTO livechat_message
    (room_id, author_id, body, html, created_at, revision, hidden, created_event_id,
     mentions, reactions)
SELECT %(room)s, %(author)s,
       'History message number ' || n || ', long enough to look like a real question.',
       '<p>History message number ' || n || ', long enough to look like a real question.</p>',
       now() - (%(size)s - n) * interval '1 second', 1, false, n, '[]'::jsonb, '[]'::jsonb
FROM generate_series(1, %(size)s) AS n
"""

# The event payload is the message in its wire format, as actions write it.
SEED_EVENTS = """
INSERT INTO livechat_roomevent (room_id, event_id, kind, payload, created_at)
SELECT m.room_id, m.created_event_id, 'message.created',
       jsonb_build_object(
           'id', m.id, 'room', %(slug)s,
           'author', jsonb_build_object('id', m.author_id, 'username', %(username)s,
                                        'roles', '[]'::jsonb),
           'body', m.body, 'html', m.html,
           'created_at', to_char(m.created_at AT TIME ZONE 'UTC',
                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'edited_at', null, 'revision', 1, 'hidden', false, 'reply_to', null,
           'client_id', null, 'reactions', '[]'::jsonb, 'mentions', '[]'::jsonb),
       m.created_at
FROM livechat_message m WHERE m.room_id = %(room)s
"""


# --- seeding -------------------------------------------------------------------------------


def seed() -> Any:
    """The 1M-message room, seeded once (a rerun finds it full and skips the inserts)."""
    from django.db import connection, transaction

    from accounts.models import User
    from livechat.models import Message, Room

    room, _ = Room.objects.get_or_create(slug=SLUG, defaults={"name": "Bench history"})
    if Message.objects.filter(room=room).count() >= SIZE:
        return room
    author = User.objects.get(username=username(0))
    started = time.monotonic()
    params = {"room": room.pk, "author": author.pk, "size": SIZE, "slug": SLUG}
    with transaction.atomic(), connection.cursor() as cursor:
        Message.objects.filter(room=room).delete()  # a half-seeded room from a killed run
        cursor.execute(SEED_MESSAGES, params)
        cursor.execute(SEED_EVENTS, {**params, "username": author.username})
        cursor.execute(
            "UPDATE livechat_room SET last_event_id = %s, pruned_through_event_id = 0 "
            "WHERE id = %s",
            [SIZE, room.pk],
        )
    with connection.cursor() as cursor:
        # Every table, not only the two seeded: with stale user statistics the planner
        # joins authors by a nested loop over a materialised user table.
        cursor.execute("ANALYZE")
    print(f"seeded {SIZE:,} messages and events in {time.monotonic() - started:.0f}s")
    room.refresh_from_db()
    return room


def cursors_at_depths(room: Any) -> dict[int, int | None]:
    """The ``before`` id that starts a page ``depth`` messages below the newest."""
    from livechat.models import Message

    newest_first = Message.objects.filter(room=room).order_by("-id").values_list("id", flat=True)
    return {depth: (None if depth == 0 else newest_first[depth - 1]) for depth in DEPTHS}


# --- timing --------------------------------------------------------------------------------


def timed(fn: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def p(samples: list[float], q: float) -> float:
    return round(samples[min(len(samples) - 1, int(q * len(samples)))], 2)


def http_getter(target: Target, session: str) -> Callable[[str], None]:
    conn = http.client.HTTPConnection(target.host, target.port, timeout=30)
    headers = {"Cookie": f"sessionid={session}"}

    def get(path: str) -> None:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:200]!r}")

    return get


def history_path(before: int | None) -> str:
    query = f"limit={PAGE}" + ("" if before is None else f"&before={before}")
    return f"/api/rooms/{SLUG}/messages/?{query}"


def events_path(depth: int) -> str:
    # ``after`` such that the page starts ``depth`` events below the newest.
    return f"/api/rooms/{SLUG}/events/?after={SIZE - depth - PAGE}&limit={PAGE}"


def in_process(room: Any, cursors: dict[int, int | None], count: int) -> dict[int, list[float]]:
    from accounts.models import User
    from livechat import selectors

    viewer = User.objects.get(username=username(1))
    return {
        depth: timed(
            lambda b=before: selectors.history_page(room=room, viewer=viewer, before=b, limit=PAGE),
            count,
        )
        for depth, before in cursors.items()
    }


def explain_deepest(room: Any, before: int | None) -> str:
    """The plan of the deepest page, built from the selector's own queryset."""
    from livechat import selectors

    # _messages_with_authors is the selector's private base queryset; explaining it keeps
    # the plan honest (same joins and role annotations as the real page).
    queryset = (
        selectors._messages_with_authors()
        .filter(room=room, id__lt=before)
        .order_by("-id")[: PAGE + 1]
    )
    return queryset.explain(analyze=True, buffers=True)


def over_http(
    server_url: str, cursors: dict[int, int | None], count: int
) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
    target = Target.parse(server_url)
    get = http_getter(target, login_sync(target, username(1), PASSWORD))
    for _ in range(20):
        get(history_path(None))  # warm the connection, the plan cache and the page cache
    history = {
        depth: timed(lambda b=before: get(history_path(b)), count)
        for depth, before in cursors.items()
    }
    events = {depth: timed(lambda d=depth: get(events_path(d)), count) for depth in DEPTHS}
    return history, events


def row(label: str, table: dict[int, list[float]]) -> str:
    cells = [f"{p(s, 0.5)} / {p(s, 0.99)}" for s in table.values()]
    return f"| {label} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--servers", default="daphne,uvicorn")
    parser.add_argument("--requests", type=int, default=200, help="per depth")
    args = parser.parse_args()
    setup_django()
    room = seed()
    cursors = cursors_at_depths(room)
    header = "| p50 / p99 ms | " + " | ".join(f"depth {d:,}" for d in DEPTHS) + " |"
    lines = [header, "|---|" + "---:|" * len(DEPTHS)]
    selector = in_process(room, cursors, args.requests)
    lines.append(row("history_page in-process", selector))
    for kind in args.servers.split(","):
        with running(kind) as server:
            history, events = over_http(server.url, cursors, args.requests)
        lines.append(row(f"GET messages via {server.label}", history))
        lines.append(row(f"GET events via {server.label}", events))
    print("\n".join(lines))
    plan = explain_deepest(room, cursors[DEPTHS[-1]])
    print(f"\nEXPLAIN ANALYZE, depth {DEPTHS[-1]:,}:\n{plan}")


if __name__ == "__main__":
    main()
