"""Every change of a question, one function each (docs/helpdesk.md).

Each action follows the chat's one path: check (who may), persist in one transaction
(the question and exactly one ``question.*`` event in its room's log), publish after
commit. Timers (escalation, lapses, staleness, the reminder) are scheduled and cancelled
in the same transaction, so a rolled-back change leaves no timer behind.

Lock order, the chat's plus one: the room row (the event-id UPDATE) before the question
row. A new message already holds its room's lock when the hook below runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_helper, is_moderator
from core import clock
from core.errors import Conflict, Forbidden, NotFound
from core.params import parse_id
from livechat.events import allocate_event_id, log_event
from livechat.models import Message, Notification, Room
from livechat.notifications import notify
from livechat.presence import online_users, user_online
from timers import api as timers

from . import event_kinds as kinds
from .availability import available_helper_ids, record_activity
from .broadcast import publish_question_on_commit
from .mentors import route_for
from .models import HelperNotice, MentorProfile, Question, QuestionMessage
from .payloads import question_payload

State = Question.State


@dataclass(frozen=True)
class QuestionChange:
    question: Question
    event_id: int | None
    payload: dict[str, Any]


def is_help_room(room_slug: str) -> bool:
    return room_slug in settings.LIVECHAT_HELP_ROOMS


def is_help_room_of(room: Room) -> bool:
    """The rooms whose new messages :func:`on_message_created` handles (no query)."""
    return is_help_room(room.slug)


def _minutes(name: str) -> timedelta:
    return timedelta(minutes=getattr(settings, name))


# --- timer keys ------------------------------------------------------------------------------
# One key per (question, purpose): scheduling again moves the timer, never adds a second.


def timer_key(question_id: int, purpose: str) -> str:
    return f"question:{question_id}:{purpose}"


def _schedule(question: Question, purpose: str, due_at: datetime) -> None:
    timers.schedule(
        key=timer_key(question.pk, purpose),
        kind=f"helpdesk.{purpose}",
        due_at=due_at,
        payload={"question": question.pk},
    )


def _cancel(question: Question, *purposes: str) -> None:
    for purpose in purposes:
        timers.cancel(key=timer_key(question.pk, purpose))


ESCALATION = ("everyone", "feed", "handoff")


def _schedule_escalation(question: Question, now: datetime) -> None:
    _schedule(
        question,
        "everyone",
        question.routed_until or now + _minutes("LIVECHAT_ESCALATE_EVERYONE_MINUTES"),
    )
    _schedule(question, "feed", now + _minutes("LIVECHAT_ESCALATE_FEED_MINUTES"))
    _schedule(question, "handoff", now + _minutes("LIVECHAT_ESCALATE_HANDOFF_MINUTES"))


# --- recording -------------------------------------------------------------------------------


def _record(
    question: Question, kind: str, now: datetime, event_id: int, *, save: bool = True
) -> QuestionChange:
    if save:  # (a question just inserted is saved already)
        question.updated_at = now
        question.save()
    payload = question_payload(question)
    log_event(room_id=question.room_id, event_id=event_id, kind=kind, payload=payload, now=now)
    publish_question_on_commit(kind=kind, question=payload)  # the helpers' queue
    return QuestionChange(question=question, event_id=event_id, payload=payload)


def _take(question_id: int) -> tuple[Question, int]:
    """The question, locked, and the next event id of its room. Call inside the change's
    transaction: the room's lock comes first (the event-id UPDATE), then the question's
    (lock order), and a change that is refused rolls the id back."""
    room_id = Question.objects.filter(pk=question_id).values_list("room_id", flat=True).first()
    if room_id is None:
        raise NotFound(_("Question %(id)d does not exist.") % {"id": question_id})
    event_id = allocate_event_id(room_id)
    question = (
        Question.objects.select_for_update(of=("self",)).select_related("room").get(pk=question_id)
    )
    return question, event_id


def _tell(question: Question, kind: str, *, actor: User) -> None:
    """An in-app notification (and, offline, an email) for the asker, about the question
    (its first message)."""
    notify(
        recipients={question.asker_id: kind},
        actor=actor,
        message=question.first_message,
        now=clock.now(),
    )


# --- messages: opening, belonging, answering, reopening -------------------------------------


def on_message_created(message: Message, *, now: datetime) -> None:
    """A new message in a help room (called inside its transaction, room locked)."""
    room = message.room
    if not is_help_room(room.slug):
        return
    author = message.author
    helper = is_helper(author)
    if helper:
        record_activity(user_id=author.pk, now=now)
    question = _question_for(message, helper=helper)
    if question is None:
        if not helper:
            _open(message, now=now)
        return
    QuestionMessage.objects.create(
        message=message, question=question, from_helper=helper and author.pk != question.asker_id
    )
    if author.pk == question.asker_id:
        _asker_wrote(question, message, now=now)
    elif helper:
        _helper_replied(question, message, now=now)


def _question_for(message: Message, *, helper: bool) -> Question | None:
    """The question a message belongs to: the one its reply is threaded in; else the
    author's open question in the room; else, for a helper who mentions exactly one asker
    with an open question here, that one."""
    if message.reply_to_id is not None:
        link = (
            QuestionMessage.objects.select_related("question")
            .filter(message_id=message.reply_to_id)
            .first()
        )
        if link is not None:
            return Question.objects.select_for_update(of=("self",)).get(pk=link.question_id)
    if not helper:
        return (
            Question.objects.select_for_update(of=("self",))
            .filter(room_id=message.room_id, asker=message.author, state__in=Question.OPEN_STATES)
            .first()
        )
    if message.mentions:
        candidates = list(
            Question.objects.select_for_update(of=("self",)).filter(
                room_id=message.room_id,
                asker__username__in=message.mentions,
                state__in=Question.OPEN_STATES,
            )[:2]
        )
        if len(candidates) == 1:
            return candidates[0]
    return None


def _open(message: Message, *, now: datetime) -> QuestionChange:
    asker = message.author
    route = route_for(mentee=asker, now=now)
    available = available_helper_ids(now=now, room_id=message.room_id)
    mentor_first = route.helper is not None and route.helper.pk in available
    question = Question(
        room=message.room,
        asker=asker,
        state=State.WAITING,
        first_message=message,
        asked_at=now,
        last_asker_at=now,
        mentor=route.helper,
        routed_until=now + _minutes("LIVECHAT_MENTOR_FIRST_MINUTES") if mentor_first else None,
        helpers_available=len(available),
        updated_at=now,
    )
    question.save()
    QuestionMessage.objects.create(message=message, question=question)
    _schedule_escalation(question, now)
    # At once: the mentor (or their backup); and, unless the mentor has it alone for now,
    # the helpers present in the room.
    first = {route.helper.pk} if route.helper is not None else set()
    if not mentor_first:
        first |= {user["id"] for user in online_users(message.room_id) if _is_helper_ref(user)}
    _notice(question, helper_ids=first, step=Question.Step.ASKED, now=now, capped=False)
    return _record(question, kinds.OPENED, now, allocate_event_id(message.room_id), save=False)


def _is_helper_ref(user: dict[str, Any]) -> bool:
    return bool({"mentor", "moderator"} & set(user.get("roles", ())))


def _asker_wrote(question: Question, message: Message, *, now: datetime) -> None:
    question.last_asker_at = now
    # The asker is not silent: staleness counts again from the next helper reply.
    _cancel(question, "stale")
    if question.is_open:
        question.updated_at = now
        question.save(update_fields=["last_asker_at", "updated_at"])
        return
    if Question.objects.filter(
        room_id=question.room_id, asker_id=question.asker_id, state__in=Question.OPEN_STATES
    ).exists():
        # Another question of theirs is open: this message joins the old thread, which
        # stays closed (one open question per person and room).
        question.save(update_fields=["last_asker_at"])
        return
    _reopen(question, now=now, event_id=allocate_event_id(question.room_id))


def _helper_replied(question: Question, message: Message, *, now: datetime) -> None:
    question.last_reply_at = now
    question.first_reply_at = question.first_reply_at or now
    if question.claimed_by_id is not None:
        # The claim is honoured (by whoever replied): it no longer lapses.
        question.claim_expires_at = None
        _cancel(question, "claim", "claim-offline")
    if question.state in (State.RESOLVED, State.STALE):
        question.save(update_fields=["last_reply_at", "first_reply_at", "claim_expires_at"])
        return
    _cancel(question, *ESCALATION)
    _schedule(question, "stale", now + _minutes("LIVECHAT_QUESTION_STALE_MINUTES"))
    if question.reminded_at is None:
        _schedule(
            question, "reminder", now + timedelta(hours=settings.LIVECHAT_RESOLVE_REMINDER_HOURS)
        )
    replied_to = (
        Message.objects.filter(pk=message.reply_to_id).values_list("author_id", flat=True).first()
    )
    if replied_to != question.asker_id:
        # livechat already tells the author a reply was threaded under; the asker must
        # hear of every answer to their question.
        notify(
            recipients={question.asker_id: Notification.Kind.REPLY},
            actor=message.author,
            message=message,
            now=now,
        )
    if question.state == State.ANSWERED:
        question.updated_at = now
        question.save()
        return
    question.state = State.ANSWERED
    _record(question, kinds.ANSWERED, now, allocate_event_id(question.room_id))


def answered_elsewhere(*, message: Message, now: datetime) -> None:
    """A reply given outside the chat and posted into the question's thread by its author
    (an answer on the wiki's help desk: helpdesk.wiki_handoff) answers the question as a
    helper's reply does, whoever wrote it: answered, escalation stopped, staleness and
    the reminder scheduled, and counted among the helpers' replies. The asker was
    notified by the message itself, which replies to their question. Call inside the
    message's transaction, after it was sent (the room is locked)."""
    link = QuestionMessage.objects.filter(message=message).first()
    if link is None:
        return
    question = Question.objects.select_for_update(of=("self",)).get(pk=link.question_id)
    if message.author_id == question.asker_id:
        return
    QuestionMessage.objects.filter(pk=message.pk).update(from_helper=True)
    _helper_replied(question, message, now=now)


def _reopen(question: Question, *, now: datetime, event_id: int) -> QuestionChange:
    question.state = State.WAITING
    question.resolved_by = None
    question.resolved_at = None
    question.claimed_by = None
    question.claimed_at = None
    question.claim_expires_at = None
    question.step = Question.Step.ASKED
    question.routed_until = None
    question.last_asker_at = now
    _cancel(question, "stale", "reminder", "claim", "claim-offline")
    _schedule_escalation(question, now)
    return _record(question, kinds.REOPENED, now, event_id)


# --- claims ----------------------------------------------------------------------------------


def claim_question(*, user: User, question_id: object) -> QuestionChange:
    """ "I'm on it": the question is this helper's for LIVECHAT_CLAIM_MINUTES. The first
    claim wins: claims are serialised by the room's lock, and the loser is told who won."""
    pk = parse_id(question_id, field="question_id")
    if not is_helper(user):
        raise Forbidden(_("Only mentors and moderators can claim questions."))
    with transaction.atomic():
        question, event_id = _take(pk)
        now = clock.now()
        record_activity(user_id=user.pk, now=now)
        if not question.is_open:
            raise Conflict(
                _("This question is already %(state)s.") % {"state": question.get_state_display()},
                question_id=pk,
            )
        holder = _claim_holder(question, now)
        if holder is not None and holder != user.pk:
            name = User.objects.filter(pk=holder).values_list("username", flat=True).first()
            raise Conflict(
                _("%(name)s is already on this question.") % {"name": name},
                question_id=pk,
                claimed_by=name,
            )
        if holder == user.pk:
            raise Conflict(_("You are already on this question."), question_id=pk)
        held = Question.objects.filter(
            claimed_by=user, state=State.CLAIMED, claim_expires_at__gt=now
        ).count()
        limit = settings.LIVECHAT_HELPER_MAX_CLAIMS
        if held >= limit:
            raise Conflict(
                _(
                    "You are already on %(count)d questions, the most one helper may hold; "
                    "answer or release one first."
                )
                % {"count": held},
                question_id=pk,
                limit=limit,
            )
        question.state = State.CLAIMED
        question.claimed_by = user
        question.claimed_at = now
        question.claim_expires_at = now + _minutes("LIVECHAT_CLAIM_MINUTES")
        _schedule(question, "claim", question.claim_expires_at)
        _cancel(question, "everyone")
        _tell(question, Notification.Kind.CLAIMED, actor=user)
        return _record(question, kinds.CLAIMED, now, event_id)


def _claim_holder(question: Question, now: datetime) -> int | None:
    if question.state != State.CLAIMED or question.claim_expires_at is None:
        return None
    return question.claimed_by_id if question.claim_expires_at > now else None


def unclaim_question(*, user: User, question_id: object) -> QuestionChange:
    """Release a claim (the claimer, or a moderator)."""
    pk = parse_id(question_id, field="question_id")
    with transaction.atomic():
        question, event_id = _take(pk)
        if question.state != State.CLAIMED:
            raise Conflict(_("Nobody is on this question."), question_id=pk)
        if question.claimed_by_id != user.pk and not is_moderator(user):
            raise Forbidden(_("Only the helper who claimed this question can release it."))
        return _release(question, now=clock.now(), event_id=event_id)


def _release(
    question: Question, *, now: datetime, event_id: int, firing: str | None = None
) -> QuestionChange:
    """End the claim. ``firing``: the timer whose handler this is, which the worker
    deletes itself (cancelling it here would look to the worker like a renewal)."""
    question.state = State.ANSWERED if question.last_reply_at else State.WAITING
    question.claimed_by = None
    question.claimed_at = None
    question.claim_expires_at = None
    _cancel(question, *({"claim", "claim-offline"} - {firing}))
    if question.state == State.WAITING and question.step < Question.Step.EVERYONE:
        # Back to the top of the queue: everyone hears of it now, not at five minutes.
        _schedule(question, "everyone", now)
    return _record(question, kinds.UNCLAIMED, now, event_id)


def lapse_claim(*, question_id: int, now: datetime, offline: bool = False) -> QuestionChange | None:
    """A timer: the claim lapses when the claimer has not replied in time (or has had no
    socket open for LIVECHAT_CLAIM_OFFLINE_SECONDS). Idempotent: a claim that was honoured,
    released or renewed meanwhile is left alone."""
    with transaction.atomic():
        question, event_id = _take(question_id)
        holder = question.claimed_by_id if question.state == State.CLAIMED else None
        if holder is None or question.claim_expires_at is None:
            transaction.set_rollback(True)
            return None
        if offline:
            if user_online(holder):
                transaction.set_rollback(True)
                return None
        elif question.claim_expires_at > now:
            transaction.set_rollback(True)
            return None
        firing = "claim-offline" if offline else "claim"
        return _release(question, now=now, event_id=event_id, firing=firing)


def claimer_left(*, user: User, now: datetime) -> None:
    """The helper's socket closed: their claims lapse unless a socket of theirs is open
    again within LIVECHAT_CLAIM_OFFLINE_SECONDS (checked by the timer)."""
    due = now + timedelta(seconds=settings.LIVECHAT_CLAIM_OFFLINE_SECONDS)
    with transaction.atomic():
        for question in Question.objects.filter(
            claimed_by=user, state=State.CLAIMED, claim_expires_at__isnull=False
        ):
            _schedule(question, "claim-offline", due)


# --- resolving -------------------------------------------------------------------------------


def resolve_question(*, user: User, question_id: object) -> QuestionChange:
    """ "This answered my question" (the asker) or "Mark answered" (a helper)."""
    pk = parse_id(question_id, field="question_id")
    with transaction.atomic():
        question, event_id = _take(pk)
        if question.asker_id != user.pk and not is_helper(user):
            raise Forbidden(_("Only the asker or a helper can mark this question answered."))
        if question.state == State.RESOLVED:
            raise Conflict(_("This question is already marked answered."), question_id=pk)
        now = clock.now()
        question.state = State.RESOLVED
        question.resolved_by = user
        question.resolved_at = now
        question.claim_expires_at = None
        _cancel(question, *ESCALATION, "stale", "reminder", "claim", "claim-offline")
        if user.pk != question.asker_id:
            _tell(question, Notification.Kind.RESOLVED, actor=user)
        return _record(question, kinds.RESOLVED, now, event_id)


def reopen_question(*, user: User, question_id: object) -> QuestionChange:
    """The asker reopens their resolved or stale question."""
    pk = parse_id(question_id, field="question_id")
    with transaction.atomic():
        question, event_id = _take(pk)
        if question.asker_id != user.pk:
            raise Forbidden(_("Only the person who asked can reopen this question."))
        if question.is_open:
            raise Conflict(_("This question is still open."), question_id=pk)
        try:
            with transaction.atomic():
                return _reopen(question, now=clock.now(), event_id=event_id)
        except IntegrityError:
            raise Conflict(
                _("You have another open question in this room; it must be answered first."),
                question_id=pk,
            ) from None


def mark_stale(*, question_id: int, now: datetime) -> QuestionChange | None:
    """A timer: after a helper's reply the asker stayed silent too long."""
    with transaction.atomic():
        question, event_id = _take(question_id)
        quiet = timedelta(minutes=settings.LIVECHAT_QUESTION_STALE_MINUTES)
        if (
            question.state != State.ANSWERED
            or question.last_reply_at is None
            or question.last_asker_at > question.last_reply_at
            or now < question.last_reply_at + quiet
        ):
            transaction.set_rollback(True)
            return None
        question.state = State.STALE
        return _record(question, kinds.STALE, now, event_id)


def remind_asker(*, question_id: int, now: datetime) -> bool:
    """A timer: one reminder to mark an answered question resolved (answered, or gone
    stale because the asker went quiet after the answer)."""
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if (
            question is None
            or question.state not in (State.ANSWERED, State.STALE)
            or question.reminded_at
        ):
            return False
        question.reminded_at = now
        question.save(update_fields=["reminded_at"])
        # From the helper who answered last (a notification is never from its recipient).
        answerer = (
            QuestionMessage.objects.filter(question=question, from_helper=True)
            .order_by("-message_id")
            .values_list("message__author", flat=True)
            .first()
        )
        if answerer is not None:
            _tell(question, Notification.Kind.REMINDER, actor=User.objects.get(pk=answerer))
        return True


# --- escalation ------------------------------------------------------------------------------


def _notice(
    question: Question, *, helper_ids: set[int], step: int, now: datetime, capped: bool
) -> list[int]:
    """Notify helpers of the question, once per (helper, question, step); escalation
    notices (``capped``) respect each helper's hourly cap and mute."""
    targets = helper_ids - {question.asker_id}
    if not targets:
        return []
    if capped:
        muted = set(
            MentorProfile.objects.filter(user_id__in=targets, muted_until__gt=now).values_list(
                "user_id", flat=True
            )
        )
        targets -= muted
        recent = _recent_notice_counts(targets, now)
        limit = settings.LIVECHAT_HELPER_NOTICES_PER_HOUR
        targets = {pk for pk in targets if recent.get(pk, 0) < limit}
    already = set(
        HelperNotice.objects.filter(
            question=question, step=step, helper_id__in=targets
        ).values_list("helper_id", flat=True)
    )
    targets -= already
    if not targets:
        return []
    HelperNotice.objects.bulk_create(
        [HelperNotice(helper_id=pk, question=question, step=step, sent_at=now) for pk in targets]
    )
    notify(
        recipients=dict.fromkeys(targets, Notification.Kind.QUESTION),
        actor=question.asker,
        message=question.first_message,
        now=now,
    )
    return sorted(targets)


def _recent_notice_counts(helper_ids: set[int], now: datetime) -> dict[int, int]:
    rows = (
        HelperNotice.objects.filter(
            helper_id__in=helper_ids,
            step__gt=Question.Step.ASKED,
            sent_at__gt=now - timedelta(hours=1),
        )
        .values("helper_id")
        .annotate(n=Count("pk"))
    )
    return {row["helper_id"]: row["n"] for row in rows}


# Called with the question when it is marked for the wiki's help desk (the wiki
# integration posts it there).
HandoffHook = Callable[[Question], None]
_handoff_hooks: list[HandoffHook] = []


def register_handoff_hook(hook: HandoffHook) -> None:
    if hook not in _handoff_hooks:
        _handoff_hooks.append(hook)


def escalate(*, question_id: int, step: int, now: datetime) -> QuestionChange | None:
    """A timer: the next escalation step of a question still without a helper's reply.
    Idempotent: a step already taken, or a question answered meanwhile, changes nothing."""
    with transaction.atomic():
        question, event_id = _take(question_id)
        waiting = question.state == State.WAITING or (
            question.state == State.CLAIMED and step > Question.Step.EVERYONE
        )
        if not waiting or question.step >= step:
            transaction.set_rollback(True)
            return None
        question.step = step
        if step == Question.Step.EVERYONE:
            question.routed_until = None
            _notice(
                question,
                helper_ids=available_helper_ids(now=now, room_id=question.room_id),
                step=step,
                now=now,
                capped=True,
            )
        elif step == Question.Step.FEED:
            question.feed_at = now
        elif step == Question.Step.HANDOFF:
            question.handoff_at = now
            for hook in _handoff_hooks:
                hook(question)
        return _record(question, kinds.ESCALATED, now, event_id)
