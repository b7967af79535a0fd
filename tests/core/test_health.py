"""/healthz and /readyz (core.health, docs/operations.md "Health"): the liveness probe
touches nothing but the process; the readiness probe checks the database, the cache, a
channel-layer round trip and the timers' queue, each within its timeout, and names what
fails."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from django.test import AsyncClient, Client, override_settings

from core import clock as project_clock
from core import health
from timers import schedule


def test_it_answers_healthz_with_no_database_and_for_any_host() -> None:
    # No database for this test: a query would raise. A probe's Host is whatever the
    # orchestrator uses, not necessarily in ALLOWED_HOSTS.
    response = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_healthz_before_the_https_redirect(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_is_ready_when_every_check_passes() -> None:
    response = Client().get("/readyz", HTTP_HOST="10.1.2.3")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "timers"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["timers"] == {
        "ok": True,
        "lag_seconds": 0.0,
        "overdue": 0,
        "parked": 0,
        "ms": body["checks"]["timers"]["ms"],
    }


@pytest.mark.django_db(transaction=True)
async def test_it_answers_readyz_on_the_asgi_path_too() -> None:
    response = await AsyncClient().get("/readyz")
    assert response.status_code == 200, response.json()


@pytest.mark.django_db(transaction=True)
def test_it_names_an_unreachable_cache_and_channel_layer() -> None:
    from channels.layers import channel_layers

    # Nothing listens on port 1: connections are refused at once.
    unreachable = "redis://127.0.0.1:1/0"
    broken = override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": unreachable,
            }
        },
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [unreachable]},
            }
        },
    )
    channel_layers.backends.clear()
    try:
        with broken:
            response = Client().get("/readyz")
    finally:
        channel_layers.backends.clear()
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["failing"] == ["cache", "channel_layer"]
    assert "ConnectionError" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["timers"]["ok"]


@pytest.mark.django_db(transaction=True)
def test_it_fails_when_the_timers_fall_behind(settings: Any, clock: Any) -> None:
    settings.LIVECHAT_READY_MAX_TIMER_LAG = 600
    now = clock.set(project_clock.now())
    schedule.schedule(key="readyz-test", kind="test.kind", due_at=now - timedelta(minutes=15))
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["timers"]
    timers = body["checks"]["timers"]
    assert timers["lag_seconds"] == 900.0 and timers["overdue"] == 1
    assert "run_timers" in timers["error"]

    settings.LIVECHAT_READY_MAX_TIMER_LAG = 0  # off: the lag is reported, not failing
    body = Client().get("/readyz").json()
    assert body["failing"] == [] and body["checks"]["timers"]["lag_seconds"] == 900.0


@pytest.mark.django_db(transaction=True)
def test_it_gives_each_check_a_timeout(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.LIVECHAT_READY_CHECK_TIMEOUT = 0.2

    async def hangs() -> dict[str, Any]:
        await asyncio.sleep(5)
        return {}

    monkeypatch.setitem(health.CHECKS, "channel_layer", hangs)
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["channel_layer"]
    assert body["checks"]["channel_layer"]["error"] == "no answer within 0.2 s"
    assert body["checks"]["channel_layer"]["ms"] < 1000
