from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Room(models.Model):
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The newest event id of this room. Every write increments it with one UPDATE, which
    # also takes the row lock that serialises the room's writes: event ids are therefore
    # handed out and committed in order, with no gaps (a rolled-back write rolls back its
    # increment too).
    last_event_id = models.BigIntegerField(default=0)
    # Events up to this id have been pruned from the log; asking for them means `resync`.
    pruned_through_event_id = models.BigIntegerField(default=0)
    # Slow mode: the seconds a person waits between two messages here (0: off).
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode (seconds)"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    # The verbose names are what the moderation admin shows (docs/translating.md).
    # No index of its own: message_room_id_idx (room, id) below starts with the room and
    # serves every lookup by room, the cascade included; a second one cost each new
    # message one more index insert (docs/benchmarks.md section 11).
    room = models.ForeignKey(
        Room,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("room"),
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"))
    created_at = models.DateTimeField(_("created at"))
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    hidden = models.BooleanField(_("hidden"), default=False)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # The sender's idempotency key: a repeat of (author, client_id) returns this message.
    # NULL, not "", for "no key": the unique constraint below only covers real keys.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # The event that announced this message, for the `ack` of a repeated send.
    created_event_id = models.BigIntegerField()
    # Usernames mentioned, resolved to real users when the text was written.
    mentions = models.JSONField(default=list, blank=True)
    # Denormalised summary of the Reaction rows, kept by the reaction action under the
    # room's write lock, so that a history page needs no query per message.
    reactions = models.JSONField(default=list, blank=True)
    # Flags for moderators' review queue (an abuse filter's "tag" action); never shown to
    # others.
    review_tags = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_author_client_id_uniq",
            )
        ]
        indexes = [
            # History pages: WHERE (room_id, id) < (?, ?) ORDER BY room_id DESC, id DESC
            # LIMIT n, a backward scan that starts exactly at the cursor. Ascending on
            # purpose: a row comparison can only bound a scan whose column orders match it.
            models.Index(fields=["room", "id"], name="message_room_id_idx"),
            # A day of a room (the help desk's archive pages) and the first message of a
            # help room's live window (selectors.history_page's ``since``).
            models.Index(fields=["room", "created_at", "id"], name="message_room_created_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.room_id}"


class MessageRevision(models.Model):
    # Indexed by revision_number_uniq (message, number), which starts with it.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    number = models.PositiveIntegerField()
    body = models.TextField()
    html = models.TextField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="revision_number_uniq")
        ]
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"#{self.message_id} r{self.number}"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reaction_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "emoji"], name="reaction_message_user_emoji_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on #{self.message_id}"


class RoomEvent(models.Model):
    """The event log: every persisted change of a room, numbered 1, 2, 3, … per room.

    The kinds are not fixed here: apps register them with their subjects
    (livechat.events), so the help desk's questions share the log with messages."""

    # Indexed by roomevent_room_event_uniq (room, event_id), which starts with it.
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events", db_index=False)
    event_id = models.BigIntegerField()
    kind = models.CharField(max_length=32)
    # The object the change left behind (a message, a question), in its wire format.
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the index for catch-up: WHERE room_id = ? AND event_id > ? ORDER BY event_id.
            models.UniqueConstraint(fields=["room", "event_id"], name="roomevent_room_event_uniq")
        ]
        indexes = [models.Index(fields=["created_at"], name="roomevent_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.event_id} in {self.room_id}"


class ReadMarker(models.Model):
    """The newest message a user has seen in a room."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "room"], name="readmarker_uniq")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.room_id} to #{self.last_read_message_id}"


class Thanks(models.Model):
    """A person's thanks for someone else's message, like a wiki's Thanks: once each."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="thanks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="thanks_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} thanked #{self.message_id}"


class Notification(models.Model):
    """Something for one person: a mention, a reply to them, thanks for their message, a
    change of their question (the help desk)."""

    class Kind(models.TextChoices):
        MENTION = "mention"
        REPLY = "reply"
        THANKS = "thanks"
        # The help desk's (helpdesk.notices): a question for a helper (new, routed to
        # them, or escalated), a helper is on your question, it was marked answered, a
        # reminder to mark it answered.
        QUESTION = "question"
        CLAIMED = "claimed"
        RESOLVED = "resolved"
        REMINDER = "reminder"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The bell: a person's newest notifications, and the unread ones.
            models.Index(fields=["recipient", "-id"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on #{self.message_id}"
