"""@mention completion at 100,000 users: server time of GET /api/users/?prefix=…

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python bench/user_search_bench.py

Seeds `*-bench-search` users with varied names (bulk insert, once), then measures the
selector behind the endpoint for random 1-4 letter prefixes, with a room whose writers
rank first. Prints p50/p95/p99.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from livechat import selectors  # noqa: E402
from livechat.models import Room  # noqa: E402

PREFIX = "bench-search"
SYLLABLES = ["al", "an", "be", "ca", "da", "el", "fi", "ga", "ha", "jo", "ka", "li", "ma", "ni"]


def seed(count: int) -> None:
    have = User.objects.filter(username__endswith=PREFIX).count()
    if have >= count:
        return
    rng = random.Random(1)
    users = []
    for index in range(have, count):
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        name = f"{stem.capitalize() if rng.random() < 0.5 else stem}{index}"
        users.append(User(username=f"{name}-{PREFIX}", password="!"))
    User.objects.bulk_create(users, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user" if connection.vendor == "postgresql" else "ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    seed(args.users)
    room, _ = Room.objects.get_or_create(slug=f"{PREFIX}-room", defaults={"name": "Search bench"})
    rng = random.Random(2)
    prefixes = [
        "".join(rng.choice(SYLLABLES))[: rng.randint(1, 2)]
        + rng.choice(string.ascii_lowercase)[:0]
        + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(0, 1)))
        for _ in range(args.queries)
    ]
    timings = []
    for prefix in prefixes:
        start = time.perf_counter()
        selectors.complete_usernames(prefix=prefix, room=room, online=[])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(
        f"{User.objects.count()} users, {connection.vendor}, {len(timings)} prefixes of 1-4 letters"
    )
    print(
        f"p50 {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms, "
        f"p99 {timings[int(len(timings) * 0.99)]:.2f} ms, max {timings[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
