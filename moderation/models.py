"""Moderation state: blocks, abuse filters and their log, reports, the moderation log."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from livechat.models import Message, Room


class BlockQuerySet(models.QuerySet["Block"]):
    """What active, expired and lifted mean, spelled once: each block is exactly one of
    them at any moment (:meth:`Block.status` says the same of one row)."""

    def active(self, now: datetime | None = None) -> BlockQuerySet:
        """Blocks in force at ``now``: not lifted, not expired. Expiry needs no job."""
        now = now or clock.now()
        return self.filter(lifted_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def expired(self, now: datetime | None = None) -> BlockQuerySet:
        """Blocks that ran out by ``now`` without being lifted."""
        now = now or clock.now()
        return self.filter(lifted_at__isnull=True, expires_at__lte=now)

    def lifted(self) -> BlockQuerySet:
        """Blocks a moderator lifted, whether or not they would have expired since."""
        return self.filter(lifted_at__isnull=False)

    def with_status(self, status: str, now: datetime | None = None) -> BlockQuerySet:
        """The blocks of one :class:`Block.Status`, or "all" of them."""
        match status:
            case "all":
                return self.all()
            case Block.Status.ACTIVE:
                return self.active(now)
            case Block.Status.EXPIRED:
                return self.expired(now)
            case Block.Status.LIFTED:
                return self.lifted()
        raise ValueError(f"Unknown block status {status!r}.")


class Block(models.Model):
    """A user may not write: everywhere (site-wide) or in some rooms (a partial block).
    Blocked users can still read."""

    class Scope(models.TextChoices):
        SITE = "site", _("Whole site")
        ROOMS = "rooms", _("Some rooms")

    class Status(models.TextChoices):
        """Not stored: derived from the times (BlockQuerySet, :meth:`Block.status`)."""

        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        LIFTED = "lifted", _("Lifted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks",
        verbose_name=_("user"),
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.SITE)
    rooms = models.ManyToManyField(Room, blank=True, related_name="+", verbose_name=_("rooms"))
    reason = models.TextField(_("reason"))
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: indefinite.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.TextField(_("lift reason"), blank=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        indexes = [models.Index(fields=["user", "lifted_at"], name="block_user_lifted_idx")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Block of %(user)s (%(scope)s)") % {
            "user": self.user,
            "scope": self.get_scope_display(),
        }

    def status(self, now: datetime | None = None) -> Block.Status:
        """The same answer as BlockQuerySet's active/expired/lifted, for one block."""
        if self.lifted_at is not None:
            return Block.Status.LIFTED
        now = now or clock.now()
        if self.expires_at is not None and self.expires_at <= now:
            return Block.Status.EXPIRED
        return Block.Status.ACTIVE

    def is_active(self, now: datetime | None = None) -> bool:
        return self.status(now) == Block.Status.ACTIVE


class ReportQuerySet(models.QuerySet["Report"]):
    def with_status(self, status: str) -> ReportQuerySet:
        """The queue's views: "open", "resolved", or "all"."""
        if status == "all":
            return self.all()
        if status not in Report.Status.values:
            raise ValueError(f"Unknown report status {status!r}.")
        return self.filter(status=status)


class Report(models.Model):
    """Anyone may report a message; reports form a queue for moderators."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", _("Message hidden")
        BLOCKED = "blocked", _("Author blocked")
        NO_ACTION = "no_action", _("No action needed")

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="reports", verbose_name=_("message")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_made",
        verbose_name=_("reporter"),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
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
        return _("Report of #%(message)s by %(reporter)s") % {
            "message": self.message_id,
            "reporter": self.reporter,
        }


class ModerationLog(models.Model):
    """Who did what to whom, why and when. Written by the moderation actions only."""

    class Action(models.TextChoices):
        BLOCK = "block", _("Block")
        UNBLOCK = "unblock", _("Unblock")
        HIDE = "hide", _("Hide message")
        UNHIDE = "unhide", _("Unhide message")
        FILTER_CREATE = "filter_create", _("Create filter")
        FILTER_CHANGE = "filter_change", _("Change filter")
        FILTER_SUSPEND = "filter_suspend", _("Suspend filter")
        REPORT_RESOLVE = "report_resolve", _("Resolve report")
        # Written by the chat itself (no actor): the wiki whose blocks apply here stopped
        # answering, or answers again (moderation.wiki_blocks).
        WIKI_UNREACHABLE = "wiki_unreachable", _("Wiki unreachable")
        WIKI_REACHABLE = "wiki_reachable", _("Wiki reachable again")
        # The wiki would not take a page the chat writes there (the monthly archive pages,
        # helpdesk.wiki_archive): a protected page, an abuse filter, a page not the bot's.
        WIKI_REFUSED = "wiki_refused", _("Wiki refused an edit")
        # A superuser erased a person's data at their request (accounts.erasure,
        # docs/privacy.md): the target is the account under its pseudonym.
        ERASE = "erase", _("Erase personal data")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("target user"),
    )
    message = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
    )
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation log")
        verbose_name_plural = _("moderation logs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at"], name="modlog_created_idx")]

    def __str__(self) -> str:
        return _("%(action)s by %(actor)s at %(time)s") % {
            "action": self.get_action_display(),
            "actor": self.actor,
            "time": f"{self.created_at:%Y-%m-%d %H:%M}",
        }


class AbuseFilter(models.Model):
    """A rule in the abuse-filter language (docs/abuse-filters.md) run on every message,
    and what to do when it matches. Every save keeps a version (AbuseFilterVersion)."""

    class Action(models.TextChoices):
        TAG = "tag", _("Tag for review")
        WARN = "warn", _("Warn (refuse once; the same text again goes through)")
        DISALLOW = "disallow", _("Disallow")
        BLOCK = "block", _("Block the author")

    # The actions that refuse a write: suspended by the emergency brake.
    REFUSING = frozenset({Action.WARN, Action.DISALLOW, Action.BLOCK})

    # The editor's form (moderation/admin/abuse_filters.py) is derived from these fields:
    # lengths, help texts and minimums are stated here only.
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(
        _("description"),
        max_length=255,
        help_text=_("Public: shown to the person whose message it refuses."),
    )
    rule = models.TextField(
        _("rule"), help_text=_("In the abuse-filter language: see docs/abuse-filters.md.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # A list of Action values.
    actions = models.JSONField(
        _("actions"),
        default=list,
        blank=True,
        help_text=_("Every match is logged; these act on top of that."),
    )
    warn_message = models.TextField(
        _("warn message"), blank=True, help_text=_("For “warn”; empty: the description.")
    )
    # Throttle: the actions apply only past this many matches per user in the period.
    throttle_count = models.PositiveIntegerField(
        _("throttle count"),
        default=0,
        help_text=_("Act only past this many matches per person; 0: always."),
    )
    throttle_period = models.PositiveIntegerField(
        _("throttle period"),
        default=3600,
        validators=[MinValueValidator(1)],
        help_text=_("Seconds."),
    )
    block_duration = models.PositiveIntegerField(
        _("block duration"),
        default=24 * 3600,
        validators=[MinValueValidator(1)],
        help_text=_("Seconds, for “block”."),
    )
    # Emergency brake: refusing actions suspended because the filter matched too much.
    suspended = models.BooleanField(_("suspended"), default=False)
    needs_attention = models.BooleanField(_("needs attention"), default=False)
    suspension_note = models.TextField(_("suspension note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    # Imported from the wiki (moderation/wiki_filters.py): the original's address,
    # Special:AbuseFilter/<id>. One import per original; empty for filters written here.
    source_url = models.URLField(_("imported from"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("abuse filter")
        verbose_name_plural = _("abuse filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~models.Q(source_url=""),
                name="abusefilter_one_import_per_source",
            )
        ]

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
        verbose_name = _("abuse filter version")
        verbose_name_plural = _("abuse filter versions")
        constraints = [
            models.UniqueConstraint(fields=["filter", "number"], name="filterversion_uniq")
        ]
        ordering = ["filter", "-number"]

    def __str__(self) -> str:
        return _("%(filter)s v%(number)s") % {"filter": self.filter, "number": self.number}


class AbuseLog(models.Model):
    """Every match of a filter: who, where, what the filter saw, and what was done."""

    filter = models.ForeignKey(
        AbuseFilter, on_delete=models.CASCADE, related_name="log", verbose_name=_("filter")
    )
    filter_version = models.PositiveIntegerField(_("filter version"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    room = models.ForeignKey(
        Room, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("room")
    )
    action = models.CharField(_("action"), max_length=16)  # send, edit
    variables = models.JSONField(_("variables"), default=dict)
    # What was done: "log", "tag", "warn", "disallow", "block", "throttled", "suspended".
    outcome = models.JSONField(_("outcome"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("abuse log")
        verbose_name_plural = _("abuse logs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["filter", "-created_at"], name="abuselog_filter_idx"),
            models.Index(fields=["user", "-created_at"], name="abuselog_user_idx"),
        ]

    def __str__(self) -> str:
        return _("%(filter)s matched %(user)s (%(outcome)s)") % {
            "filter": self.filter,
            "user": self.user,
            "outcome": ", ".join(self.outcome),
        }


class KnownWikiBlocks(models.Model):
    """The wiki's blocks that applied to one wiki account when the chat last asked
    (moderation.wiki_blocks): what it goes on when the wiki cannot be reached, even after
    a restart or with the cache emptied. Only the blocks that apply here are kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    # [{"id", "site_wide", "reason", "expires_at"}]: expires_at ISO 8601 or null.
    blocks = models.JSONField(_("blocks"), default=list)
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("known wiki blocks")
        verbose_name_plural = _("known wiki blocks")

    def __str__(self) -> str:
        return f"{self.user_id}: {len(self.blocks)} at {self.checked_at:%Y-%m-%d %H:%M}"


class WikiBlockWatch(models.Model):
    """One row (pk 1): how far the chat has read the wiki's block log, and since when the
    wiki has not answered (null: it answers). Kept in the database so a restart neither
    re-reads the log from the start nor reports the same outage twice."""

    last_log_id = models.PositiveBigIntegerField(_("last block log id"), null=True, blank=True)
    unreachable_since = models.DateTimeField(_("unreachable since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("wiki block watch")
        verbose_name_plural = _("wiki block watch")

    def __str__(self) -> str:
        return f"block log at {self.last_log_id}"
