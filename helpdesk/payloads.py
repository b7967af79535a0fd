"""The question on the wire (docs/api.md "Questions"), built once for events, the API
and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from accounts.models import User
from accounts.roles import adopt_role_flags, public_user, with_role_flags
from livechat.payloads import iso

from .models import Question

USER_FIELDS = ("asker_id", "claimed_by_id", "resolved_by_id", "mentor_id")


def users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    """The users, with their roles, in one query."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    users = {}
    for user in with_role_flags(User.objects.filter(pk__in=wanted)):
        adopt_role_flags(user, user)
        users[user.pk] = user
    return users


def question_payloads(questions: list[Question]) -> list[dict[str, Any]]:
    """Many questions, their people loaded in one query."""
    users = users_by_id(getattr(q, field) for q in questions for field in USER_FIELDS)
    return [question_payload_with(question, users) for question in questions]


def question_payload(question: Question) -> dict[str, Any]:
    return question_payloads([question])[0]


def _user(users: dict[int, User], pk: int | None) -> dict[str, Any] | None:
    if pk is None or pk not in users:
        return None
    return public_user(users[pk])


def question_payload_with(question: Question, users: dict[int, User]) -> dict[str, Any]:
    """The question, its people taken from ``users`` (loaded by :func:`users_by_id`)."""
    return {
        "id": question.pk,
        "room": question.room.slug,
        "asker": _user(users, question.asker_id),
        "state": question.state,
        "message_id": question.first_message_id,
        "asked_at": iso(question.asked_at),
        "first_reply_at": iso(question.first_reply_at),
        "claimed_by": _user(users, question.claimed_by_id),
        "claimed_at": iso(question.claimed_at),
        "claim_expires_at": iso(question.claim_expires_at),
        "resolved_by": _user(users, question.resolved_by_id),
        "resolved_at": iso(question.resolved_at),
        "mentor": _user(users, question.mentor_id),
        "routed_until": iso(question.routed_until),
        "step": question.step,
        "updated_at": iso(question.updated_at),
    }


def wait_seconds(question: Question, now: datetime) -> int:
    """How long the asker has been waiting for a first reply (or waited, once replied)."""
    end = question.first_reply_at or now
    return max(0, int((end - question.asked_at).total_seconds()))
