"""Availability costs the same whatever the number of helpers online and questions asked:
its queries are pinned (the typical wait's query is cached for a minute, so it is counted
cold here)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import MENTORS
from helpdesk import selectors
from tests.conftest import make_user

from .helpers import ask, online, reply

pytestmark = pytest.mark.django_db


def cold_cost(room, clock) -> int:
    cache.delete_many(["helpdesk:typical-wait:0", "helpdesk:typical-wait:1"])
    for user_id in selectors.available_helper_ids(now=clock.now()):
        cache.delete(f"moderation:blocks:{user_id}")
    with CaptureQueriesContext(connection) as queries:
        selectors.availability(room=room, now=clock.now())
    return len(queries)


def test_availability_queries_do_not_grow(room, clock, django_assert_max_num_queries):
    first = make_user("Helper 0", MENTORS)
    online(first)
    reply(first, ask(make_user("Asker 0"), room))
    few = cold_cost(room, clock)
    for n in range(1, 12):
        helper = make_user(f"Helper {n}", MENTORS)
        online(helper)
        reply(helper, ask(make_user(f"Asker {n}"), room))
    many = cold_cost(room, clock)
    assert few == many
    # Helpers, who is away, their blocks, the typical wait (PostgreSQL: one aggregate;
    # SQLite: a count, then the middle rows as the database sorts them).
    assert many <= 5
    with django_assert_max_num_queries(3):  # warm: the typical wait comes from the cache
        selectors.availability(room=room, now=clock.now())


@pytest.mark.parametrize(("minutes", "median"), [([1, 2, 10], 120), ([1, 2, 3, 10], 150)])
def test_the_typical_wait_is_the_median_the_database_sorted(room, clock, minutes, median):
    from datetime import timedelta

    from helpdesk.models import Question

    for n, wait in enumerate(minutes):
        question = ask(make_user(f"Waited {n}"), room)
        Question.objects.filter(pk=question.pk).update(
            first_reply_at=question.asked_at + timedelta(minutes=wait), helpers_available=0
        )
    cache.delete_many(["helpdesk:typical-wait:0", "helpdesk:typical-wait:1"])
    assert selectors.typical_wait(now=clock.now(), online=False) == (median, len(minutes))
