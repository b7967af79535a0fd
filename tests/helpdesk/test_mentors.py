"""Mentors first: a newcomer's mentor (drawn by weight on the first question, or assigned),
Away with a backup, the mentor alone with the question for five minutes, then everyone."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from accounts.roles import MENTORS
from helpdesk import mentor_actions
from helpdesk.mentors import draw_mentor, route_for
from helpdesk.models import MentorProfile, Mentorship, Question
from livechat.models import Notification

from ..conftest import fresh, json_client, make_user
from .helpers import ask, fire, online, reload

pytestmark = pytest.mark.django_db

Weight = MentorProfile.Weight


def mentor_with(name: str, weight: int = Weight.MEDIUM, **profile) -> object:
    user = make_user(name, MENTORS)
    MentorProfile.objects.create(user=user, weight=weight, **profile)
    return user


def test_the_first_question_draws_a_mentor_and_keeps_them(alice, room, clock):
    mia = mentor_with("Mia")
    question = ask(alice, room)
    mentorship = Mentorship.objects.get(mentee=alice)
    assert mentorship.mentor == mia
    assert mentorship.source == Mentorship.Source.AUTO
    assert question.mentor == mia


def test_mentors_are_drawn_by_weight(db, clock):
    low = mentor_with("Low", Weight.LOW)
    high = mentor_with("High", Weight.HIGH)
    mentor_with("None", Weight.NONE)
    rng = random.Random(7)
    drawn = Counter(draw_mentor(now=clock.now(), rng=rng).username for _ in range(2000))
    assert set(drawn) == {"Low", "High"}
    # 1 : 4, within a generous margin for 2,000 draws.
    assert 3.0 < drawn[high.username] / drawn[low.username] < 5.3
    del low


def test_away_mentors_are_not_drawn(db, clock):
    mentor_with("Away", away_until=(clock.now() + timedelta(days=3)).date())
    assert draw_mentor(now=clock.now()) is None


def test_an_assigned_mentor_is_kept(alice, moderator, room, clock):
    mentor_with("Drawn")
    sam = mentor_with("Sam")
    mentor_actions.assign_mentor(actor=fresh(moderator), mentee=alice, mentor=sam)
    assert ask(alice, room).mentor == sam


def test_only_moderators_assign_mentors(alice, bob, clock):
    sam = mentor_with("Sam")
    with pytest.raises(mentor_actions.Forbidden):
        mentor_actions.assign_mentor(actor=fresh(bob), mentee=alice, mentor=sam)


def test_an_available_mentor_has_the_question_alone_for_five_minutes(alice, moderator, room, clock):
    mia = mentor_with("Mia")
    online(mia)
    online(moderator)
    question = ask(alice, room)
    assert question.routed_until == clock.now() + timedelta(minutes=5)
    assert Notification.objects.filter(recipient=mia, kind="question").exists()
    assert not Notification.objects.filter(recipient=moderator).exists()
    clock.advance(minutes=4, seconds=59)
    fire()
    assert not Notification.objects.filter(recipient=moderator).exists()
    clock.advance(seconds=1)
    online(moderator)
    fire()
    assert reload(question).step == Question.Step.EVERYONE
    assert Notification.objects.filter(recipient=moderator, kind="question").exists()


def test_an_unavailable_mentor_is_notified_but_everyone_else_at_once(alice, moderator, room, clock):
    from asgiref.sync import async_to_sync

    from livechat.presence import member_key, store

    mia = mentor_with("Mia")  # no socket: not available
    # The moderator is in the room (presence), so hears of the question at once.
    member = member_key("chan-mod", {"id": moderator.pk, "username": "Mod", "roles": ["moderator"]})
    async_to_sync(store().touch)(room.pk, member)
    question = ask(alice, room)
    assert question.routed_until is None
    assert Notification.objects.filter(recipient=mia, kind="question").exists()
    assert Notification.objects.filter(recipient=moderator, kind="question").exists()


def test_an_away_mentors_mentee_goes_to_the_backup(alice, room, clock):
    sam = mentor_with("Sam")
    mia = mentor_with("Mia", away_until=(clock.now() + timedelta(days=10)).date(), backup=sam)
    mentor_actions.assign_mentor(
        actor=fresh(make_user("Root", is_superuser=True)), mentee=alice, mentor=mia
    )
    online(sam)
    question = ask(alice, room)
    assert question.mentor == sam
    assert question.routed_until is not None
    status = json_client(alice).get("/api/helpdesk/me/").json()
    assert status["mentor"]["username"] == "Mia"
    assert status["backup"]["username"] == "Sam"
    assert status["away_until"] == (clock.now() + timedelta(days=10)).date().isoformat()


def test_an_away_mentor_without_a_backup_leaves_it_to_everyone(alice, room, clock):
    mia = mentor_with("Mia", away_until=(clock.now() + timedelta(days=1)).date())
    Mentorship.objects.create(mentee=alice, mentor=mia, assigned_at=clock.now())
    question = ask(alice, room)
    assert question.mentor is None
    assert question.routed_until is None


def test_an_away_helper_is_not_available(alice, room, clock):
    from helpdesk.availability import available_helper_ids

    mia = mentor_with("Mia", away_until=clock.now().date())
    online(mia)
    assert mia.pk not in available_helper_ids(now=clock.now())


def test_a_helper_sets_away_with_a_backup_over_http(mentor, clock):
    sam = mentor_with("Sam")
    api = json_client(mentor)
    back = (clock.now() + timedelta(days=20)).date().isoformat()
    answer = api.patch("/api/helpdesk/me/", {"away_until": back, "backup": "Sam"})
    assert answer.status_code == 200
    assert answer.json()["me"]["away_until"] == back
    assert answer.json()["me"]["backup"] == sam.pk
    too_far = (clock.now() + timedelta(days=400)).date().isoformat()
    refused = api.patch("/api/helpdesk/me/", {"away_until": too_far})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "away_until"
    assert api.patch("/api/helpdesk/me/", {"backup": "Mentor"}).status_code == 400
    assert api.patch("/api/helpdesk/me/", {"weight": 3}).status_code == 400
    # What was accepted before stays.
    assert MentorProfile.objects.get(user=mentor).away_until.isoformat() == back


def test_newcomers_have_no_helper_settings(alice):
    answer = json_client(alice).patch("/api/helpdesk/me/", {"weight": 1})
    assert answer.status_code == 403


def test_route_without_mentors(alice, clock):
    route = route_for(mentee=alice, now=clock.now())
    assert route.mentor is None and route.helper is None
