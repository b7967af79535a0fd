""" "I'm on it": the first claim wins, a helper holds at most three, claims lapse after
ten minutes without a reply or a minute after the claimer's last socket closed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from helpdesk import actions
from helpdesk.models import Question
from livechat.models import Notification, RoomEvent

from ..conftest import fresh, json_client, make_user
from .helpers import ask, fire, offline, online, reload, reply

State = Question.State


@pytest.mark.django_db
def test_a_helper_claims_and_the_asker_is_told(alice, mentor, room, clock):
    question = ask(alice, room)
    change = actions.claim_question(user=fresh(mentor), question_id=question.pk)
    assert change.question.state == State.CLAIMED
    assert change.payload["claimed_by"]["username"] == "Mentor"
    assert change.payload["claim_expires_at"] is not None
    assert RoomEvent.objects.filter(room=room).latest("event_id").kind == "question.claimed"
    assert Notification.objects.filter(recipient=alice, kind="claimed").exists()


@pytest.mark.django_db
def test_only_helpers_claim(alice, bob, room):
    question = ask(alice, room)
    with pytest.raises(actions.Forbidden):
        actions.claim_question(user=fresh(bob), question_id=question.pk)


@pytest.mark.django_db
def test_the_second_claim_is_a_conflict_naming_the_holder(alice, mentor, moderator, room):
    question = ask(alice, room)
    actions.claim_question(user=fresh(mentor), question_id=question.pk)
    with pytest.raises(actions.Conflict) as refused:
        actions.claim_question(user=fresh(moderator), question_id=question.pk)
    assert refused.value.extra["claimed_by"] == "Mentor"
    assert "Mentor" in refused.value.detail


@pytest.mark.django_db
def test_a_helper_holds_at_most_three_claims(mentor, room, settings):
    questions = [ask(make_user(f"Newcomer {n}"), room) for n in range(4)]
    for question in questions[:3]:
        actions.claim_question(user=fresh(mentor), question_id=question.pk)
    with pytest.raises(actions.Conflict) as refused:
        actions.claim_question(user=fresh(mentor), question_id=questions[3].pk)
    assert refused.value.extra["limit"] == 3
    actions.unclaim_question(user=fresh(mentor), question_id=questions[0].pk)
    actions.claim_question(user=fresh(mentor), question_id=questions[3].pk)


@pytest.mark.django_db
def test_a_claim_lapses_after_ten_minutes_without_a_reply(alice, mentor, room, clock):
    question = ask(alice, room)
    actions.claim_question(user=fresh(mentor), question_id=question.pk)
    clock.advance(minutes=9, seconds=59)
    fire()
    assert reload(question).state == State.CLAIMED
    clock.advance(seconds=1)
    fire()
    question = reload(question)
    assert question.state == State.WAITING
    assert question.claimed_by is None
    assert RoomEvent.objects.filter(room=room).latest("event_id").kind == "question.unclaimed"


@pytest.mark.django_db
def test_a_claim_honoured_by_a_reply_does_not_lapse(alice, mentor, room, clock):
    question = ask(alice, room)
    actions.claim_question(user=fresh(mentor), question_id=question.pk)
    clock.advance(minutes=2)
    reply(mentor, question)
    clock.advance(minutes=20)
    fire()
    question = reload(question)
    assert question.state in (State.ANSWERED, State.STALE)
    assert question.claimed_by == mentor


@pytest.mark.django_db
def test_a_claim_lapses_a_minute_after_the_claimers_last_socket_closed(alice, mentor, room, clock):
    question = ask(alice, room)
    online(mentor, "tab-1")
    online(mentor, "tab-2")
    actions.claim_question(user=fresh(mentor), question_id=question.pk)
    offline(mentor, "tab-1")
    actions.claimer_left(user=fresh(mentor), now=clock.now())
    clock.advance(seconds=61)
    fire()
    assert reload(question).state == State.CLAIMED  # another tab is still open
    offline(mentor, "tab-2")
    actions.claimer_left(user=fresh(mentor), now=clock.now())
    clock.advance(seconds=59)
    fire()
    assert reload(question).state == State.CLAIMED
    clock.advance(seconds=1)
    fire()
    assert reload(question).state == State.WAITING


@pytest.mark.django_db
def test_a_lapsed_claim_goes_to_every_helper_at_once(alice, mentor, moderator, room, clock):
    question = ask(alice, room)
    actions.claim_question(user=fresh(mentor), question_id=question.pk)
    online(moderator)
    clock.advance(minutes=10)
    fire()  # the claim lapses and schedules "everyone" now
    online(moderator)
    fire()
    assert reload(question).step == Question.Step.EVERYONE
    assert Notification.objects.filter(recipient=moderator, kind="question").exists()


@pytest.mark.django_db
def test_only_the_claimer_or_a_moderator_releases(alice, bob, mentor, moderator, room):
    question = ask(alice, room)
    actions.claim_question(user=fresh(mentor), question_id=question.pk)
    with pytest.raises(actions.Forbidden):
        actions.unclaim_question(user=fresh(bob), question_id=question.pk)
    actions.unclaim_question(user=fresh(moderator), question_id=question.pk)
    assert reload(question).state == State.WAITING


@pytest.mark.django_db
def test_claiming_over_http_and_the_conflict_answer(alice, mentor, moderator, room):
    question = ask(alice, room)
    first = json_client(mentor).post(f"/api/questions/{question.pk}/claim/")
    assert first.status_code == 200 and first.json()["state"] == "claimed"
    second = json_client(moderator).post(f"/api/questions/{question.pk}/claim/")
    assert second.status_code == 409
    assert second.json()["error"]["claimed_by"] == "Mentor"
    assert json_client(alice).post(f"/api/questions/{question.pk}/claim/").status_code == 403
    assert json_client(mentor).post("/api/questions/abc/claim/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_helpers_racing_one_claim_wins(alice, mentor, moderator, room):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises whole transactions; the race is PostgreSQL's row lock")
    question = ask(alice, room)
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def claim(user):
        barrier.wait()
        try:
            actions.claim_question(user=fresh(user), question_id=question.pk)
            results[user.username] = "won"
        except actions.Conflict:
            results[user.username] = "lost"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (mentor, moderator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["lost", "won"]
    assert RoomEvent.objects.filter(room=room, kind="question.claimed").count() == 1
