"""The reply notice on the asker's wiki talk page, where the email would go (docs/wiki.md
"Questions handed off to the wiki").

A reply to a question notifies its asker; the notifications app mails it when the asker
has a verified address and no socket open. An asker who is a wiki account without a
verified address would hear nothing while away: they get a new section on
``User talk:<name>`` instead (not a minor edit, so the wiki tells them: the orange bar,
Echo), with a link to the thread. Replies given in the chat and replies relayed from the
wiki's help desk alike.

    notification created (livechat's listener, inside the sender's transaction)
      -> a reply to the asker of a question, a wiki account, no verified address, no
         socket open: the timer ``question:<id>:wiki-talk``, due after the email's quiet
         time (LIVECHAT_EMAIL_QUIET_SECONDS); later replies join it
    timer fires (:func:`post_notice`)
      -> the asker's reply notifications on the question still unread and not covered
         by an earlier notice: one section, marked ``<!-- livechat:reply:<q>:<n> -->``;
         the marker on the page already: recorded, nothing posted
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from livechat.models import Notification
from livechat.presence import user_online
from notifications.selectors import cached_delivery, delivery_from_db
from timers import api as timers
from wiki import sections
from wiki.client import EditConflict, WikiRefused, WikiUnavailable

from . import actions, wiki_handoff
from .models import Question, QuestionMessage, WikiTalkNotice

logger = logging.getLogger(__name__)

KIND = "helpdesk.wiki-talk"


def notice_key(question_id: int) -> str:
    return actions.timer_key(question_id, "wiki-talk")


def talk_page(user: User) -> str:
    return f"User talk:{user.username}"


def _question_of(notification: Notification) -> int | None:
    """The question whose asker this reply notification is for, if it is one."""
    message = notification.message
    ids = [message.pk] + ([message.reply_to_id] if message.reply_to_id else [])
    return (
        QuestionMessage.objects.filter(
            message_id__in=ids, question__asker_id=notification.recipient_id
        )
        .values_list("question_id", flat=True)
        .first()
    )


def on_notification(notification: Notification) -> None:
    """livechat's notification listener. The cheap refusals first: most notifications
    are not replies to a wiki account without email, and this runs for every one."""
    if not wiki_handoff.enabled() or notification.kind != Notification.Kind.REPLY:
        return
    if notification.recipient_id == notification.actor_id or notification.message.hidden:
        return
    if cached_delivery(user_id=notification.recipient_id) is not None:
        return  # the email tells them
    if user_online(notification.recipient_id):
        return  # the bell tells them
    if not User.objects.filter(pk=notification.recipient_id, wiki_id__isnull=False).exists():
        return
    question_id = _question_of(notification)
    if question_id is None:
        return
    # The first reply's quiet time, as for the email: the replies that follow join it.
    timers.schedule_once(
        key=notice_key(question_id),
        kind=KIND,
        due_at=notification.created_at + timedelta(seconds=settings.LIVECHAT_EMAIL_QUIET_SECONDS),
        payload={"question": question_id},
    )


def _unread(question: Question, *, after: int) -> list[Notification]:
    messages = QuestionMessage.objects.filter(question=question).values("message_id")
    return list(
        Notification.objects.filter(
            recipient_id=question.asker_id,
            kind=Notification.Kind.REPLY,
            read_at__isnull=True,
            pk__gt=after,
        )
        .filter(Q(message_id__in=messages) | Q(message__reply_to_id__in=messages))
        .select_related("actor")
        .order_by("pk")
    )


def notice_text(question: Question, notifications: list[Notification]) -> tuple[str, str]:
    """The section's heading and text, in the wiki's language."""
    names = sorted({n.actor.username for n in notifications})
    with translation.override(settings.LANGUAGE_CODE):
        heading = _("Replies to your question in the live help chat")
        text = "\n".join(
            [
                ngettext(
                    "Your question in the live help chat has a new reply from %(names)s. "
                    "[%(url)s Read it in the chat].",
                    "Your question in the live help chat has %(count)d new replies, from "
                    "%(names)s. [%(url)s Read them in the chat].",
                    len(notifications),
                )
                % {
                    "count": len(notifications),
                    "names": ", ".join(sections.nowiki(name) for name in names),
                    "url": wiki_handoff.thread_url(question),
                },
                _(
                    "You get this note here because the chat has no verified email address "
                    "for you; add one in the chat's notification settings to be emailed "
                    "instead."
                ),
                "<small>"
                + _("Published under %(licence)s.") % {"licence": settings.LIVECHAT_WIKI_LICENCE}
                + "</small> ~~~~",
            ]
        )
    return heading, text


def post_notice(*, question_id: int, now: datetime) -> None:
    """The timer: one notice for the replies not yet covered, once. Raises WikiUnavailable
    or EditConflict to be retried; a refusal (the talk page protected) is logged."""
    question = Question.objects.select_related("asker", "room").filter(pk=question_id).first()
    if question is None or question.asker.wiki_id is None:
        return
    if delivery_from_db(user_id=question.asker_id) is not None:
        return  # an address verified meanwhile: email from now on
    client = wiki_handoff.wiki()
    if client is None:
        return
    covered = WikiTalkNotice.objects.filter(question=question, rev_id__isnull=False).aggregate(
        upto=Max("upto_notification_id")
    )["upto"]
    unread = _unread(question, after=covered or 0)
    if not unread:
        return  # read meanwhile
    upto = unread[-1].pk
    # No row lock: the call to the wiki below must not hold one, and the timer's lease
    # already keeps a second worker off this question; the marker keeps a post single.
    notice, _created = WikiTalkNotice.objects.get_or_create(
        question=question,
        upto_notification_id=upto,
        defaults={"page": talk_page(question.asker)},
    )
    if notice.rev_id is not None:
        return
    mark = sections.marker_comment(f"reply:{question.pk}:{upto}")
    heading, text = notice_text(question, unread)
    with translation.override(settings.LANGUAGE_CODE):
        summary = _("Replies to your question in the live help chat")
    try:
        rev_id = client.add_section_once(
            notice.page,
            marker=mark,
            heading=heading,
            text=text,
            summary=summary,
            minor=False,  # a minor edit on a talk page does not tell its owner
        ).rev_id
    except WikiRefused as refusal:
        notice.error = str(refusal)[:2000]
        notice.save(update_fields=["error"])
        logger.error("The wiki refused the reply notice on %s: %s", notice.page, refusal)
        return
    except (WikiUnavailable, EditConflict):
        wiki_handoff.forget_client()
        raise
    notice.rev_id = rev_id
    notice.posted_at = now
    notice.error = ""
    notice.save(update_fields=["rev_id", "posted_at", "error"])


def _timer(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    post_notice(question_id=int(payload["question"]), now=now)


def register() -> None:
    from livechat.notifications import register_listener

    register_listener(on_notification)
    timers.register_handler(KIND, _timer)
