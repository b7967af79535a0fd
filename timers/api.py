"""The timers' interface for the other apps: ``from timers import api as timers``.

Scheduling (call inside the action's transaction)::

    timers.schedule(key=f"question:{q.pk}:escalate", kind="question.escalate",
                    due_at=clock.now() + timedelta(minutes=5), payload={"question": q.pk})
    timers.schedule_once(...)            # keep the first due time (consolidated emails)
    timers.cancel(key=...)
    timers.cancel_prefix(prefix=f"question:{q.pk}:")

Handling (a module the app imports in its ``ready()``)::

    @timers.handler("question.escalate")
    def escalate(*, key: str, payload: dict[str, Any], now: datetime) -> None: ...

Firing: ``manage.py run_timers`` in production and ``make run``; tests move the clock and
call ``timers.fire_due_timers(now=clock.now())``.

``timers.schedule`` offers the same names (without ``Timer``); this module is the one to
document and import.
"""

from .models import Timer
from .registry import register_startup
from .schedule import (
    Backlog,
    Handler,
    backlog,
    cancel,
    cancel_prefix,
    fire_due_timers,
    handler,
    pending,
    register_handler,
    schedule,
    schedule_once,
)

__all__ = [
    "Backlog",
    "Handler",
    "Timer",
    "backlog",
    "cancel",
    "cancel_prefix",
    "fire_due_timers",
    "handler",
    "pending",
    "register_handler",
    "register_startup",
    "schedule",
    "schedule_once",
]
