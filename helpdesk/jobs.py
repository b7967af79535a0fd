"""The help desk's timers (docs/jobs.md): each a thin handler around one action, which
re-checks the question's state, so that a timer run twice changes nothing twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from timers.api import register_handler

from . import actions
from .models import Question


def _question(payload: dict[str, Any]) -> int:
    return int(payload["question"])


def everyone(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    actions.escalate(question_id=_question(payload), step=Question.Step.EVERYONE, now=now)


def feed(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    actions.escalate(question_id=_question(payload), step=Question.Step.FEED, now=now)


def handoff(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    actions.escalate(question_id=_question(payload), step=Question.Step.HANDOFF, now=now)


def claim(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    actions.lapse_claim(question_id=_question(payload), now=now)


def claim_offline(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    actions.lapse_claim(question_id=_question(payload), now=now, offline=True)


def stale(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    actions.mark_stale(question_id=_question(payload), now=now)


def reminder(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    actions.remind_asker(question_id=_question(payload), now=now)


def register() -> None:
    for purpose, handler in {
        "everyone": everyone,
        "feed": feed,
        "handoff": handoff,
        "claim": claim,
        "claim-offline": claim_offline,
        "stale": stale,
        "reminder": reminder,
    }.items():
        register_handler(f"helpdesk.{purpose}", handler)
