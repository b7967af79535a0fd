"""The help desk's rows: questions and the messages that belong to them, mentors'
settings and mentorships, and the notices helpers were sent (for the hourly cap).

A question is never deleted: its state moves (docs/helpdesk.md "States") and every move
is an event in its room's log (helpdesk.event_kinds)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from livechat.models import Message, Room


class Question(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CLAIMED = "claimed", _("claimed")
        ANSWERED = "answered", _("answered")
        RESOLVED = "resolved", _("resolved")
        # Translators: a question's state: the asker went quiet after a helper replied.
        STALE = "stale", _("stale")

    # States in which the question still needs (or may need) a helper.
    OPEN_STATES = (State.WAITING, State.CLAIMED, State.ANSWERED)

    class Step(models.IntegerChoices):
        """How far escalation went (helpdesk.escalation)."""

        ASKED = 0, _("asked")
        EVERYONE = 1, _("every available helper notified")
        FEED = 2, _("in the public feed")
        HANDOFF = 3, _("marked for the wiki's help desk")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="questions")
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    first_message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    asked_at = models.DateTimeField()
    # The first helper reply ever (the help desk's "time to first reply").
    first_reply_at = models.DateTimeField(null=True, blank=True)
    # The newest helper reply and the newest message of the asker: "stale" is the asker's
    # silence after a helper's reply.
    last_reply_at = models.DateTimeField(null=True, blank=True)
    last_asker_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_questions",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # NULL once the claimer replied (the claim was honoured) or it was released.
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The asker's mentor when they asked (or their backup while the mentor is away): the
    # helper the question goes to first, alone until ``routed_until``.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    routed_until = models.DateTimeField(null=True, blank=True)
    # How many helpers were available when it was asked: the basis ("online" or
    # "offline") its wait counts towards in the expectations shown to askers.
    helpers_available = models.PositiveIntegerField(default=0)
    step = models.PositiveSmallIntegerField(choices=Step.choices, default=Step.ASKED)
    feed_at = models.DateTimeField(null=True, blank=True)
    handoff_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            # One open question per person per room: their next messages belong to it.
            models.UniqueConstraint(
                fields=["room", "asker"],
                condition=Q(state__in=["waiting", "claimed", "answered"]),
                name="question_one_open_per_asker",
            )
        ]
        indexes = [
            # The queue: open questions, oldest first.
            models.Index(fields=["state", "asked_at"], name="question_state_asked_idx"),
            # Coverage and the expectations: questions asked in a window.
            models.Index(fields=["asked_at"], name="question_asked_idx"),
            models.Index(fields=["room", "asked_at"], name="question_room_asked_idx"),
        ]

    def __str__(self) -> str:
        return f"question {self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class QuestionMessage(models.Model):
    """A message that belongs to a question: the asker's, or a reply in its thread."""

    message = models.OneToOneField(
        Message, primary_key=True, on_delete=models.CASCADE, related_name="question_link"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="links")
    # Written by a helper (mentor or moderator) other than the asker.
    from_helper = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"#{self.message_id} in question {self.question_id}"


class MentorProfile(models.Model):
    """A helper's help-desk settings, as GrowthExperiments keeps them for mentors."""

    class Weight(models.IntegerChoices):
        NONE = 0, _("takes no new mentees")
        # Translators: a mentor's weight: how many new mentees they are given.
        LOW = 1, _("low")
        # Translators: a mentor's weight: how many new mentees they are given.
        MEDIUM = 2, _("medium")
        # Translators: a mentor's weight: how many new mentees they are given.
        HIGH = 4, _("high")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="mentor_profile",
    )
    weight = models.PositiveSmallIntegerField(
        _("new mentees"), choices=Weight.choices, default=Weight.MEDIUM
    )
    away_until = models.DateField(_("away until"), null=True, blank=True)
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Escalation notices ("a question is still waiting") are muted until then.
    muted_until = models.DateTimeField(_("notices muted until"), null=True, blank=True)

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")

    def __str__(self) -> str:
        return str(self.user)


class Mentorship(models.Model):
    """A newcomer's mentor: assigned in the admin or drawn on their first question."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("assigned by a moderator")
        AUTO = "auto", _("drawn on the first question")

    mentee = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentee"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="mentorship",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.CASCADE,
        related_name="mentees",
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ADMIN)
    assigned_at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")

    def __str__(self) -> str:
        return f"{self.mentee} → {self.mentor}"


class HelperNotice(models.Model):
    """A notice a helper was sent about a question: at most one per (helper, question,
    step), and at most LIVECHAT_HELPER_NOTICES_PER_HOUR escalation notices an hour."""

    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(choices=Question.Step.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["helper", "question", "step"], name="helpernotice_once")
        ]
        indexes = [models.Index(fields=["helper", "sent_at"], name="helpernotice_recent_idx")]

    def __str__(self) -> str:
        return f"notice to {self.helper_id} on {self.question_id}"


class HelperSample(models.Model):
    """How many helpers were available during one UTC hour, in one help room or across
    the site (``room`` NULL): the coverage page's "helpers available" per hour of the
    week (docs/coverage.md). A timer samples helpdesk.availability every few minutes
    (helpdesk.coverage); each sample adds to its hour's row, at most once per slot."""

    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    hour = models.DateTimeField()  # the start of the hour, UTC
    samples = models.PositiveIntegerField(default=0)
    # The sum of the samples' counts: on average helpers_total / samples were available.
    helpers_total = models.PositiveIntegerField(default=0)
    helpers_max = models.PositiveIntegerField(default=0)
    # The slot of the newest sample counted: a timer that runs twice for one slot (they
    # run at least once) counts once.
    sampled_at = models.DateTimeField()

    class Meta:
        constraints = [
            # NULL is distinct from NULL in a unique index: the site-wide rows need their own.
            models.UniqueConstraint(
                fields=["room", "hour"],
                condition=Q(room__isnull=False),
                name="helpersample_room_hour",
            ),
            models.UniqueConstraint(
                fields=["hour"], condition=Q(room__isnull=True), name="helpersample_site_hour"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.hour:%Y-%m-%d %H}:00 room {self.room_id}: {self.helpers_total}/{self.samples}"
        )


# --- the wiki's help desk (helpdesk.wiki_handoff, docs/wiki.md "Questions handed off to
# the wiki") -----------------------------------------------------------------------------


class WikiHandoff(models.Model):
    """A question handed off to the wiki's help desk page: written when the 24 h step is
    taken, posted by a timer, then followed for replies. The row is what makes the post
    happen exactly once: it stays ``pending`` until the wiki took the section (or already
    had it: the marker), whatever the timers' retries do meanwhile."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be posted")
        # Translators: a question handed off to the wiki: posted on its help desk page.
        POSTED = "posted", _("posted")
        REFUSED = "refused", _("refused by the wiki")
        DROPPED = "dropped", _("answered before it was posted")

    question = models.OneToOneField(
        Question, primary_key=True, on_delete=models.CASCADE, related_name="wiki_handoff"
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    # The page as the settings named it when the question was handed off.
    page = models.CharField(max_length=255)
    heading = models.CharField(max_length=255, blank=True)
    # The revision that added the section (or the one the marker was found in).
    rev_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    posted_at = models.DateTimeField(null=True, blank=True)
    # Why the wiki refused (WikiRefused: its code and message); retried failures are the
    # timer's (its last_error).
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "page"], name="wikihandoff_state_page_idx")]

    def __str__(self) -> str:
        return f"question {self.question_id} on {self.page} ({self.state})"


class WikiReply(models.Model):
    """A revision of the help desk page whose additions to a handed-off section were
    relayed into the question's thread: one row per (hand-off, revision), so a revision
    is relayed once however often the follower runs."""

    handoff = models.ForeignKey(WikiHandoff, on_delete=models.CASCADE, related_name="replies")
    rev_id = models.PositiveBigIntegerField()
    # The relayed message; NULL when the revision added nothing worth relaying.
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relayed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["handoff", "rev_id"], name="wikireply_once")]

    def __str__(self) -> str:
        return f"revision {self.rev_id} for question {self.handoff_id}"


class WikiPageWatch(models.Model):
    """How far the chat read a wiki page's history (the help desk page it hands questions
    to): revisions after ``last_rev_id`` are still to be looked at."""

    page = models.CharField(max_length=255, unique=True)
    last_rev_id = models.PositiveBigIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.page} after revision {self.last_rev_id}"


class WikiTalkNotice(models.Model):
    """A notice left on an asker's wiki talk page that their question has replies (for a
    wiki account without a verified email address, instead of the email). One per
    question and newest reply notification it covers; ``rev_id`` set once posted."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The newest reply notification the notice covers: later ones need a notice of their own.
    upto_notification_id = models.PositiveBigIntegerField()
    page = models.CharField(max_length=255)
    rev_id = models.PositiveBigIntegerField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "upto_notification_id"], name="wikitalknotice_once"
            )
        ]

    def __str__(self) -> str:
        return f"talk-page notice for question {self.question_id} on {self.page}"
