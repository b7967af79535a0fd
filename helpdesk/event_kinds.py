"""The help desk's event kinds: every change of a question travels in its room's log as
``"question": {...}`` (docs/api.md "Questions"), with the same guarantees as messages."""

from __future__ import annotations

from typing import Final

from livechat.events import Subject, register_subject

OPENED: Final = "question.opened"
CLAIMED: Final = "question.claimed"
UNCLAIMED: Final = "question.unclaimed"
ANSWERED: Final = "question.answered"
RESOLVED: Final = "question.resolved"
REOPENED: Final = "question.reopened"
STALE: Final = "question.stale"
ESCALATED: Final = "question.escalated"

KINDS: Final = (OPENED, CLAIMED, UNCLAIMED, ANSWERED, RESOLVED, REOPENED, STALE, ESCALATED)

# A question withholds nothing from anyone who may read the room.
QUESTION = Subject(name="question", public=lambda payload: payload)


def register() -> None:
    register_subject(QUESTION, kinds=list(KINDS))
