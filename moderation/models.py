"""Moderation state: blocks, abuse filters and their log, reports, the moderation log."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from livechat.models import Message, Room


class BlockQuerySet(models.QuerySet["Block"]):
    def active(self, now: datetime | None = None) -> BlockQuerySet:
        """Blocks in force at ``now``: not lifted, not expired. Expiry needs no job."""
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class Block(models.Model):
    """A user may not write: everywhere (site-wide) or in some rooms (a partial block).
    Blocked users can still read."""

    class Scope(models.TextChoices):
        SITE = "site", "Whole site"
        ROOMS = "rooms", "Some rooms"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks"
    )
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.SITE)
    rooms = models.ManyToManyField(Room, blank=True, related_name="+")
    reason = models.TextField()
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: indefinite.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "lifted_at"], name="block_user_lifted_idx")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Block of {self.user} ({self.get_scope_display()})"

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and (self.expires_at is None or self.expires_at > now)


class Report(models.Model):
    """Anyone may report a message; reports form a queue for moderators."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", "Message hidden"
        BLOCKED = "blocked", "Author blocked"
        NO_ACTION = "no_action", "No action needed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=Q(status="open"),
                name="report_one_open_per_reporter",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue_idx")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Report of #{self.message_id} by {self.reporter}"


class ModerationLog(models.Model):
    """Who did what to whom, why and when. Written by the moderation actions only."""

    class Action(models.TextChoices):
        BLOCK = "block", "Block"
        UNBLOCK = "unblock", "Unblock"
        HIDE = "hide", "Hide message"
        UNHIDE = "unhide", "Unhide message"
        FILTER_CREATE = "filter_create", "Create filter"
        FILTER_CHANGE = "filter_change", "Change filter"
        FILTER_SUSPEND = "filter_suspend", "Suspend filter"
        REPORT_RESOLVE = "report_resolve", "Resolve report"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at"], name="modlog_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"


class AbuseFilter(models.Model):
    """A rule in the abuse-filter language (docs/abuse-filters.md) run on every message,
    and what to do when it matches. Every save keeps a version (AbuseFilterVersion)."""

    class Action(models.TextChoices):
        TAG = "tag", "Tag for review"
        WARN = "warn", "Warn (refuse once; the same text again goes through)"
        DISALLOW = "disallow", "Disallow"
        BLOCK = "block", "Block the author"

    # The actions that refuse a write: suspended by the emergency brake.
    REFUSING = frozenset({Action.WARN, Action.DISALLOW, Action.BLOCK})

    name = models.CharField(max_length=120)
    description = models.CharField(
        max_length=255, help_text="Public: shown to the person whose message it refuses."
    )
    rule = models.TextField()
    enabled = models.BooleanField(default=True)
    # Matches are always logged; these act on top of that.
    actions = models.JSONField(default=list, blank=True)
    warn_message = models.TextField(blank=True)
    # Throttle: the actions apply only past this many matches per user in the period.
    throttle_count = models.PositiveIntegerField(default=0, help_text="0: no throttle.")
    throttle_period = models.PositiveIntegerField(default=3600, help_text="Seconds.")
    block_duration = models.PositiveIntegerField(
        default=24 * 3600, help_text="Seconds; for the block action."
    )
    # Emergency brake: refusing actions suspended because the filter matched too much.
    suspended = models.BooleanField(default=False)
    needs_attention = models.BooleanField(default=False)
    suspension_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AbuseFilterVersion(models.Model):
    """A filter as it was saved, for its history and a diff between any two versions."""

    filter = models.ForeignKey(AbuseFilter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=255)
    rule = models.TextField()
    enabled = models.BooleanField()
    actions = models.JSONField(default=list)
    options = models.JSONField(default=dict)  # warn message, throttle, block duration
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["filter", "number"], name="filterversion_uniq")
        ]
        ordering = ["filter", "-number"]

    def __str__(self) -> str:
        return f"{self.filter} v{self.number}"


class AbuseLog(models.Model):
    """Every match of a filter: who, where, what the filter saw, and what was done."""

    filter = models.ForeignKey(AbuseFilter, on_delete=models.CASCADE, related_name="log")
    filter_version = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16)  # send, edit
    variables = models.JSONField(default=dict)
    # What was done: "log", "tag", "warn", "disallow", "block", "throttled", "suspended".
    outcome = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["filter", "-created_at"], name="abuselog_filter_idx"),
            models.Index(fields=["user", "-created_at"], name="abuselog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filter} matched {self.user} ({', '.join(self.outcome)})"
