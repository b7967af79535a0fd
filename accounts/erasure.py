"""Erasure on request: what the chat stores about a person, removed or made anonymous in
one transaction (docs/privacy.md "Erasure"). A superuser's action (the admin's "Erase"
page, ``manage.py erase_user``); idempotent: a second run finds nothing left to do and
logs nothing.

What goes: the text of every message (all revisions) — each message stays in its room as
a tombstone ("removed at the author's request") so replies, threads and the room's event
log keep their shape; reactions and thanks, given and received; notifications, read
markers, email settings and every email record, sign-in attempts, the wiki sign-in
(allauth's SocialAccount and its tokens), help-desk settings and mentorships; the name,
address, roles, language and time zone of the account, which is deactivated and renamed
to a stable pseudonym ("Erased user 1a2b3c"), its wiki id dropped so that the wiki
account no longer maps to it.

What stays (the reasons are in docs/privacy.md): blocks, the abuse log, the moderation
log, and reports, about the person or filed by them, all pointing at the pseudonym.

Like accounts.personal_data this sits above every app. Every change a reader of a room can
see goes through the event log as any write does: one event per changed message, ids
contiguous per room (allocated in one UPDATE per room, under the room's lock), published
after commit, so open pages replace the text with the tombstone live. Locks are taken
messages first, rooms second, as livechat.actions does.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import clock
from core.errors import Forbidden, Invalid
from livechat.broadcast import close_user_sockets_on_commit

from .models import User, WikiRoleGrant
from .roles import _CACHE_ATTR, adopt_role_flags, with_role_flags

PSEUDONYM_PREFIX = "Erased user "
# Payload rows rewritten per UPDATE, and ids per IN (...): well under SQLite's limits.
BATCH = 500


@dataclass
class Erasure:
    """What an erasure did (all zero when the person was erased already)."""

    user: User
    pseudonym: str
    already_erased: bool
    counts: dict[str, int] = field(default_factory=dict)


def pseudonym_for(user: User) -> str:
    """``Erased user <6 hex>``: derived from the account's id and the site's secret, so
    it is the same on every run and says nothing about the person; longer only if
    another account already has that name."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"erased-user:{user.pk}".encode(), hashlib.sha256
    ).hexdigest()
    for length in (6, 10, 16, 64):
        name = f"{PSEUDONYM_PREFIX}{digest[:length]}"
        if not User.objects.filter(username=name).exclude(pk=user.pk).exists():
            return name
    raise RuntimeError("no free pseudonym")  # pragma: no cover: 64 hex digits collided


def is_erased(user: User) -> bool:
    from moderation.models import ModerationLog

    return ModerationLog.objects.filter(
        action=ModerationLog.Action.ERASE, target_user_id=user.pk
    ).exists()


def erase_personal_data(*, superuser: User | None, user: User) -> Erasure:
    """Erase ``user``'s data. ``superuser``: who asked (None: ``manage.py erase_user``,
    run by whoever holds the server). Recorded in the moderation log."""
    if superuser is not None:
        if not (superuser.is_active and superuser.is_superuser):
            raise Forbidden(_("Only superusers can erase a person's data."))
        if superuser.pk == user.pk:
            raise Invalid(_("You cannot erase your own account; ask another superuser."))
    with transaction.atomic():
        erasure = _erase(superuser=superuser, user=user)
        # Its open sockets were signed in as the person: they end, so nothing more is
        # written in the erased name.
        close_user_sockets_on_commit(user.pk)
        return erasure


def _erase(*, superuser: User | None, user: User) -> Erasure:
    from livechat.models import Message, Reaction
    from moderation.models import ModerationLog

    locked = User.objects.select_for_update().get(pk=user.pk)
    already = is_erased(locked)
    old_name = locked.get_username()
    # Messages first, rooms second (livechat.actions' lock order): the person's messages
    # with text left, and the other messages their reactions sit on.
    reacted_ids = set(
        Reaction.objects.filter(user=locked)
        .exclude(message__author=locked)
        .values_list("message_id", flat=True)
    )
    own = list(
        Message.objects.select_for_update(of=("self",))
        .select_related("room")
        .filter(author=locked)
        .filter(~Q(body="") | ~Q(reactions=[]))
        .order_by("pk")
    )
    reacted = list(
        with_role_flags(
            Message.objects.select_for_update(of=("self",))
            .select_related("room", "author")
            .filter(pk__in=reacted_ids)
            .order_by("pk"),
            user_field="author",
        )
    )
    for message in reacted:
        adopt_role_flags(message.author, message, user_field="author")

    pseudonym = old_name if already else pseudonym_for(locked)
    counts: dict[str, int] = {}
    _anonymise_account(locked, pseudonym)
    counts.update(_close_questions(locked))
    counts["messages"] = _tombstone(locked, own, reacted, old_name=old_name)
    counts["reactions_removed"] = len(reacted)
    counts["events_scrubbed"] = _scrub_log(locked, own_ids=_own_ids(locked), old_name=old_name)
    counts.update(_delete_rows(locked, old_name=old_name))

    if not already:
        from moderation.actions import log

        log(
            actor=superuser,
            action=ModerationLog.Action.ERASE,
            target_user=locked,
            pseudonym=pseudonym,
            via="admin" if superuser is not None else "command",
            **{k: v for k, v in counts.items() if v},
        )
    return Erasure(user=locked, pseudonym=pseudonym, already_erased=already, counts=counts)


# --- the account ----------------------------------------------------------------------------


def _anonymise_account(user: User, pseudonym: str) -> None:
    """Rename, deactivate, forget who they are on the wiki and every setting. Done first,
    so that every event written below names the pseudonym."""
    user.username = pseudonym
    user.first_name = user.last_name = user.email = ""
    user.wiki_id = None
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.name_in_archives = False
    user.language = user.time_zone = ""
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    WikiRoleGrant.objects.filter(user=user).delete()
    # The roles the payloads show: none, from now on.
    setattr(user, _CACHE_ATTR, [])


def _close_questions(user: User) -> dict[str, int]:
    """Their open questions are closed (answered, by the asker: nobody is notified) and
    the claims they hold released, through the help desk's own actions: helpers are not
    left waiting on a question nobody will read."""
    from helpdesk import actions as desk
    from helpdesk.models import Question

    asked = list(
        Question.objects.filter(asker=user, state__in=Question.OPEN_STATES).values_list(
            "pk", flat=True
        )
    )
    for pk in asked:
        desk.resolve_question(user=user, question_id=pk)
    claimed = list(
        Question.objects.filter(claimed_by=user, state=Question.State.CLAIMED).values_list(
            "pk", flat=True
        )
    )
    for pk in claimed:
        desk.unclaim_question(user=user, question_id=pk)
    return {"questions_closed": len(asked), "claims_released": len(claimed)}


# --- messages and their events --------------------------------------------------------------


def _own_ids(user: User) -> list[int]:
    from livechat.models import Message

    return list(Message.objects.filter(author=user).values_list("pk", flat=True))


def _tombstone(user: User, own: list[Any], reacted: list[Any], *, old_name: str) -> int:
    """Blank their messages and revisions, drop every reaction on them and theirs on
    others' messages; one event per changed message, in its room's log."""
    from livechat import event_kinds as kinds
    from livechat.models import Message, MessageRevision, Reaction, Thanks
    from livechat.payloads import message_payload

    MessageRevision.objects.filter(message__author=user).exclude(body="", html="").update(
        body="", html=""
    )
    Reaction.objects.filter(Q(user=user) | Q(message__author=user)).delete()
    Thanks.objects.filter(Q(user=user) | Q(message__author=user)).delete()

    changes: list[tuple[Any, str]] = []
    for message in own:
        message.author = user
        message.body = message.html = ""
        message.reactions = []
        message.mentions = []
        changes.append((message, kinds.MESSAGE_EDITED))
    for message in reacted:
        message.reactions = _without_user(message.reactions, old_name)
        changes.append((message, kinds.REACTION_CHANGED))
    Message.objects.bulk_update(
        [m for m, _kind in changes], ["body", "html", "reactions", "mentions"], batch_size=BATCH
    )

    by_room: dict[int, list[tuple[Any, str]]] = defaultdict(list)
    for message, kind in changes:
        by_room[message.room_id].append((message, kind))
    now = clock.now()
    for room_id, room_changes in sorted(by_room.items()):
        first = _allocate_event_ids(room_id, len(room_changes))
        _log_events(
            room_id,
            [
                (first + offset, kind, message_payload(message))
                for offset, (message, kind) in enumerate(room_changes)
            ],
            now=now,
        )
    return len(own)


def _without_user(summary: list[dict[str, Any]], username: str) -> list[dict[str, Any]]:
    """A reactions summary with ``username``'s reactions taken out."""
    result = []
    for entry in summary:
        users = [name for name in entry["users"] if name != username]
        if users:
            result.append({**entry, "users": users, "count": len(users)})
    return result


def _allocate_event_ids(room_id: int, count: int) -> int:
    """Take ``count`` consecutive event ids of the room in one UPDATE (as
    livechat.events.allocate_event_id takes one): the first of them."""
    from livechat.models import Room

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Room._meta.db_table} SET last_event_id = last_event_id + %s "
            "WHERE id = %s RETURNING last_event_id",
            [count, room_id],
        )
        (last,) = cursor.fetchone()
    return int(last) - count + 1


def _log_events(room_id: int, events: list[tuple[int, str, dict[str, Any]]], *, now: Any) -> None:
    from livechat.broadcast import publish_event_on_commit
    from livechat.events import EventFrames
    from livechat.models import RoomEvent

    RoomEvent.objects.bulk_create(
        [
            RoomEvent(
                room_id=room_id, event_id=event_id, kind=kind, payload=payload, created_at=now
            )
            for event_id, kind, payload in events
        ],
        batch_size=BATCH,
    )
    for event_id, kind, payload in events:
        frames = EventFrames.build(event_id=event_id, kind=kind, payload=payload)
        publish_event_on_commit(room_id, frames)


def _scrub_log(user: User, *, own_ids: list[int], old_name: str) -> int:
    """Older events of the room logs still carry the text and the name as they were
    (``resume`` and the events API replay them): their text goes, their name becomes the
    pseudonym. The events keep their ids and kinds; only what they say changes."""
    from livechat import event_kinds as kinds
    from livechat.models import RoomEvent

    message_kinds = [
        kinds.MESSAGE_CREATED,
        kinds.MESSAGE_EDITED,
        kinds.MESSAGE_HIDDEN,
        kinds.MESSAGE_UNHIDDEN,
        kinds.REACTION_CHANGED,
    ]
    me = {"id": user.pk, "username": user.get_username(), "roles": []}
    changed: list[RoomEvent] = []
    own = set(own_ids)

    def scrub_message(payload: dict[str, Any]) -> dict[str, Any]:
        payload = dict(payload)
        if payload.get("id") in own:
            payload.update(body="", html="", erased=True, author=me, reactions=[], mentions=[])
        else:
            payload["reactions"] = _without_user(payload.get("reactions") or [], old_name)
        return payload

    for chunk in _chunks(own_ids):
        for event in RoomEvent.objects.filter(kind__in=message_kinds, payload__id__in=chunk):
            new = scrub_message(event.payload)
            if new != event.payload:
                event.payload = new
                changed.append(event)
    # Others' messages they reacted to: the reactions are gone, and so is their name there.
    reacted_in = RoomEvent.objects.filter(
        kind__in=message_kinds, payload__reactions__icontains=old_name
    )
    for event in reacted_in:
        new = scrub_message(event.payload)
        if new != event.payload:
            event.payload = new
            changed.append(event)
    # Questions name their people.
    people = ("asker", "claimed_by", "resolved_by", "mentor")
    named = Q()
    for key in people:
        named |= Q(**{f"payload__{key}__id": user.pk})
    for event in RoomEvent.objects.filter(kind__startswith="question.").filter(named):
        payload = dict(event.payload)
        for key in people:
            if isinstance(payload.get(key), dict) and payload[key].get("id") == user.pk:
                payload[key] = me
        if payload != event.payload:
            event.payload = payload
            changed.append(event)
    RoomEvent.objects.bulk_update(changed, ["payload"], batch_size=BATCH)
    return len(changed)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


# --- everything else ------------------------------------------------------------------------


def _delete_rows(user: User, *, old_name: str) -> dict[str, int]:
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from helpdesk.models import HelperNotice, MentorProfile, Mentorship
    from livechat.models import Notification, ReadMarker
    from notifications.models import EmailSettings, PendingEmail, SentEmail
    from notifications.selectors import forget_delivery_on_commit

    counts = {
        # Pending emails go with their notifications (and explicitly, for any left).
        "pending_emails": PendingEmail.objects.filter(recipient=user).delete()[0],
        "notifications": Notification.objects.filter(
            Q(recipient=user) | Q(actor=user, kind=Notification.Kind.THANKS)
        ).delete()[0],
        "read_markers": ReadMarker.objects.filter(user=user).delete()[0],
        "email_settings": EmailSettings.objects.filter(user=user).delete()[0],
        "emails_sent": SentEmail.objects.filter(recipient=user).delete()[0],
        "email_addresses": EmailAddress.objects.filter(user=user).delete()[0],
        # The wiki sign-in, with its tokens (cascade): signing in with that wiki account
        # again makes a new, empty account.
        "wiki_sign_in": SocialAccount.objects.filter(user=user).delete()[0],
        "helper_notices": HelperNotice.objects.filter(helper=user).delete()[0],
        "mentorships": Mentorship.objects.filter(Q(mentee=user) | Q(mentor=user)).delete()[0],
        "mentor_profile": MentorProfile.objects.filter(user=user).delete()[0],
        "sign_in_attempts": sum(
            model.objects.filter(username=old_name).delete()[0]
            for model in (AccessAttempt, AccessFailureLog, AccessLog)
        ),
    }
    MentorProfile.objects.filter(backup=user).update(backup=None)
    forget_delivery_on_commit(user_id=user.pk)
    return counts
