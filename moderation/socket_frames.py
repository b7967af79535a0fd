"""Moderation's socket frames: hiding and unhiding (moderators), reporting (anyone who
may write). Registered into livechat's frame registry from ``ModerationConfig.ready()``."""

from __future__ import annotations

from livechat.frames import Frame, FrameContext, frame

from . import actions


def _set_hidden(ctx: FrameContext, data: Frame, *, hidden: bool) -> None:
    actions.hide_message(
        moderator=ctx.user,
        room=ctx.room,
        message_id=data.get("message_id"),
        reason=data.get("reason"),
        hidden=hidden,
    )


@frame("message.hide")
def hide(ctx: FrameContext, data: Frame) -> None:
    _set_hidden(ctx, data, hidden=True)


@frame("message.unhide")
def unhide(ctx: FrameContext, data: Frame) -> None:
    _set_hidden(ctx, data, hidden=False)


@frame("message.report")
def report(ctx: FrameContext, data: Frame) -> Frame:
    created = actions.report_message(
        user=ctx.user, room=ctx.room, message_id=data.get("message_id"), reason=data.get("reason")
    )
    return {"type": "reported", "message_id": created.message_id}
