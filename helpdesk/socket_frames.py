"""The help desk's socket frames (docs/api.md "Questions"): claim, unclaim, resolve and
reopen a question, and the helper's activity ping. Registered from the app's ready()."""

from __future__ import annotations

from core import clock
from livechat.frames import Frame, FrameContext, register_disconnect_hook, register_frame

from . import actions
from .availability import record_activity


def _answer(change: actions.QuestionChange) -> Frame:
    return {"type": "question", "question": change.payload}


def claim(ctx: FrameContext, data: Frame) -> Frame:
    return _answer(actions.claim_question(user=ctx.user, question_id=data.get("question_id")))


def unclaim(ctx: FrameContext, data: Frame) -> Frame:
    return _answer(actions.unclaim_question(user=ctx.user, question_id=data.get("question_id")))


def resolve(ctx: FrameContext, data: Frame) -> Frame:
    return _answer(actions.resolve_question(user=ctx.user, question_id=data.get("question_id")))


def reopen(ctx: FrameContext, data: Frame) -> Frame:
    return _answer(actions.reopen_question(user=ctx.user, question_id=data.get("question_id")))


def active(ctx: FrameContext, data: Frame) -> None:
    """The page saw input (at most one a minute): the helper counts as available."""
    from accounts.roles import is_helper

    if is_helper(ctx.user):
        record_activity(user_id=ctx.user.pk, now=clock.now())


def socket_closed(ctx: FrameContext) -> None:
    from accounts.roles import is_helper

    if is_helper(ctx.user):
        actions.claimer_left(user=ctx.user, now=clock.now())


def register() -> None:
    register_frame("question.claim", claim)
    register_frame("question.unclaim", unclaim)
    register_frame("question.resolve", resolve)
    register_frame("question.reopen", reopen)
    register_frame("active", active)
    register_disconnect_hook(socket_closed)
