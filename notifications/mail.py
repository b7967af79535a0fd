"""Composing and sending the notification emails: both parts (plain text and HTML) from
templates, in the recipient's language, with signed links and the unsubscribe headers.

Sending is synchronous through Django's configured backend (SMTP in production, the
console for `make run`); callers run it inside their transaction, so a refused send rolls
back what would have recorded it as sent."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.language import language_for
from accounts.models import User
from core import isolate, tz
from livechat.models import Notification

from . import tokens
from .errors import MailFailed
from .kinds import EMAIL_KINDS

EXCERPT_LENGTH = 300


def absolute(path: str) -> str:
    """A link for a mail: mail has no request to take the host from."""
    return settings.LIVECHAT_SITE_URL.rstrip("/") + path


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    folded = " ".join(text.split())
    return folded if len(folded) <= length else folded[: length - 1].rstrip() + "…"


def message_link(*, user_id: int, message_id: int) -> str:
    token = tokens.make(tokens.MESSAGE_SALT, {"u": user_id, "m": message_id})
    return absolute(reverse("livechat:notifications-go", args=[token]))


def unsubscribe_link(*, user_id: int, kinds: Sequence[str]) -> str:
    token = tokens.make(tokens.UNSUBSCRIBE_SALT, {"u": user_id, "k": list(kinds)})
    return absolute(reverse("livechat:notifications-unsubscribe", args=[token]))


def verification_link(*, user_id: int, address: str) -> str:
    token = tokens.make(tokens.VERIFY_SALT, {"u": user_id, "a": address})
    return absolute(reverse("livechat:notifications-verify", args=[token]))


@dataclass(frozen=True)
class Item:
    kind: str
    # The sentence with its names isolated: FSI…PDI for the text part and the subject,
    # <bdi> for the HTML part (core.isolate).
    sentence: str
    sentence_html: SafeString
    excerpt: str
    link: str
    # When it happened; the templates write it in the recipient's zone (core.tz.for_mail).
    at: datetime


def _sentence(template: str, *, actor: str, room: str) -> tuple[str, SafeString]:
    plain = template % {"actor": isolate.text(actor), "room": isolate.text(room)}
    # The translated sentence is text: escaped, then the escaped, isolated names go in.
    html = mark_safe(escape(template) % {"actor": isolate.html(actor), "room": isolate.html(room)})
    return plain, html


def _item(*, user: User, notification: Notification) -> Item:
    sentence, sentence_html = _sentence(
        str(EMAIL_KINDS[notification.kind].sentence),
        actor=notification.actor.username,
        room=notification.room.name,
    )
    return Item(
        kind=notification.kind,
        sentence=sentence,
        sentence_html=sentence_html,
        excerpt=excerpt(notification.message.body),
        link=message_link(user_id=user.pk, message_id=notification.message_id),
        at=notification.created_at,
    )


def _send(
    *,
    template: str,
    context: dict[str, Any],
    address: str,
    headers: dict[str, str] | None = None,
) -> None:
    subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        # Auto-Submitted (RFC 3834): no vacation replies to a robot.
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    mail.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    try:
        mail.send()
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(_("The email could not be sent. Please try again later.")) from error


def send_digest(*, user: User, address: str, notifications: Sequence[Notification]) -> None:
    """One email listing ``notifications`` (oldest first, all of one group)."""
    with translation.override(language_for(user)), tz.override(tz.for_mail(user)):
        items = [_item(user=user, notification=n) for n in notifications]
        kinds = [kind for kind in EMAIL_KINDS if any(item.kind == kind for item in items)]
        stops = [
            {
                "text": str(EMAIL_KINDS[kind].stop),
                "link": unsubscribe_link(user_id=user.pk, kinds=[kind]),
            }
            for kind in kinds
        ]
        context = {
            "user": user,
            "items": items,
            "count": len(items),
            "room": isolate.text(notifications[0].room.name),
            "stops": stops,
            "settings_link": absolute(reverse("livechat:notifications-settings")),
            "language": language_for(user),
        }
        # RFC 8058: one POST to this URL unsubscribes from what this email is about, with
        # no page and no sign-in (mail clients show it as an "Unsubscribe" button).
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_link(user_id=user.pk, kinds=kinds)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        _send(template="digest", context=context, address=address, headers=headers)


def send_verification(*, user: User, address: str) -> None:
    with translation.override(language_for(user)):
        context = {
            "user": user,
            "address": address,
            "link": verification_link(user_id=user.pk, address=address),
            "hours": settings.LIVECHAT_EMAIL_VERIFY_MAX_AGE // 3600,
            "language": language_for(user),
        }
        _send(template="verify", context=context, address=address)
