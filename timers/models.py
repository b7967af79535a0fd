from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import KIND_LENGTH

KEY_LENGTH = 200


class Timer(models.Model):
    """A job due at a time: one row per idempotency key, written in the transaction of the
    action that makes it necessary and deleted in the transaction of its handler.

    Written only through ``timers.schedule`` and ``timers.worker``."""

    key = models.CharField(_("key"), max_length=KEY_LENGTH, unique=True)
    kind = models.CharField(_("kind"), max_length=KIND_LENGTH)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    due_at = models.DateTimeField(_("due at"))
    # Set while a worker holds the timer; the value is also the lease's token: the worker
    # deletes or reschedules the row only while it still holds this exact value.
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Failed LIVECHAT_TIMERS_MAX_ATTEMPTS times: kept for the operators, never run again
    # unless it is scheduled anew.
    parked_at = models.DateTimeField(_("parked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        db_table = "timers"
        verbose_name = _("timer")
        verbose_name_plural = _("timers")
        indexes = [
            # Parked timers keep their old due_at; left in the index they would sit at the
            # front of every "what is due" scan, once a second per worker, forever.
            models.Index(
                fields=["due_at"], name="timers_due_at", condition=Q(parked_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def parked(self) -> bool:
        return self.parked_at is not None
