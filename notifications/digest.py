"""Email for what someone missed: the listener that queues a notification for mail, and
the timer handler that sends one email per recipient and group.

    notification created (inside the sender's transaction)
      -> queued (PendingEmail) when the recipient has a verified address, wants the kind,
         is not the actor, and has no socket open right now
      -> timer ``email:<recipient>:<group>`` due 2 minutes later, moved 2 minutes past each
         later notification of the group, but never past 10 minutes after the first
    timer fires
      -> the group's queued notifications still unread (and not read in the room), on
         messages not hidden, of kinds still wanted: one email listing them; none, no email
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min

from accounts.models import User
from core import clock
from livechat.models import Notification, ReadMarker
from livechat.presence import user_online
from timers import api as timers

from . import mail
from .errors import MailFailed
from .grouping import group_of
from .kinds import mailable
from .models import PendingEmail, SentEmail
from .selectors import cached_delivery, delivery_from_db

logger = logging.getLogger(__name__)

TIMER_KIND = "notifications.email"
# Longer groups are hashed: the timer key holds 200 characters.
GROUP_LENGTH = 150


def timer_key(*, recipient_id: int, group: str) -> str:
    return f"email:{recipient_id}:{group}"


def _group(notification: Notification) -> str:
    group = group_of(notification)
    if len(group) > GROUP_LENGTH:
        group = "sha256:" + hashlib.sha256(group.encode()).hexdigest()
    return group


def on_notification(notification: Notification) -> None:
    """livechat's notification listener: runs in the transaction that created the
    notification, so the queue entry and the timer commit (or roll back) with it.

    The cheap refusals come first, and the settings come from the cache: this runs for
    every notification, most recipients have no verified address, and a send's queries
    are counted (tests/livechat/test_query_counts.py)."""
    if not mailable(notification.kind) or notification.recipient_id == notification.actor_id:
        return
    if notification.message.hidden:
        return
    delivery = cached_delivery(user_id=notification.recipient_id)
    if delivery is None or not delivery.wants(notification.kind):
        return
    if user_online(notification.recipient_id):
        # The bell shows it live; the page's desktop notification covers a hidden tab.
        return
    now = clock.now()
    group = _group(notification)
    queued = PendingEmail.objects.filter(recipient_id=notification.recipient_id, group=group)
    first = queued.aggregate(first=Min("created_at"))["first"] or now
    PendingEmail.objects.create(
        notification=notification,
        recipient_id=notification.recipient_id,
        group=group,
        created_at=now,
    )
    quiet = timedelta(seconds=settings.LIVECHAT_EMAIL_QUIET_SECONDS)
    longest = timedelta(seconds=settings.LIVECHAT_EMAIL_MAX_WAIT_SECONDS)
    # Each notification moves the email to 2 quiet minutes after it, so a conversation
    # that goes on is one email, not one per reply; the cap keeps a busy thread from
    # postponing it forever.
    timers.schedule(
        key=timer_key(recipient_id=notification.recipient_id, group=group),
        kind=TIMER_KIND,
        due_at=min(now + quiet, first + longest),
        payload={
            "recipient": notification.recipient_id,
            "group": group,
            "first_at": first.isoformat(),
        },
    )


@timers.handler(TIMER_KIND)
def send_group_email(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    """The timer: one email listing the group's notifications that still need one.

    Idempotent: the queue entries it reads are deleted in its transaction, with the
    ``SentEmail`` row, so a second run finds nothing. The mail itself goes after commit:
    if the timer was renewed meanwhile (a reply arrived as this ran), the worker rolls
    this run back and nothing is sent twice; the renewed timer mails them all."""
    recipient_id, group = int(payload["recipient"]), str(payload["group"])
    queued = list(
        PendingEmail.objects.select_for_update()
        .filter(recipient_id=recipient_id, group=group)
        .order_by("created_at", "pk")
        .values_list("pk", "notification_id")
    )
    if not queued:
        return
    PendingEmail.objects.filter(pk__in=[pk for pk, _ in queued]).delete()
    delivery = delivery_from_db(user_id=recipient_id)
    if delivery is None:
        return
    notifications = list(
        Notification.objects.filter(pk__in=[nid for _, nid in queued], read_at__isnull=True)
        .select_related("message", "room")
        .order_by("created_at", "pk")
    )
    read_up_to = dict(
        ReadMarker.objects.filter(
            user_id=recipient_id, room_id__in={n.room_id for n in notifications}
        ).values_list("room_id", "last_read_message_id")
    )
    wanted = [
        n
        for n in notifications
        if mailable(n.kind)
        and delivery.wants(n.kind)
        and not n.message.hidden
        # Read in the room (the read marker passed it) counts as read too.
        and n.message_id > read_up_to.get(n.room_id, 0)
    ]
    if not wanted:
        return
    sent = SentEmail.objects.create(
        recipient_id=recipient_id,
        kind=SentEmail.Kind.DIGEST,
        group=group,
        address=delivery.address,
        notification_ids=[n.pk for n in wanted],
        sent_at=now,
    )
    attempt = int(payload.get("attempt", 0))
    transaction.on_commit(
        lambda: _deliver(sent_id=sent.pk, key=key, payload=payload, attempt=attempt)
    )


def _deliver(*, sent_id: int, key: str, payload: dict[str, Any], attempt: int) -> None:
    """After commit: send the email the handler recorded. When the server refuses, the
    record is taken back and the notifications queued again, to be retried (with
    whatever joined the group meanwhile) a little later, a few times at most."""
    sent = SentEmail.objects.select_related("recipient").get(pk=sent_id)
    notifications = list(
        Notification.objects.filter(pk__in=sent.notification_ids)
        .select_related("actor", "message", "room")
        .order_by("created_at", "pk")
    )
    try:
        mail.send_digest(user=sent.recipient, address=sent.address, notifications=notifications)
    except Exception as error:
        # Whatever stopped it (the server, or a bug in a template), the notifications go
        # back in the queue rather than being recorded as sent.
        _requeue(sent=sent, key=key, payload=payload, attempt=attempt + 1, error=error)


def _requeue(
    *, sent: SentEmail, key: str, payload: dict[str, Any], attempt: int, error: Exception
) -> None:
    recipient: User = sent.recipient
    with transaction.atomic():
        now = clock.now()
        SentEmail.objects.filter(pk=sent.pk).delete()
        PendingEmail.objects.bulk_create(
            [
                PendingEmail(
                    notification_id=nid, recipient=recipient, group=sent.group, created_at=now
                )
                for nid in sent.notification_ids
            ],
            ignore_conflicts=True,
        )
        if attempt >= settings.LIVECHAT_EMAIL_SEND_ATTEMPTS:
            # Left queued: the group's next notification schedules them again.
            logger.error(
                "Email to user %s (%s) failed %d times; left queued: %s",
                recipient.pk,
                sent.group,
                attempt,
                error.__cause__ or error,
                exc_info=None if isinstance(error, MailFailed) else error,
            )
            return
        delay = settings.LIVECHAT_EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
        logger.warning(
            "Email to user %s (%s) failed; retrying in %d s: %s",
            recipient.pk,
            sent.group,
            delay,
            error.__cause__ or error,
            # A refusal is expected now and then; anything else is a bug to look at.
            exc_info=None if isinstance(error, MailFailed) else error,
        )
        # A timer already waiting (a notification joined meanwhile) takes them along.
        timers.schedule_once(
            key=key,
            kind=TIMER_KIND,
            due_at=now + timedelta(seconds=delay),
            payload={**payload, "attempt": attempt},
        )
