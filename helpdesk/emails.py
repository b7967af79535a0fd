"""One email per question: what the notifications app is told about grouping.

A reply notification is made before the help desk links the new message to its question
(livechat notifies, then runs the message hooks), so the question is found through the
message itself or the message it replies to."""

from __future__ import annotations

from django.db.models import Q

from livechat.models import Notification

from .models import QuestionMessage


def question_group(notification: Notification) -> str | None:
    message = notification.message
    question_id = (
        QuestionMessage.objects.filter(Q(message_id=message.pk) | Q(message_id=message.reply_to_id))
        .values_list("question_id", flat=True)
        .first()
        if message.reply_to_id
        else QuestionMessage.objects.filter(message_id=message.pk)
        .values_list("question_id", flat=True)
        .first()
    )
    return None if question_id is None else f"question:{question_id}"


def register() -> None:
    from notifications.grouping import register_grouping

    register_grouping(question_group)
