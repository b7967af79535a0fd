"""Coverage: time to first reply, the shares answered in time, the heat map of questions
against helpers per hour of the week, and the timer that counts the helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from helpdesk import coverage
from helpdesk.models import HelperSample, Question
from livechat.models import Message, Room
from timers.models import Timer

from ..conftest import json_client, make_user
from .helpers import ask, fire, online, reply

# A Monday, noon UTC.
NOON = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)

_askers = iter(range(10_000))


def question(
    room: Room,
    *,
    at: datetime,
    wait: int | None = None,
    helpers: int = 1,
    asker: User | None = None,
) -> Question:
    """A question asked ``at``, with its first helper reply ``wait`` seconds later
    (None: no reply yet), written directly: these tests are about reading them."""
    asker = asker or make_user(f"asker{next(_askers)}")
    message = Message.objects.create(
        room=room, author=asker, body="How?", html="<p>How?</p>", created_at=at, created_event_id=0
    )
    return Question.objects.create(
        room=room,
        asker=asker,
        # Resolved: the one-open-question-per-asker rule is not what these tests are about.
        state=Question.State.RESOLVED,
        first_message=message,
        asked_at=at,
        last_asker_at=at,
        first_reply_at=None if wait is None else at + timedelta(seconds=wait),
        helpers_available=helpers,
        updated_at=at,
    )


@pytest.fixture
def now(clock: Any) -> datetime:
    return clock.set(NOON)


@pytest.fixture
def technical(db: None, settings: Any) -> Room:
    settings.LIVECHAT_HELP_ROOMS = ["help-desk", "technical"]
    return Room.objects.create(slug="technical", name="Technical questions")


def cell(data: dict[str, Any], weekday: int, hour: int) -> dict[str, Any]:
    [found] = [c for c in data["heatmap"]["cells"] if (c["weekday"], c["hour"]) == (weekday, hour)]
    return found


# --- the figures -------------------------------------------------------------------------------


def test_it_computes_the_median_and_90th_percentile_of_first_replies(
    room: Room, now: datetime
) -> None:
    for wait in (60, 120, 300, 900, 4000):
        question(room, at=now - timedelta(days=2), wait=wait)
    question(room, at=now - timedelta(days=2), wait=None)

    data = coverage.coverage(room=None, days=30, now=now)

    assert (data["asked"], data["replied"]) == (6, 5)
    # Interpolated between ranks, as PostgreSQL's percentile_cont: 900 + 0.6 × 3100.
    assert data["first_reply"] == {"median_seconds": 300, "p90_seconds": 2760}


def test_it_counts_what_happened_in_the_chat(
    room: Room, alice: User, bob: User, mentor: User, clock: Any
) -> None:
    clock.set(NOON)
    question_a = ask(alice, room)
    clock.advance(minutes=3)
    ask(bob, room, "Where is the sandbox?")
    clock.advance(minutes=4)
    reply(mentor, question_a)  # 7 minutes after it was asked
    clock.advance(hours=2)

    data = coverage.coverage(room=room, days=7, now=clock.now())

    assert (data["asked"], data["replied"]) == (2, 1)
    assert data["first_reply"]["median_seconds"] == 7 * 60
    assert [row["share"] for row in data["within"][:2]] == [0.5, 0.5]
    # Nobody was available when either was asked.
    assert cell(data, 0, 12)["unattended"] == 2


def test_it_has_no_percentiles_without_replies(room: Room, now: datetime) -> None:
    question(room, at=now - timedelta(hours=2))
    data = coverage.coverage(room=None, days=7, now=now)
    assert data["first_reply"] == {"median_seconds": None, "p90_seconds": None}
    assert coverage.percentile([], 0.5) is None
    assert coverage.percentile([7.0], 0.9) == 7.0


def test_it_counts_shares_only_over_questions_old_enough_to_tell(room: Room, now: datetime) -> None:
    for wait in (60, 120, 300, 900, 4000):
        question(room, at=now - timedelta(days=2), wait=wait)
    question(room, at=now - timedelta(days=2), wait=None)
    # Asked five minutes ago, no reply yet: it has missed nothing so far.
    question(room, at=now - timedelta(minutes=5), wait=None)
    # Asked 30 minutes ago, answered after 20: within the hour counts it only later.
    question(room, at=now - timedelta(minutes=30), wait=20 * 60)

    within = coverage.coverage(room=None, days=30, now=now)["within"]

    assert [(row["seconds"], row["answered"], row["eligible"]) for row in within] == [
        (600, 3, 7),
        (3600, 4, 6),
        (86400, 5, 6),
    ]
    assert [row["share"] for row in within] == [0.4286, 0.6667, 0.8333]


def test_it_has_no_share_before_any_question_is_old_enough(room: Room, now: datetime) -> None:
    question(room, at=now - timedelta(minutes=1))
    within = coverage.coverage(room=None, days=7, now=now)["within"]
    assert [row["share"] for row in within] == [None, None, None]


def test_it_reads_the_last_7_30_or_90_days(room: Room, now: datetime) -> None:
    for days_ago in (1, 20, 60, 100):
        question(room, at=now - timedelta(days=days_ago), wait=60)

    asked = {
        days: coverage.coverage(room=None, days=days, now=now)["asked"] for days in (7, 30, 90)
    }

    assert asked == {7: 1, 30: 2, 90: 3}


def test_it_filters_by_help_room(
    room: Room, technical: Room, other_room: Room, now: datetime
) -> None:
    question(room, at=now - timedelta(hours=3), wait=60)
    question(technical, at=now - timedelta(hours=3), wait=600)
    question(technical, at=now - timedelta(hours=3), wait=1200)
    # Not a help room: not part of the help desk's coverage.
    question(other_room, at=now - timedelta(hours=3), wait=5)

    everywhere = coverage.coverage(room=None, days=7, now=now)
    only_technical = coverage.coverage(room=technical, days=7, now=now)

    assert everywhere["asked"] == 3
    assert (only_technical["room"], only_technical["asked"]) == ("technical", 2)
    assert only_technical["first_reply"]["median_seconds"] == 900


# --- the heat map ---------------------------------------------------------------------------


def test_it_buckets_questions_by_utc_weekday_and_hour(room: Room, now: datetime) -> None:
    monday_1430 = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)
    sunday_2359 = datetime(2026, 3, 15, 23, 59, tzinfo=UTC)
    question(room, at=monday_1430, helpers=2)
    question(room, at=monday_1430 + timedelta(minutes=20), helpers=0)
    question(room, at=sunday_2359, helpers=0)

    data = coverage.coverage(room=None, days=30, now=now)

    cells = data["heatmap"]["cells"]
    assert len(cells) == 7 * 24
    assert data["heatmap"]["timezone"] == "UTC"
    monday = cell(data, 0, 14)
    assert (monday["questions"], monday["unattended"]) == (2, 1)
    sunday = cell(data, 6, 23)
    assert (sunday["questions"], sunday["unattended"]) == (1, 1)
    assert sum(c["questions"] for c in cells) == 3
    # 30 days back from Monday noon: Monday 14:00 occurs on four Mondays in that period.
    assert monday["hours"] == 4
    assert sum(c["hours"] for c in cells) == 30 * 24 + 1


def test_it_averages_the_helpers_sampled_in_each_hour(room: Room, now: datetime) -> None:
    monday_14 = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert coverage.record_sample(room_id=None, helpers=2, now=monday_14 + timedelta(minutes=5))
    assert coverage.record_sample(room_id=None, helpers=4, now=monday_14 + timedelta(minutes=15))
    # The same slot (14:10–14:20) again, as a timer run twice: counted once.
    assert not coverage.record_sample(
        room_id=None, helpers=9, now=monday_14 + timedelta(minutes=17)
    )
    # The week before, same hour of the week, nobody there.
    coverage.record_sample(room_id=None, helpers=0, now=monday_14 - timedelta(days=7))
    # A room's own samples stay out of the site-wide figures.
    coverage.record_sample(room_id=room.pk, helpers=7, now=monday_14)

    site = cell(coverage.coverage(room=None, days=30, now=now), 0, 14)
    in_room = cell(coverage.coverage(room=room, days=30, now=now), 0, 14)

    assert (site["sampled_hours"], site["helper_hours"], site["helpers_max"]) == (2, 3.0, 4)
    assert (in_room["sampled_hours"], in_room["helper_hours"], in_room["helpers_max"]) == (
        1,
        7.0,
        7,
    )
    row = HelperSample.objects.get(room__isnull=True, hour=monday_14)
    assert (row.samples, row.helpers_total, row.helpers_max) == (2, 6, 4)


# --- the sampling timer ---------------------------------------------------------------------


def test_the_sampling_timer_counts_available_helpers_and_reschedules_itself(
    room: Room, mentor: User, moderator: User, clock: Any
) -> None:
    clock.set(NOON + timedelta(minutes=3))
    assert coverage.ensure_sampling(now=clock.now())
    assert not coverage.ensure_sampling(now=clock.now())  # already waiting
    clock.set(NOON + timedelta(minutes=10))
    online(mentor)
    online(moderator, active=False)  # a socket, but no input for a while: not available
    assert fire() == 1

    rows = {row.room_id: row for row in HelperSample.objects.all()}
    assert set(rows) == {None, room.pk}
    assert (rows[None].hour, rows[None].samples, rows[None].helpers_total) == (NOON, 1, 1)
    assert rows[room.pk].helpers_total == 1
    # The next slot's timer, and only that one.
    assert list(Timer.objects.values_list("key", "due_at")) == [
        ("helpdesk:sample:20260316T1220", NOON + timedelta(minutes=20))
    ]

    clock.set(NOON + timedelta(minutes=21))
    online(mentor)
    online(moderator)
    assert fire() == 1
    rows = {row.room_id: row for row in HelperSample.objects.all()}
    assert (rows[None].samples, rows[None].helpers_total, rows[None].helpers_max) == (2, 3, 2)


def test_a_late_worker_samples_the_slot_it_runs_in_and_catches_up(room: Room, clock: Any) -> None:
    clock.set(NOON)
    coverage.ensure_sampling(now=clock.now())
    # The workers were down for an hour: one sample now, then back on the 10-minute beat.
    clock.set(NOON + timedelta(minutes=75))
    assert fire() == 1
    assert HelperSample.objects.get(room__isnull=True).hour == NOON + timedelta(hours=1)
    assert Timer.objects.get().due_at == NOON + timedelta(minutes=80)


# --- the page and the JSON ------------------------------------------------------------------


def test_the_page_shows_the_figures_to_a_mentor(room: Room, mentor: User, now: datetime) -> None:
    question(room, at=now - timedelta(days=1), wait=90)

    response = json_client(mentor).get("/helpdesk/coverage/", {"days": "7"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Help desk coverage" in page
    assert 'id="coverage-data"' in page
    assert "2 minutes" in page  # the median, 90 s
    assert 'value="7" selected' in page
    # Looking at the page starts the sampler if it was not running.
    assert Timer.objects.filter(key__startswith=coverage.SAMPLE_KEY_PREFIX).count() == 1


def test_the_json_answers_with_the_figures_and_the_rooms(
    room: Room, technical: Room, moderator: User, now: datetime
) -> None:
    question(technical, at=now - timedelta(days=1), wait=90)

    response = json_client(moderator).get("/api/helpdesk/coverage/", {"room": "technical"})

    assert response.status_code == 200
    data = response.json()
    assert (data["room"], data["days"], data["asked"]) == ("technical", 30, 1)
    assert data["rooms"] == [
        {"slug": "help-desk", "name": "Help desk"},
        {"slug": "technical", "name": "Technical questions"},
    ]


@pytest.mark.parametrize("path", ["/helpdesk/coverage/", "/api/helpdesk/coverage/"])
def test_a_newcomer_is_refused(room: Room, alice: User, path: str) -> None:
    response = json_client(alice).get(path)
    assert response.status_code == 403
    assert "Only mentors and moderators" in response.content.decode()


def test_signing_in_is_required(room: Room) -> None:
    assert Client().get("/helpdesk/coverage/").status_code == 302
    assert Client().get("/api/helpdesk/coverage/").status_code == 403


@pytest.mark.parametrize(
    ("query", "detail", "field"),
    [
        ({"days": "14"}, "days must be one of 7, 30, 90.", "days"),
        ({"days": "week"}, "days must be one of 7, 30, 90.", "days"),
        ({"room": "lounge"}, "room must be one of help-desk.", "room"),
        ({"room": "42"}, "room must be one of help-desk.", "room"),
    ],
)
def test_bad_parameters_are_refused_by_name(
    room: Room, other_room: Room, mentor: User, query: dict[str, str], detail: str, field: str
) -> None:
    client = json_client(mentor)

    api = client.get("/api/helpdesk/coverage/", query)
    page = client.get("/helpdesk/coverage/", query)

    assert api.status_code == 400
    assert api.json()["error"] == {"code": "invalid", "detail": detail, "field": field}
    assert page.status_code == 400
    assert detail in page.content.decode()


# --- queries ----------------------------------------------------------------------------------


def _queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


@pytest.mark.parametrize("count", [5, 50])
def test_the_figures_take_two_queries_however_many_questions(
    room: Room, now: datetime, count: int
) -> None:
    for index in range(count):
        question(room, at=now - timedelta(hours=index), wait=index * 60 or None)
        coverage.record_sample(room_id=None, helpers=1, now=now - timedelta(hours=index))

    assert _queries(lambda: coverage.coverage(room=None, days=90, now=now)) == 2


def test_the_page_and_the_json_take_as_many_queries_for_50_questions_as_for_5(
    room: Room, mentor: User, now: datetime
) -> None:
    client = json_client(mentor)
    client.get("/api/helpdesk/coverage/")  # the session, and the sampler's first timer
    counts = {}
    for count in (5, 50):
        Question.objects.all().delete()
        for index in range(count):
            question(room, at=now - timedelta(hours=index), wait=60)
        counts[count] = (
            _queries(lambda: client.get("/api/helpdesk/coverage/")),
            _queries(lambda: client.get("/helpdesk/coverage/")),
        )

    assert counts[5] == counts[50]
    # The session and its user, the help rooms, the sampler's timer, the questions and
    # the helper samples.
    assert counts[50] == (6, 6)
