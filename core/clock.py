"""The one clock: everything that waits, expires or escalates reads the time here.

Production reads the real time; tests replace it with a clock they move by hand
(``tests.conftest.clock``), so a timer is tested by advancing the clock and firing what is
due, never by sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current time (timezone-aware, UTC)."""
    # Looked up on each call rather than bound once, so the real clock is always
    # django.utils.timezone.now, whatever has been imported when.
    return _source() if _source is not None else timezone.now()


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the real time."""
    global _source
    _source = source


class ManualClock:
    """A clock that stands still until it is told to move."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or timezone.now()

    def __call__(self) -> datetime:
        return self.current

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> datetime:
        self.current = moment
        return self.current
