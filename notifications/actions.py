"""Writes: a person's email settings, verifying the address, unsubscribing, following a
mailed link back to a message. Views and tests call these and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from core.errors import Invalid, NotFound
from livechat.actions import mark_notifications_read
from livechat.models import Message, Notification

from . import mail, tokens
from .errors import TooSoon
from .kinds import EMAIL_KINDS, clean_kinds
from .models import EmailSettings, SentEmail
from .selectors import forget_delivery_on_commit


def _normalize_address(address: object) -> str:
    if not isinstance(address, str):
        raise Invalid(_("Enter an email address."), field="address")
    address = BaseUserManager.normalize_email(address.strip())
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid(_("Enter a valid email address."), field="address") from None
    return address


def _locked_settings(user: User) -> EmailSettings:
    row, _created = EmailSettings.objects.select_for_update().get_or_create(
        user=user, defaults={"address": user.email or ""}
    )
    return row


@dataclass(frozen=True)
class SavedSettings:
    settings: EmailSettings
    # A verification link went to a new address.
    verification_sent: bool


def save_settings(*, user: User, address: object, email_kinds: Iterable[str]) -> SavedSettings:
    """Set the address and the kinds to mail. A new address is unverified until its link
    is opened; the link is sent at once."""
    address = _normalize_address(address)
    wanted = set(clean_kinds(list(email_kinds)))
    with transaction.atomic():
        row = _locked_settings(user)
        changed = address.casefold() != row.address.casefold()
        if changed:
            row.address = address
            row.verified_at = None
            row.verification_sent_at = None
        # Kinds this app does not mail (yet) keep whatever the person chose before.
        row.unsubscribed_kinds = sorted(
            {kind for kind in row.unsubscribed_kinds if kind not in EMAIL_KINDS}
            | {kind for kind in EMAIL_KINDS if kind not in wanted}
        )
        row.save()
        forget_delivery_on_commit(user_id=user.pk)
        sent = False
        if row.address and not row.verified and row.verification_sent_at is None:
            _send_verification(row)
            sent = True
    return SavedSettings(row, sent)


def request_verification(*, user: User) -> EmailSettings:
    """Mail the verification link (again) to the person's address."""
    with transaction.atomic():
        row = _locked_settings(user)
        if not row.address:
            raise Invalid(_("Enter an email address first."), field="address")
        if row.verified:
            return row
        wait = timedelta(seconds=settings.LIVECHAT_EMAIL_VERIFY_RESEND_SECONDS)
        if row.verification_sent_at and clock.now() < row.verification_sent_at + wait:
            raise TooSoon(
                _("A link was sent a moment ago. Check your inbox, or ask again in a minute.")
            )
        _send_verification(row)
    return row


def _send_verification(row: EmailSettings) -> None:
    """In the caller's transaction: a refused send rolls back the time it records."""
    now = clock.now()
    row.verification_sent_at = now
    row.save(update_fields=["verification_sent_at", "updated_at"])
    SentEmail.objects.create(
        recipient=row.user, kind=SentEmail.Kind.VERIFICATION, address=row.address, sent_at=now
    )
    mail.send_verification(user=row.user, address=row.address)


def verify_address(*, token: str) -> EmailSettings:
    """Mark the address verified, if ``token`` was mailed to it by us, recently, and it is
    still the person's address."""
    try:
        data = tokens.read(
            tokens.VERIFY_SALT, token, max_age=settings.LIVECHAT_EMAIL_VERIFY_MAX_AGE
        )
    except signing.SignatureExpired:
        raise Invalid(
            _("This link has expired. Ask for a new one on your notification settings page.")
        ) from None
    except signing.BadSignature:
        raise Invalid(_("This link is not valid.")) from None
    with transaction.atomic():
        row = EmailSettings.objects.select_for_update().filter(user_id=data.get("u")).first()
        if row is None or row.address.casefold() != str(data.get("a", "")).casefold():
            # The person changed their address since: only the newest address's link counts.
            raise Invalid(_("This link is for an address that is no longer yours here."))
        if row.verified_at is None:
            row.verified_at = clock.now()
            row.save(update_fields=["verified_at", "updated_at"])
            forget_delivery_on_commit(user_id=row.user_id)
    return row


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    kinds: list[str]


def read_unsubscribe(*, token: str) -> Unsubscribe:
    """Whose and which kinds an unsubscribe link stops (no change made)."""
    try:
        data = tokens.read(tokens.UNSUBSCRIBE_SALT, token)
    except signing.BadSignature:
        raise Invalid(_("This link is not valid.")) from None
    user = User.objects.filter(pk=data.get("u")).first()
    kinds = clean_kinds(data.get("k"))
    if user is None or not kinds:
        raise Invalid(_("This link is not valid."))
    return Unsubscribe(user, kinds)


def unsubscribe(*, token: str) -> Unsubscribe:
    """Stop mailing the kinds a signed unsubscribe link names. No sign-in: the link came
    in the person's mail (RFC 8058 one-click, or the link in the text)."""
    found = read_unsubscribe(token=token)
    with transaction.atomic():
        row = _locked_settings(found.user)
        row.unsubscribed_kinds = sorted(set(row.unsubscribed_kinds) | set(found.kinds))
        row.save(update_fields=["unsubscribed_kinds", "updated_at"])
        forget_delivery_on_commit(user_id=found.user.pk)
    return found


def open_message_link(*, token: str) -> Message:
    """Follow a mailed link back to a message: the recipient's notifications about it
    are read now. Refuses a link we did not sign."""
    try:
        data = tokens.read(tokens.MESSAGE_SALT, token)
    except signing.BadSignature:
        raise Invalid(_("This link is not valid.")) from None
    message = Message.objects.select_related("room").filter(pk=data.get("m")).first()
    user = User.objects.filter(pk=data.get("u")).first()
    if message is None or user is None:
        raise NotFound(_("That message no longer exists."))
    unread = list(
        Notification.objects.filter(
            recipient=user, message=message, read_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if unread:
        mark_notifications_read(user=user, ids=unread)
    return message
