"""Prometheus metrics (core.metrics, docs/operations.md "Metrics"): who may read them, what
the sockets count on their way (open sockets, deliveries, send latency, gaps filled,
resyncs, failed publishes) and what a scrape reads from the database in two queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from prometheus_client import REGISTRY

from core import clock as project_clock
from helpdesk.models import Question
from livechat import actions, broadcast
from livechat.models import Message
from tests.conftest import make_user
from timers import schedule

TOKEN = "s3cret-scrape-token"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(**headers: Any) -> Any:
    return Client().get("/metrics", **headers)


# -- who may read them ----------------------------------------------------------------------


@pytest.mark.django_db
def test_it_hides_the_metrics_from_strangers(token: str) -> None:
    assert scrape().status_code == 404
    assert scrape(HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.django_db
def test_it_refuses_every_token_when_none_is_configured(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert scrape(HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_it_shows_them_to_staff_only(alice: Any) -> None:
    client = Client()
    client.force_login(alice)
    assert client.get("/metrics").status_code == 403
    staff = make_user("Operator", is_staff=True)
    client.force_login(staff)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


# -- read from the database at scrape time ---------------------------------------------------


def _waiting_question(room: Any, asker: Any, asked_at: Any) -> Question:
    message = Message.objects.create(
        room=room, author=asker, body="How?", html="<p>How?</p>", created_at=asked_at,
        created_event_id=0,
    )  # fmt: skip
    return Question.objects.create(
        room=room,
        asker=asker,
        state=Question.State.WAITING,
        first_message=message,
        asked_at=asked_at,
        last_asker_at=asked_at,
        updated_at=asked_at,
    )


@pytest.mark.django_db
def test_it_reads_waiting_questions_and_the_timers_lag_in_few_queries(
    token: str, clock: Any, room: Any, alice: Any, django_assert_max_num_queries: Any
) -> None:
    now = clock.set(project_clock.now())
    _waiting_question(room, alice, now - timedelta(minutes=7))
    _waiting_question(room, make_user("Carol"), now - timedelta(minutes=2))
    schedule.schedule(key="metrics-test", kind="test.kind", due_at=now - timedelta(seconds=90))
    schedule.schedule(key="metrics-later", kind="test.kind", due_at=now + timedelta(hours=1))

    # The waiting questions (one query) and the timers' backlog (two): nothing per row.
    with django_assert_max_num_queries(3):
        response = scrape(HTTP_AUTHORIZATION=f"Bearer {token}")
    text = response.content.decode()
    assert "livechat_questions_waiting 2.0" in text
    assert "livechat_question_oldest_wait_seconds 420.0" in text
    assert "livechat_timers_lag_seconds 90.0" in text
    assert "livechat_timers_overdue 1.0" in text
    assert "livechat_timers_parked 0.0" in text
    for name in (
        "livechat_open_sockets",
        "livechat_deliveries_total",
        "livechat_send_latency_seconds_bucket",
        "livechat_publish_failures_total",
        "livechat_gaps_filled_total",
        "livechat_resyncs_total",
    ):
        assert name in text, name


# -- counted on the way ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_it_counts_sockets_deliveries_and_send_latency(connect: Any, alice: Any, room: Any):
    sockets = sample("livechat_open_sockets")
    deliveries = sample("livechat_deliveries_total")
    sends = sample("livechat_send_latency_seconds_count")

    socket = await connect(alice)
    assert sample("livechat_open_sockets") == sockets + 1
    await socket.send({"type": "message.send", "body": "hello", "client_id": "c-1"})
    # The ack and the event, in whichever order they come: with Redis between them the
    # event's frame may follow the ack.
    seen = {(await socket.recv_type("ack", "event"))["type"] for _ in range(2)}
    assert seen == {"ack", "event"}
    assert sample("livechat_send_latency_seconds_count") == sends + 1
    # hello, presence, the event and the ack at least: every frame sent counts.
    assert sample("livechat_deliveries_total") >= deliveries + 4

    await socket.close()
    assert sample("livechat_open_sockets") == sockets


@pytest.mark.django_db(transaction=True)
async def test_it_counts_a_refused_handshake_as_no_socket(connect: Any, room: Any) -> None:
    sockets = sample("livechat_open_sockets")
    with pytest.raises(ConnectionRefusedError):
        await connect(None)
    assert sample("livechat_open_sockets") == sockets


@pytest.mark.django_db(transaction=True)
async def test_it_counts_gaps_filled_and_resyncs(
    connect: Any, alice: Any, room: Any, settings: Any
) -> None:
    gaps = sample("livechat_gaps_filled_total")
    resyncs = sample("livechat_resyncs_total")
    socket = await connect(alice)
    # The layer drops the first message's frame; the second's pulls it from the log.
    with mock.patch("livechat.events.publish_event_on_commit"):
        await database_sync_to_async(actions.send_message)(user=alice, room=room, body="one")
    await database_sync_to_async(actions.send_message)(user=alice, room=room, body="two")
    await socket.recv_type("event")
    await socket.recv_type("event")
    assert sample("livechat_gaps_filled_total") == gaps + 1

    # A resume longer than the server replays: `resync`.
    settings.LIVECHAT_RESUME_MAX_EVENTS = 1
    await socket.send({"type": "resume", "after_event_id": 0})
    await socket.recv_type("resync")
    assert sample("livechat_resyncs_total") == resyncs + 1


def test_it_counts_a_failed_publish_and_does_not_raise() -> None:
    failures = sample("livechat_publish_failures_total")

    class BrokenLayer:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            raise ConnectionError("Redis is restarting")

    with mock.patch.object(broadcast, "get_channel_layer", return_value=BrokenLayer()):
        broadcast.group_send("room-1", {"type": "room.event"})
    assert sample("livechat_publish_failures_total") == failures + 1
