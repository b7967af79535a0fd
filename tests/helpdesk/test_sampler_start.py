"""The helpers' sampler needs no manual step: a starting timer worker schedules it."""

from __future__ import annotations

import io
import os
import signal
from typing import Any

import pytest
from django.core.management import call_command

from timers import api as timers
from timers.models import Timer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_starting_worker_schedules_the_helper_sampler_once(clock):
    def stop_at_once(*, key: str, payload: dict[str, Any], now: Any) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    timers.register_handler("tests.stop-worker", stop_at_once)
    try:
        timers.schedule(key="stop", kind="tests.stop-worker", due_at=clock.now())
        call_command("run_timers", stdout=io.StringIO())
        timers.schedule(key="stop", kind="tests.stop-worker", due_at=clock.now())
        call_command("run_timers", stdout=io.StringIO())
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert Timer.objects.filter(kind="helpdesk.sample").count() == 1
