from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailSettings(models.Model):
    """One person's email: where it goes, whether that address is proven theirs, and the
    kinds of notification they asked not to be mailed about."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_settings"
    )
    address = models.EmailField(blank=True)
    # Set when the person opened the link mailed to ``address``; cleared whenever the
    # address changes. No mail but the verification itself goes to an unverified address.
    verified_at = models.DateTimeField(null=True, blank=True)
    # The last verification mail, so that "send it again" cannot be used to flood a box.
    verification_sent_at = models.DateTimeField(null=True, blank=True)
    # Notification kinds (livechat.Notification.Kind values) never to be mailed.
    unsubscribed_kinds = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("email settings")

    def __str__(self) -> str:
        return f"{self.address or '-'} for {self.user_id}"

    @property
    def verified(self) -> bool:
        return bool(self.address) and self.verified_at is not None


class PendingEmail(models.Model):
    """A notification waiting for its group's email (the digest timer of
    ``email:<recipient>:<group>``). Written in the transaction that created the
    notification; deleted in the one that mails it, or finds it read, hidden or no longer
    wanted, so a timer that runs twice finds nothing the second time."""

    notification = models.OneToOneField(
        "livechat.Notification", on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    group = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "group", "created_at"], name="pendingemail_group_idx")
        ]

    def __str__(self) -> str:
        return f"notification {self.notification_id} for {self.recipient_id} in {self.group}"


class SentEmail(models.Model):
    """What was mailed: one row per email, naming the notifications it listed."""

    class Kind(models.TextChoices):
        DIGEST = "digest"
        VERIFICATION = "verification"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DIGEST)
    group = models.CharField(max_length=200, blank=True)
    address = models.EmailField()
    notification_ids = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "group", "-sent_at"], name="sentemail_group_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.address} at {self.sent_at:%Y-%m-%d %H:%M}"
