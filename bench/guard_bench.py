"""The whole moderation guard per message, with 50 enabled abuse filters.

What `livechat.guard.check_write` costs a send in production: the block lookup, the rate
limit counter, the enabled filters (from the cache) and evaluating all 50 rules. Typical
messages mostly match nothing; a few match a log-only filter, which writes an AbuseLog row.

    .venv/bin/python bench/guard_bench.py                    # SQLite + in-process cache
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/guard_bench.py

It uses the configured database (migrated: `manage.py migrate`), creating a room, a user
and 50 filters named `bench-guard-*`, which it removes again at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.backends import RolesModelBackend  # noqa: E402
from accounts.models import User  # noqa: E402
from bench.filter_bench import RULES, typical_message  # noqa: E402
from livechat.guard import WriteAttempt, check_write  # noqa: E402
from livechat.models import Room  # noqa: E402
from moderation import filters  # noqa: E402
from moderation.models import AbuseFilter, AbuseLog  # noqa: E402

PREFIX = "bench-guard"


def setup(count: int) -> tuple[User, Room]:
    room, _ = Room.objects.get_or_create(slug=f"{PREFIX}-room", defaults={"name": "Guard bench"})
    user, _ = User.objects.get_or_create(username=f"{PREFIX}-user")
    moderator, created = User.objects.get_or_create(username=f"{PREFIX}-mod", is_superuser=True)
    AbuseFilter.objects.filter(name__startswith=PREFIX).delete()
    for index, rule in enumerate(RULES[:count]):
        filters.save_filter(
            moderator=moderator,
            abuse_filter=None,
            name=f"{PREFIX}-{index:02d}",
            description="benchmark filter",
            rule=rule,
            actions=[],  # log only: a match must not stop the run
        )
    loaded = RolesModelBackend().get_user(user.pk)
    assert loaded is not None
    return loaded, room


def teardown() -> None:
    AbuseFilter.objects.filter(name__startswith=PREFIX).delete()
    User.objects.filter(username__startswith=PREFIX).delete()
    Room.objects.filter(slug__startswith=PREFIX).delete()
    filters.forget_definitions()


def measure(user: User, room: Room, texts: list[str]) -> list[float]:
    timings = []
    for text in texts:
        attempt = WriteAttempt(user=user, room=room, action="send", text=text)
        start = time.perf_counter()
        check_write(attempt)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def report(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"| {label} | {len(timings)} | {statistics.median(ordered):.2f} | "
        f"{ordered[int(len(ordered) * 0.95)]:.2f} | {p99:.2f} | {ordered[-1]:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filters", type=int, default=50)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()

    # Count against the limiter as production does, without ever reaching the limit.
    settings.LIVECHAT_RATE_LIMIT = settings.LIVECHAT_RATE_LIMIT_NEW = (10**9, 60)
    user, room = setup(args.filters)
    try:
        rng = random.Random(7)
        typical = [str(typical_message(rng, i)["text"]) for i in range(args.messages)]
        worst = [("buy cheap " + "ａ" * 40 + " ") * 80 for _ in range(args.messages // 10)]
        measure(user, room, typical[:50])  # warm: compile rules, fill caches
        database = connection.vendor
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(f"guard with {args.filters} enabled filters; {database}, {cache}")
        print("| messages | n | p50 ms | p95 ms | p99 ms | max ms |")
        print("| --- | --- | --- | --- | --- | --- |")
        quiet = [f"thanks, that helped with my {i}th edit" for i in range(args.messages)]
        print(report("typical, matching no filter", measure(user, room, quiet)))
        print(report("typical mix (~half match a log-only filter)", measure(user, room, typical)))
        print(report("4000 chars, homoglyphs", measure(user, room, worst)))
        print(f"abuse log rows written: {AbuseLog.objects.filter(user=user).count()}")
    finally:
        teardown()


if __name__ == "__main__":
    main()
