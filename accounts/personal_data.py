"""A person's data: everything the chat stores about one person, as one JSON document
(docs/privacy.md "Export"). A read: nothing here writes. Erasure is accounts.erasure.

This module reads every app's rows about a person, so it sits above them all (as a
management command does): nothing in accounts' own models or in the apps below imports
it. Each list is one query whatever its length (revisions are prefetched, people and
rooms joined), so the export of a person with years of messages costs the same number
of queries as a newcomer's.

What is left out, and why, is in docs/privacy.md: reports about the person and the
abuse log (moderators' work), other people's private data (their settings, their
reports), and what is only ever in memory (who is online, typing).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch

from core import clock
from livechat.payloads import iso

from .models import User
from .roles import roles_of

# The export's format: bumped when a field changes meaning or goes away.
FORMAT_VERSION = 1


def export_filename(*, user: User, today: date | None = None) -> str:
    """``livechat-data-<username>-<date>.json``; a name has spaces where the wiki has
    them, which a download keeps (the header quotes it)."""
    day = today or clock.now().date()
    return f"livechat-data-{user.get_username()}-{day.isoformat()}.json"


def export_personal_data(*, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as plain JSON-able data (times in UTC, ISO 8601)."""
    return {
        "format": "livechat-personal-data",
        "version": FORMAT_VERSION,
        "exported_at": iso(clock.now()),
        "account": _account(user),
        "settings": _settings(user),
        "messages": _messages(user),
        "reactions": _reactions(user),
        "thanks_given": _thanks_given(user),
        "thanks_received": _thanks_received(user),
        "notifications": _notifications(user),
        "read_markers": _read_markers(user),
        "questions_asked": _questions(user, field="asker"),
        "questions_claimed": _questions(user, field="claimed_by"),
        "reports_filed": _reports_filed(user),
        "blocks": _blocks(user),
        "emails_sent": _emails_sent(user),
        "wiki_sign_in": _social_accounts(user),
        "email_addresses": _email_addresses(user),
        "helper": _helper(user),
        "presence": {
            # Who is online and who is typing live in memory (or Redis) for seconds and are
            # never written to the database: there is nothing of it to export.
            "stored": False,
        },
    }


# --- the account and its settings ------------------------------------------------------------


def _account(user: User) -> dict[str, Any]:
    from accounts.models import WikiRoleGrant

    return {
        "id": user.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "roles": roles_of(user),
        "roles_granted_by_the_wiki": sorted(
            WikiRoleGrant.objects.filter(user=user).values_list("role", flat=True)
        ),
        "wiki_id": user.wiki_id,
        "language": user.language,
        "time_zone": user.time_zone,
        "name_in_archives": user.name_in_archives,
        "has_password": user.has_usable_password(),
    }


def _settings(user: User) -> dict[str, Any]:
    from notifications.models import EmailSettings

    email = EmailSettings.objects.filter(user=user).first()
    return {
        "email": None
        if email is None
        else {
            "address": email.address,
            "verified_at": iso(email.verified_at),
            "verification_sent_at": iso(email.verification_sent_at),
            "unsubscribed_kinds": list(email.unsubscribed_kinds),
            "updated_at": iso(email.updated_at),
        },
        "pending_emails": _pending_emails(user),
    }


def _pending_emails(user: User) -> list[dict[str, Any]]:
    from notifications.models import PendingEmail

    return [
        {"notification": row.notification_id, "group": row.group, "created_at": iso(row.created_at)}
        for row in PendingEmail.objects.filter(recipient=user).order_by("pk")
    ]


def _emails_sent(user: User) -> list[dict[str, Any]]:
    from notifications.models import SentEmail

    return [
        {
            "kind": row.kind,
            "address": row.address,
            "group": row.group,
            "notifications": list(row.notification_ids),
            "sent_at": iso(row.sent_at),
        }
        for row in SentEmail.objects.filter(recipient=user).order_by("pk")
    ]


def _social_accounts(user: User) -> list[dict[str, Any]]:
    """The wiki accounts the person signs in with (allauth's SocialAccount): the profile
    the wiki gave at the last sign-in. Tokens are credentials, not data about the
    person: their existence is said, their value is not."""
    from allauth.socialaccount.models import SocialAccount, SocialToken

    with_tokens = set(
        SocialToken.objects.filter(account__user=user).values_list("account_id", flat=True)
    )
    return [
        {
            "provider": account.provider,
            "uid": account.uid,
            "last_login": iso(account.last_login),
            "date_joined": iso(account.date_joined),
            "profile": account.extra_data,
            "has_token": account.pk in with_tokens,
        }
        for account in SocialAccount.objects.filter(user=user).order_by("pk")
    ]


def _email_addresses(user: User) -> list[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    return [
        {"email": row.email, "verified": row.verified, "primary": row.primary}
        for row in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


def _helper(user: User) -> dict[str, Any]:
    """Help-desk settings (mentors and moderators) and mentorships, either side."""
    from helpdesk.models import MentorProfile, Mentorship

    profile = MentorProfile.objects.filter(user=user).select_related("backup").first()
    mentorship = Mentorship.objects.filter(mentee=user).select_related("mentor").first()
    mentees = Mentorship.objects.filter(mentor=user).select_related("mentee").order_by("pk")
    from accounts.models import WikiMentor

    listed = WikiMentor.objects.filter(username=user.get_username()).first()
    return {
        # The wiki's mentor list as last read (MediaWiki:GrowthMentors.json, public there).
        "wiki_mentor_list": None
        if listed is None
        else {"weight": listed.weight, "automatic": listed.automatic, "message": listed.message},
        "profile": None
        if profile is None
        else {
            "new_mentees_weight": profile.weight,
            "away_until": profile.away_until.isoformat() if profile.away_until else None,
            "backup": profile.backup.get_username() if profile.backup else None,
            "notices_muted_until": iso(profile.muted_until),
        },
        "mentor": None
        if mentorship is None
        else {
            "mentor": mentorship.mentor.get_username(),
            "source": mentorship.source,
            "assigned_at": iso(mentorship.assigned_at),
        },
        "mentees": [
            {"mentee": row.mentee.get_username(), "assigned_at": iso(row.assigned_at)}
            for row in mentees
        ],
    }


# --- what the person wrote and did -----------------------------------------------------------


def _messages(user: User) -> list[dict[str, Any]]:
    """Every message of theirs, hidden ones too (their own text), with every revision."""
    from livechat.models import Message, MessageRevision

    revisions = Prefetch("revisions", queryset=MessageRevision.objects.order_by("number"))
    rows = (
        Message.objects.filter(author=user)
        .select_related("room")
        .prefetch_related(revisions)
        .order_by("pk")
    )
    return [
        {
            "id": message.pk,
            "room": message.room.slug,
            "created_at": iso(message.created_at),
            "edited_at": iso(message.edited_at),
            "body": message.body,
            "hidden": message.hidden,
            "erased": not message.body,
            "reply_to": message.reply_to_id,
            "mentions": list(message.mentions),
            "revisions": [
                {"number": rev.number, "body": rev.body, "created_at": iso(rev.created_at)}
                for rev in message.revisions.all()
            ],
        }
        for message in rows
    ]


def _reactions(user: User) -> list[dict[str, Any]]:
    from livechat.models import Reaction

    rows = Reaction.objects.filter(user=user).select_related("message__room").order_by("pk")
    return [
        {
            "emoji": row.emoji,
            "message": row.message_id,
            "room": row.message.room.slug,
            "created_at": iso(row.created_at),
        }
        for row in rows
    ]


def _thanks_given(user: User) -> list[dict[str, Any]]:
    from livechat.models import Thanks

    rows = Thanks.objects.filter(user=user).select_related("message__author").order_by("pk")
    return [
        {
            "message": row.message_id,
            "author": row.message.author.get_username(),
            "created_at": iso(row.created_at),
        }
        for row in rows
    ]


def _thanks_received(user: User) -> list[dict[str, Any]]:
    # Who thanked them is part of it: the thanks is about the person and they were
    # notified of it by name.
    from livechat.models import Thanks

    rows = Thanks.objects.filter(message__author=user).select_related("user").order_by("pk")
    return [
        {
            "message": row.message_id,
            "by": row.user.get_username(),
            "created_at": iso(row.created_at),
        }
        for row in rows
    ]


def _notifications(user: User) -> list[dict[str, Any]]:
    from livechat.models import Notification

    rows = (
        Notification.objects.filter(recipient=user).select_related("actor", "room").order_by("pk")
    )
    return [
        {
            "id": row.pk,
            "kind": row.kind,
            "actor": row.actor.get_username(),
            "message": row.message_id,
            "room": row.room.slug,
            "created_at": iso(row.created_at),
            "read_at": iso(row.read_at),
        }
        for row in rows
    ]


def _read_markers(user: User) -> list[dict[str, Any]]:
    from livechat.models import ReadMarker

    rows = ReadMarker.objects.filter(user=user).select_related("room").order_by("pk")
    return [
        {
            "room": row.room.slug,
            "last_read_message": row.last_read_message_id,
            "updated_at": iso(row.updated_at),
        }
        for row in rows
    ]


def _questions(user: User, *, field: str) -> list[dict[str, Any]]:
    """Questions they asked (``asker``) or hold or held (``claimed_by``). The text is
    the first message's, exported with the messages when it is theirs."""
    from helpdesk.models import Question

    rows = (
        Question.objects.filter(**{field: user})
        .select_related("room", "asker", "claimed_by")
        .order_by("pk")
    )
    return [
        {
            "id": row.pk,
            "room": row.room.slug,
            "state": row.state,
            "first_message": row.first_message_id,
            "asker": row.asker.get_username(),
            "asked_at": iso(row.asked_at),
            "claimed_by": row.claimed_by.get_username() if row.claimed_by else None,
            "claimed_at": iso(row.claimed_at),
            "first_reply_at": iso(row.first_reply_at),
            "resolved_at": iso(row.resolved_at),
        }
        for row in rows
    ]


def _reports_filed(user: User) -> list[dict[str, Any]]:
    """Reports they filed: their reason and what became of it. Not who resolved it, nor
    the moderator's note: those are the moderators' work (docs/privacy.md)."""
    from moderation.models import Report

    return [
        {
            "message": row.message_id,
            "reason": row.reason,
            "created_at": iso(row.created_at),
            "status": row.status,
            "outcome": row.outcome,
        }
        for row in Report.objects.filter(reporter=user).order_by("pk")
    ]


def _blocks(user: User) -> list[dict[str, Any]]:
    """Blocks placed on them: what the person is shown when blocked (the reason, the
    scope, the expiry), not who placed or lifted them."""
    from moderation.models import Block

    rows = Block.objects.filter(user=user).prefetch_related("rooms").order_by("pk")
    return [
        {
            "scope": row.scope,
            "rooms": sorted(room.slug for room in row.rooms.all()),
            "reason": row.reason,
            "created_at": iso(row.created_at),
            "expires_at": iso(row.expires_at),
            "lifted_at": iso(row.lifted_at),
        }
        for row in rows
    ]
