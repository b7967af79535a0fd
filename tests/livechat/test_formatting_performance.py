"""Hostile input cannot make the renderer hang or grow super-linearly.

House rule: performance is measured by benchmark scripts (bench/render_bench.py prints
the milliseconds), never by timed assertions in tests. So these tests are deterministic:

* every hostile input, at the maximum message length, renders under a deadline that only
  a hang would hit (it fails the test fast instead of stalling the suite);
* the work, counted as Python function calls by cProfile (a count, not a clock), grows
  about 2x when the input doubles: quadratic behaviour would show as about 4x.
"""

from __future__ import annotations

import cProfile
import faulthandler
import pstats
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings

from bench.render_bench import HOSTILE, NORMAL
from livechat.formatting import render, sanitize

# Far above the tens of milliseconds these take; reaching it means something hangs.
DEADLINE_SECONDS = 5
# Linear work doubles (a bit less, with fixed costs); n log n gives ~2.2; quadratic ~4.
MAX_GROWTH = 2.6

INPUTS: dict[str, Callable[[int], str]] = {**HOSTILE, **NORMAL}


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail with TimeoutError after `seconds`; if even that cannot interrupt (a C loop),
    faulthandler dumps every thread's stack and ends the run a little later."""

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"render did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    faulthandler.dump_traceback_later(seconds * 2, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def calls_to_render(text: str) -> int:
    profiler = cProfile.Profile()
    profiler.enable()
    render(text)
    profiler.disable()
    return pstats.Stats(profiler, stream=sys.stderr).total_calls  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(INPUTS), ids=list(INPUTS))
def test_it_renders_hostile_input_of_the_maximum_length(name: str) -> None:
    text = INPUTS[name](settings.LIVECHAT_MAX_MESSAGE_LENGTH)
    with deadline(DEADLINE_SECONDS):
        rendered = render(text)
    assert sanitize(rendered.html) == rendered.html


@pytest.mark.parametrize("name", list(HOSTILE), ids=list(HOSTILE))
def test_its_work_grows_linearly_with_hostile_input(name: str) -> None:
    make = HOSTILE[name]
    render(make(100))  # warm caches (the thread's cleaner, compiled patterns)
    with deadline(DEADLINE_SECONDS):
        small = calls_to_render(make(1000))
        large = calls_to_render(make(2000))
    assert large <= MAX_GROWTH * small, f"{small} calls for 1000 chars, {large} for 2000"


def test_the_deadline_stops_a_hang() -> None:
    with pytest.raises(TimeoutError), deadline(1):
        while True:
            pass
