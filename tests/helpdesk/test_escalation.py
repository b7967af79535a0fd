"""When nobody answers: every available helper at 5 minutes (at most 4 such notices an
hour each, mutable), the public feed at 30, the wiki's help desk at 24 hours."""

from __future__ import annotations

import pytest

from helpdesk import actions, mentor_actions
from helpdesk.models import HelperNotice, Question
from livechat.models import Notification, RoomEvent

from ..conftest import fresh, make_user
from .helpers import ask, fire, online, reload, reply

pytestmark = pytest.mark.django_db

Step = Question.Step


def notices(user, step=Step.EVERYONE) -> int:
    """Escalation notices the helper got (the mentor fixture is also drawn as the asker's
    mentor, and told at once: that is step ASKED)."""
    return HelperNotice.objects.filter(helper=user, step=step).count()


def told(user) -> int:
    return Notification.objects.filter(recipient=user, kind="question").count()


def test_at_five_minutes_every_available_helper_is_told(alice, mentor, moderator, room, clock):
    question = ask(alice, room)
    clock.advance(minutes=4, seconds=59)
    online(mentor)
    online(moderator)
    fire()
    assert notices(mentor) == 0
    clock.advance(seconds=1)
    fire()
    assert notices(mentor) == 1 and notices(moderator) == 1
    question = reload(question)
    assert question.step == Step.EVERYONE
    event = RoomEvent.objects.filter(room=room).latest("event_id")
    assert event.kind == "question.escalated" and event.payload["step"] == Step.EVERYONE


def test_inactive_or_offline_helpers_are_not_told(alice, mentor, moderator, room, clock):
    ask(alice, room)
    online(mentor)  # active now, idle for over 5 minutes when it escalates
    clock.advance(minutes=5, seconds=1)
    fire()
    assert notices(mentor) == 0 and notices(moderator) == 0


def test_a_reply_or_a_claim_stops_escalation(alice, mentor, moderator, room, clock):
    answered = ask(alice, room)
    claimed = ask(make_user("Carol"), room)
    reply(mentor, answered)
    actions.claim_question(user=fresh(mentor), question_id=claimed.pk)
    clock.advance(minutes=5)
    online(moderator)
    fire()
    assert notices(moderator) == 0
    assert reload(answered).step == Step.ASKED


def test_each_helper_gets_at_most_four_escalation_notices_an_hour(mentor, room, clock):
    askers = [make_user(f"Newcomer {n}") for n in range(6)]
    for asker in askers:
        ask(asker, room)
    clock.advance(minutes=5)
    online(mentor)
    fire()
    assert notices(mentor) == 4
    # 6 questions: told of each once as their drawn mentor, of 4 by escalation.
    assert told(mentor) == 6 + 4
    # The two left over still escalate (feed) on time.
    clock.advance(minutes=25)
    fire()
    assert Question.objects.filter(step=Step.FEED).count() == 6


def test_a_helper_can_mute_escalation_notices(alice, mentor, room, clock):
    mentor_actions.update_helper_settings(user=fresh(mentor), mute_minutes=60)
    ask(alice, room)
    clock.advance(minutes=5)
    online(mentor)
    fire()
    assert notices(mentor) == 0


def test_at_thirty_minutes_it_enters_the_public_feed(alice, room, clock):
    question = ask(alice, room)
    clock.advance(minutes=29)
    fire()
    assert reload(question).feed_at is None
    clock.advance(minutes=1)
    fire()
    question = reload(question)
    assert question.step == Step.FEED
    assert question.feed_at == clock.now()


def test_at_a_day_it_is_marked_for_the_wikis_help_desk_and_the_hook_runs(alice, room, clock):
    seen: list[int] = []

    def hook(question):
        seen.append(question.pk)

    actions.register_handoff_hook(hook)
    try:
        question = ask(alice, room)
        clock.advance(hours=24)
        fire()
        question = reload(question)
        assert question.step == Step.HANDOFF
        assert question.handoff_at == clock.now()
        assert seen == [question.pk]
        fire()
        assert seen == [question.pk]
    finally:
        # Only this test's hook: the app's own (the wiki hand-off) stay registered.
        actions._handoff_hooks.remove(hook)


def test_escalation_steps_are_idempotent(alice, mentor, room, clock):
    question = ask(alice, room)
    clock.advance(minutes=5)
    online(mentor)
    actions.escalate(question_id=question.pk, step=Step.EVERYONE, now=clock.now())
    actions.escalate(question_id=question.pk, step=Step.EVERYONE, now=clock.now())
    assert notices(mentor) == 1
    assert told(mentor) == 2  # as the drawn mentor at once, then by escalation
    assert RoomEvent.objects.filter(room=room, kind="question.escalated").count() == 1


def test_a_question_is_never_refused_because_nobody_is_online(alice, room):
    question = ask(alice, room)
    assert question.helpers_available == 0
    assert question.state == "waiting"


def test_helpers_in_the_room_hear_of_a_new_question_at_once(alice, moderator, room, clock):
    from asgiref.sync import async_to_sync

    from livechat.presence import member_key, store

    member = member_key("c1", {"id": moderator.pk, "username": "Mod", "roles": ["moderator"]})
    async_to_sync(store().touch)(room.pk, member)
    ask(alice, room)
    assert notices(moderator, Step.ASKED) == 1
    assert told(moderator) == 1
