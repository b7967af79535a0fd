"""Every state change of the chat, one function each (docs/architecture.md).

Each action: (1) checks — validation, permissions and the moderation guard; (2) persists,
in one transaction, its rows plus exactly one RoomEvent; (3) publishes the event after
commit. Consumers, JSON views, admin and commands call these and nothing else to write.

Lock order, to stay free of deadlocks: a message row (SELECT … FOR UPDATE) before its
room row (the event-id UPDATE), never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import adopt_role_flags, is_moderator, with_role_flags
from core import clock
from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooLong
from core.params import parse_id, parse_ids, parse_optional_id

from . import event_kinds as kinds
from .broadcast import publish_to_user_on_commit
from .events import allocate_event_id, dumps, log_event
from .formatting import normalize_emoji, render
from .guard import WriteAttempt, check_write
from .message_rows import insert_new_message, one_statement
from .models import (
    Message,
    MessageRevision,
    Notification,
    Reaction,
    ReadMarker,
    Room,
    RoomEvent,
    Thanks,
)
from .notifications import notify
from .payloads import message_payload

CLIENT_ID_MAX_LENGTH = 64
# Notifications marked read in one call.
MARK_READ_MAX = 500


@dataclass(frozen=True)
class Change:
    """A persisted change: the message after it, and the event that announced it."""

    message: Message
    event_id: int
    payload: dict[str, Any]
    # False when a repeated client_id returned the first message and nothing was written.
    created: bool = True


# --- validation ----------------------------------------------------------------------------


def clean_body(body: object) -> str:
    if not isinstance(body, str):
        raise Invalid(_("The message body must be text."))
    text = body.strip()
    if not text:
        raise Invalid(_("The message is empty."))
    limit = settings.LIVECHAT_MAX_MESSAGE_LENGTH
    if len(text) > limit:
        raise TooLong(
            _("The message is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(text), "limit": limit},
            limit=limit,
        )
    return text


def clean_client_id(client_id: object) -> str | None:
    if client_id is None or client_id == "":
        return None
    if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX_LENGTH:
        raise Invalid(
            _("client_id must be text of at most %(limit)d characters.")
            % {"limit": CLIENT_ID_MAX_LENGTH},
            field="client_id",
        )
    return client_id


def _resolve_mentions(names: list[str]) -> dict[str, int]:
    """The mentioned names that are real users, spelled as the users spell them, with
    their ids (in the order first mentioned). ``names`` are canonical
    (accounts.usernames): a name matches exactly, or with its first letter in the other
    case as MediaWiki compares names (for accounts made before names were canonical)."""
    if not names:
        return {}
    ids = dict(
        User.objects.filter(username__in=_case_variants(names)).values_list("username", "id")
    )
    resolved: dict[str, int] = {}
    for name in names:
        for variant in _first_letter_variants(name):
            if variant in ids:
                resolved.setdefault(variant, ids[variant])
                break
    return resolved


def _case_variants(names: list[str]) -> list[str]:
    # Only the first letter's case varies, so the lookup stays on the unique username
    # index: one query whatever the number of names.
    return sorted({variant for name in names for variant in _first_letter_variants(name)})


def _first_letter_variants(name: str) -> tuple[str, str, str]:
    """The name as written first, then with its first letter lower- and upper-case."""
    return (name, name[:1].lower() + name[1:], name[:1].upper() + name[1:])


def not_in_room(message_id: int) -> str:
    return _("Message %(id)d does not exist in this room.") % {"id": message_id}


def _lock_message(message_id: int, *, room: Room | None) -> Message:
    """The message with its author's roles, locked until the transaction ends."""
    return _get_message(message_id, room=room, lock=True)


def _get_message(message_id: int, *, room: Room | None, lock: bool = False) -> Message:
    """The message with its author's roles (and its room)."""
    queryset = Message.objects.select_related("author", "room")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    queryset = with_role_flags(queryset, user_field="author")
    if room is not None:
        queryset = queryset.filter(room=room)
    message = queryset.filter(pk=message_id).first()
    if message is None:
        raise NotFound(not_in_room(message_id))
    adopt_role_flags(message.author, message, user_field="author")
    return message


def _record(message: Message, kind: str, now: datetime, event_id: int) -> Change:
    payload = message_payload(message)
    log_event(room_id=message.room_id, event_id=event_id, kind=kind, payload=payload, now=now)
    return Change(message=message, event_id=event_id, payload=payload)


# --- send ----------------------------------------------------------------------------------


def send_message(
    *,
    user: User,
    room: Room,
    body: object,
    client_id: object = None,
    reply_to: object = None,
) -> Change:
    """Post a message. Idempotent per (author, client_id): a repeat, however it arrives,
    returns the first message and writes nothing."""
    text = clean_body(body)
    key = clean_client_id(client_id)
    reply_to_id = parse_optional_id(reply_to, field="reply_to")
    try:
        verdict = check_write(WriteAttempt(user=user, room=room, action="send", text=text))
    except DomainError:
        # A retry of a message that was accepted must get its ack, even if the guard
        # would refuse a new one now (a rate limit reached by the retries themselves).
        repeat = find_repeat(user=user, client_id=key)
        if repeat is None:
            raise
        return repeat
    rendered = render(text)
    alone = _writes_alone(room=room, reply_to_id=reply_to_id, mentions=rendered.mentions)

    try:
        with nullcontext() if alone else transaction.atomic():
            return _create_message(
                user=user,
                room=room,
                text=text,
                key=key,
                reply_to_id=reply_to_id,
                rendered_html=rendered.html,
                mentions=rendered.mentions,
                review_tags=list(verdict.tags),
            )
    except IntegrityError:
        # Two sockets (or a socket and a retrying HTTP call) sent the same client_id at
        # once: the unique constraint let one in; the other returns what it wrote.
        repeat = find_repeat(user=user, client_id=key)
        if repeat is None:
            raise
        return repeat


def _create_message(
    *,
    user: User,
    room: Room,
    text: str,
    key: str | None,
    reply_to_id: int | None,
    rendered_html: str,
    mentions: list[str],
    review_tags: list[str],
) -> Change:
    now = clock.now()
    replied_to_author = None
    if reply_to_id is not None:
        replied_to_author = (
            Message.objects.filter(pk=reply_to_id, room=room)
            .values_list("author_id", flat=True)
            .first()
        )
        if replied_to_author is None:
            raise NotFound(
                _("Message %(id)d (the reply target) does not exist in this room.")
                % {"id": reply_to_id}
            )
    mentioned = _resolve_mentions(mentions)
    message = Message(
        room=room,
        author=user,
        body=text,
        html=rendered_html,
        created_at=now,
        reply_to_id=reply_to_id,
        client_id=key,
        mentions=list(mentioned),
        review_tags=review_tags,
    )
    # The room's next event id, the message, its first revision and its event: one
    # statement on PostgreSQL (livechat.message_rows). The payload's id is filled in there.
    payload = message_payload(message)
    event_id = insert_new_message(
        message, kind=kinds.MESSAGE_CREATED, payload=payload, editor_id=user.pk, now=now
    )
    recipients = dict.fromkeys(mentioned.values(), Notification.Kind.MENTION)
    if replied_to_author is not None:
        recipients[replied_to_author] = Notification.Kind.REPLY
    notify(recipients=recipients, actor=user, message=message, now=now)
    change = Change(message=message, event_id=event_id, payload=payload)
    # Apps that give messages more meaning (the help desk: questions) act here, in the
    # same transaction and under the same room lock, so their events follow this one.
    for hook, applies in _message_hooks:
        if applies(room):
            hook(message, now=now)
    return change


MessageHook = Callable[..., None]
RoomTest = Callable[[Room], bool]
_message_hooks: list[tuple[MessageHook, RoomTest]] = []


def _every_room(room: Room) -> bool:
    return True


def register_message_hook(hook: MessageHook, *, applies: RoomTest = _every_room) -> None:
    """Call ``hook(message, now=...)`` for every new message in a room ``applies`` accepts,
    inside its transaction after its event was logged (from an app's ``ready()``).
    ``applies`` must not query: it decides, before the send, whether the send needs a
    transaction of its own (:func:`_writes_alone`)."""
    if all(registered != hook for registered, _ in _message_hooks):
        _message_hooks.append((hook, applies))


def _writes_alone(*, room: Room, reply_to_id: int | None, mentions: list[str]) -> bool:
    """Whether this send writes nothing but its own rows and those are one statement
    (livechat.message_rows, PostgreSQL), outside any transaction: then that statement is
    its own transaction, and ``BEGIN`` and ``COMMIT`` (two round trips, and 5 % of a
    send-bound process's CPU in Django's ``atomic``) are saved. A reply or a mention
    notifies someone, and a hook (a help room's question) writes more: those take a
    transaction as every other write does."""
    return (
        reply_to_id is None
        and not mentions
        and not any(applies(room) for _, applies in _message_hooks)
        and one_statement()
        # Off inside any atomic block: there the statement joins the outer transaction.
        and transaction.get_autocommit()
    )


def find_repeat(*, user: User, client_id: object) -> Change | None:
    """The message a repeated client_id already created, if any (no write)."""
    key = clean_client_id(client_id)
    if key is None:
        return None
    message = Message.objects.select_related("room").filter(author=user, client_id=key).first()
    if message is None:
        return None
    message.author = user
    return Change(
        message=message,
        event_id=message.created_event_id,
        payload=message_payload(message),
        created=False,
    )


# --- edit ----------------------------------------------------------------------------------


def edit_message(
    *,
    user: User,
    message_id: object,
    body: object,
    base_revision: object,
    room: Room | None = None,
) -> Change:
    """Replace a message's text. Only its author may; an edit started from an older
    revision than the current one is a conflict, never a silent overwrite."""
    pk = parse_id(message_id, field="message_id")
    base = parse_id(base_revision, field="base_revision")
    text = clean_body(body)
    rendered = render(text)

    # The guard runs before the transaction: what it records (an abuse-filter match) must
    # stay recorded when it refuses. So the message is read twice: here to check, and
    # under its lock below, where a concurrent change shows up as a conflict.
    current = _get_message(pk, room=room)
    _check_editable(current, user=user, base=base)
    verdict = check_write(
        WriteAttempt(
            user=user,
            room=current.room,
            action="edit",
            text=text,
            old_text=current.body,
            message=current,
        )
    )
    with transaction.atomic():
        message = _lock_message(pk, room=room)
        _check_editable(message, user=user, base=base)
        now = clock.now()
        event_id = allocate_event_id(message.room_id)
        message.author = user  # same person; keeps the request's cached roles
        message.body = text
        message.html = rendered.html
        mentioned = _resolve_mentions(rendered.mentions)
        newly_mentioned = [uid for name, uid in mentioned.items() if name not in message.mentions]
        message.mentions = list(mentioned)
        message.revision += 1
        message.edited_at = now
        message.review_tags = sorted({*message.review_tags, *verdict.tags})
        message.save(
            update_fields=["body", "html", "mentions", "revision", "edited_at", "review_tags"]
        )
        notify(
            recipients=dict.fromkeys(newly_mentioned, Notification.Kind.MENTION),
            actor=user,
            message=message,
            now=now,
        )
        MessageRevision.objects.create(
            message=message,
            number=message.revision,
            body=text,
            html=rendered.html,
            editor=user,
            created_at=now,
        )
        return _record(message, kinds.MESSAGE_EDITED, now, event_id)


def _check_editable(message: Message, *, user: User, base: int) -> None:
    if message.author_id != user.pk:
        raise Forbidden(_("Only the author can edit this message."))
    if message.hidden:
        raise Forbidden(_("This message was hidden by a moderator and can no longer be edited."))
    if base != message.revision:
        raise Conflict(
            _(
                "The message was changed meanwhile: it is at revision %(current)d, "
                "your edit started from revision %(base)d."
            )
            % {"current": message.revision, "base": base},
            message_id=message.pk,
            current_revision=message.revision,
            message=message_payload(message),
        )


def _refuse_erased(message: Message) -> None:
    # Erased at its author's request (accounts.erasure): an empty body, which no write
    # leaves otherwise. Reactions and thanks to nothing would only point at the person.
    if not message.body:
        raise Forbidden(_("This message was removed at the author's request."))


# --- reactions -----------------------------------------------------------------------------


def toggle_reaction(
    *, user: User, message_id: object, emoji: object, room: Room | None = None
) -> Change:
    """Add the user's reaction with this emoji, or take it back if it is there."""
    pk = parse_id(message_id, field="message_id")
    normalized = normalize_emoji(emoji) if isinstance(emoji, str) else None
    if normalized is None:
        raise Invalid(_("emoji must be one emoji or a known :shortcode:."), field="emoji")

    with transaction.atomic():
        message = _lock_message(pk, room=room)
        if message.hidden:
            raise Forbidden(_("This message was hidden by a moderator."))
        _refuse_erased(message)
        check_write(WriteAttempt(user=user, room=message.room, action="react", message=message))
        now = clock.now()
        event_id = allocate_event_id(message.room_id)
        # The summary is kept under the message's row lock, so it is the truth of the rows.
        summary = _summary_without(message.reactions, normalized, user.get_username())
        if summary is None:
            Reaction.objects.create(message=message, user=user, emoji=normalized)
            message.reactions = _summary_with(message.reactions, normalized, user.get_username())
        else:
            Reaction.objects.filter(message=message, user=user, emoji=normalized).delete()
            message.reactions = summary
        message.save(update_fields=["reactions"])
        return _record(message, kinds.REACTION_CHANGED, now, event_id)


def _summary_without(
    summary: list[dict[str, Any]], emoji: str, username: str
) -> list[dict[str, Any]] | None:
    """The summary with the user's reaction removed, or None if they had not reacted."""
    for index, entry in enumerate(summary):
        if entry["emoji"] == emoji and username in entry["users"]:
            users = [name for name in entry["users"] if name != username]
            rest = summary[:index] + summary[index + 1 :]
            if not users:
                return rest
            rest.insert(index, {"emoji": emoji, "count": len(users), "users": users})
            return rest
    return None


def _summary_with(summary: list[dict[str, Any]], emoji: str, username: str) -> list[dict]:
    for index, entry in enumerate(summary):
        if entry["emoji"] == emoji:
            users = [*entry["users"], username]
            return [
                *summary[:index],
                {"emoji": emoji, "count": len(users), "users": users},
                *summary[index + 1 :],
            ]
    # New emoji go last: the order people reacted in.
    return [*summary, {"emoji": emoji, "count": 1, "users": [username]}]


# --- hiding ---------------------------------------------------------------------------------


def set_hidden(*, user: User, message_id: object, hidden: bool, room: Room | None = None) -> Change:
    """Hide a message from everyone but moderators, or show it again. Moderators only.
    The moderation app wraps this with the reason and its log (moderation.actions)."""
    pk = parse_id(message_id, field="message_id")
    if not is_moderator(user):
        raise Forbidden(_("Only moderators can hide or unhide messages."))
    with transaction.atomic():
        message = _lock_message(pk, room=room)
        if message.hidden == hidden:
            already = (
                _("Message %(id)d is already hidden.")
                if hidden
                else _("Message %(id)d is already visible.")
            )
            raise Conflict(already % {"id": pk}, message_id=pk)
        now = clock.now()
        event_id = allocate_event_id(message.room_id)
        message.hidden = hidden
        message.save(update_fields=["hidden"])
        kind = kinds.MESSAGE_HIDDEN if hidden else kinds.MESSAGE_UNHIDDEN
        return _record(message, kind, now, event_id)


# --- thanks ---------------------------------------------------------------------------------


def thank(*, user: User, message_id: object, room: Room | None = None) -> Thanks:
    """Thank the author of someone else's message, once; the author is notified. Personal
    (not in the room's log), but a write like any other: the guard checks it."""
    pk = parse_id(message_id, field="message_id")
    message = _get_message(pk, room=room)
    if message.author_id == user.pk:
        raise Invalid(_("You cannot thank yourself."))
    if message.hidden:
        raise Forbidden(_("This message was hidden by a moderator."))
    _refuse_erased(message)
    check_write(WriteAttempt(user=user, room=message.room, action="thanks", message=message))
    now = clock.now()
    try:
        with transaction.atomic():
            thanks = Thanks.objects.create(message=message, user=user, created_at=now)
            notify(
                recipients={message.author_id: Notification.Kind.THANKS},
                actor=user,
                message=message,
                now=now,
            )
    except IntegrityError:
        raise Conflict(
            _("You have already thanked the author for this message."), message_id=pk
        ) from None
    return thanks


# --- notifications --------------------------------------------------------------------------


def mark_notifications_read(*, user: User, ids: object = None) -> int:
    """Mark the user's notifications read: those listed, or all when ``ids`` is None.
    Returns how many changed; the user's other tabs are told the new unread count."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        ids = parse_ids(ids, field="ids", maximum=MARK_READ_MAX)
        queryset = queryset.filter(pk__in=ids)
    with transaction.atomic():
        changed = queryset.update(read_at=clock.now())
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        publish_to_user_on_commit(
            user.pk, dumps({"type": "notifications.read", "ids": ids, "unread_count": unread})
        )
    return changed


# --- read markers --------------------------------------------------------------------------


def mark_read(*, user: User, room: Room, message_id: object) -> int:
    """Advance the user's read marker in the room (never backwards). Personal state: it
    is not in the room's event log. Returns the marker's message id."""
    pk = parse_id(message_id, field="message_id")
    if not Message.objects.filter(pk=pk, room=room).exists():
        raise NotFound(not_in_room(pk))
    with transaction.atomic():
        marker, _ = ReadMarker.objects.select_for_update().get_or_create(user=user, room=room)
        if pk > marker.last_read_message_id:
            marker.last_read_message_id = pk
            marker.save(update_fields=["last_read_message_id", "updated_at"])
            # Every tab of the person shows the same unread counts.
            publish_to_user_on_commit(
                user.pk, dumps({"type": "read", "room": room.slug, "message_id": pk})
            )
    return marker.last_read_message_id


# --- event log maintenance -----------------------------------------------------------------


def prune_events(*, before: Any, batch: int = 10_000) -> int:
    """Delete events created before ``before``, room by room, recording in each room how
    far the log has been cut so that catch-up from there answers `resync`."""
    deleted = 0
    for room in Room.objects.only("pk"):
        newest_old = (
            RoomEvent.objects.filter(room=room, created_at__lt=before)
            .order_by("-event_id")
            .values_list("event_id", flat=True)
            .first()
        )
        if newest_old is None:
            continue
        # Record the cut first: a reader that sees the room row then finds no gap it
        # cannot explain. Lowering never happens, so concurrent runs are harmless.
        Room.objects.filter(pk=room.pk, pruned_through_event_id__lt=newest_old).update(
            pruned_through_event_id=newest_old
        )
        while True:
            ids = list(
                RoomEvent.objects.filter(room=room, event_id__lte=newest_old).values_list(
                    "pk", flat=True
                )[:batch]
            )
            if not ids:
                break
            deleted += RoomEvent.objects.filter(pk__in=ids).delete()[0]
    return deleted
