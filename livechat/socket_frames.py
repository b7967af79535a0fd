"""The chat's own socket frames (docs/api.md "Client frames"), registered from
``LivechatConfig.ready()``. Each calls one action and says what to answer the sender."""

from __future__ import annotations

from . import actions
from .frames import Frame, FrameContext, frame
from .payloads import send_answer


@frame("message.send")
def send(ctx: FrameContext, data: Frame) -> Frame:
    change = actions.send_message(
        user=ctx.user,
        room=ctx.room,
        body=data.get("body"),
        client_id=data.get("client_id"),
        reply_to=data.get("reply_to"),
    )
    return {"type": "ack", **send_answer(change)}


@frame("message.edit")
def edit(ctx: FrameContext, data: Frame) -> None:
    actions.edit_message(
        user=ctx.user,
        room=ctx.room,
        message_id=data.get("message_id"),
        body=data.get("body"),
        base_revision=data.get("base_revision"),
    )


@frame("reaction.toggle")
def react(ctx: FrameContext, data: Frame) -> None:
    actions.toggle_reaction(
        user=ctx.user, room=ctx.room, message_id=data.get("message_id"), emoji=data.get("emoji")
    )


@frame("read")
def read(ctx: FrameContext, data: Frame) -> None:
    actions.mark_read(user=ctx.user, room=ctx.room, message_id=data.get("message_id"))


@frame("thanks")
def thank(ctx: FrameContext, data: Frame) -> Frame:
    thanks = actions.thank(user=ctx.user, room=ctx.room, message_id=data.get("message_id"))
    return {"type": "thanked", "message_id": thanks.message_id}
