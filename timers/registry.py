"""Which function runs a timer of each kind.

Apps register their handlers from their ``ready()`` (import the module that holds the
``@handler`` functions there), the way they plug frames and event kinds into livechat:
the timers app names none of them. This module imports no models, so it can be imported
at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured

# The ``kind`` column's length (timers.models).
KIND_LENGTH = 100


class Handler(Protocol):
    def __call__(self, *, key: str, payload: dict[str, Any], now: datetime) -> None:
        """Do the timer's work. See :func:`handler` for what a handler must guarantee."""


H = TypeVar("H", bound=Handler)

_handlers: dict[str, Handler] = {}


def register_handler(kind: str, fn: Handler) -> None:
    """Run ``fn`` for timers of ``kind``. A kind has one handler."""
    if not kind or len(kind) > KIND_LENGTH:
        raise ImproperlyConfigured(f"A timer kind has 1 to {KIND_LENGTH} characters: {kind!r}.")
    existing = _handlers.get(kind)
    if existing is not None and existing is not fn:
        raise ImproperlyConfigured(f"The timer kind {kind!r} has two handlers.")
    _handlers[kind] = fn


def handler(kind: str) -> Callable[[H], H]:
    """Register the decorated function as the handler of ``kind``::

        @handler("question.escalate")
        def escalate(*, key: str, payload: dict[str, Any], now: datetime) -> None: ...

    The worker calls it in a transaction that also deletes the timer, so its database
    writes and the timer's removal commit together, or neither does. Anything outside the
    database (an email, a broadcast) goes in ``transaction.on_commit``.

    A handler runs **at least once**, not exactly once: a worker that dies after its
    handler's work left the database but before the commit, or whose lease ran out, lets
    another worker run the timer again. So a handler re-checks the state it acts on (is
    the question still unanswered? is the claim still idle?) and does nothing when its
    work is done or no longer wanted. ``now`` is the time the worker found the timer due;
    ``payload`` is what was scheduled with it. Raise to have the timer retried later.

    A handler may schedule or cancel its own key (to re-arm itself, say): its word stands.
    Anyone else's renewal or cancellation that commits while it runs rolls it back.
    """

    def register(fn: H) -> H:
        register_handler(kind, fn)
        return fn

    return register


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


# Called once when a worker starts (``manage.py run_timers``), with the time: apps whose
# timers re-arm themselves (the help desk's helper sampling) make sure one is scheduled,
# so a fresh deployment needs no manual step.
_on_start: list[Callable[[datetime], None]] = []


def register_startup(fn: Callable[[datetime], None]) -> None:
    if fn not in _on_start:
        _on_start.append(fn)


def startup_hooks() -> list[Callable[[datetime], None]]:
    return list(_on_start)
