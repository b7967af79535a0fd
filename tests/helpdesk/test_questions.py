"""A question's life: opened by a newcomer's message, its messages, answered, resolved,
stale and reopened — every change one question.* event in the room's log."""

from __future__ import annotations

import pytest

from helpdesk import actions
from helpdesk.models import Question, QuestionMessage
from livechat.models import Notification, RoomEvent

from ..conftest import fresh, json_client
from .helpers import ask, fire, reload, reply, say

pytestmark = pytest.mark.django_db

State = Question.State


def kinds(room) -> list[str]:
    return list(
        RoomEvent.objects.filter(room=room).order_by("event_id").values_list("kind", flat=True)
    )


def test_it_opens_a_question_for_a_newcomers_first_message(alice, room, clock):
    question = ask(alice, room)
    assert question.state == State.WAITING
    assert question.asker == alice
    assert question.asked_at == clock.now()
    assert kinds(room) == ["message.created", "question.opened"]
    opened = RoomEvent.objects.get(room=room, kind="question.opened")
    assert opened.payload["id"] == question.pk
    assert opened.payload["message_id"] == question.first_message_id
    assert opened.payload["asker"]["username"] == "Alice"
    assert opened.payload["state"] == "waiting"


def test_event_ids_stay_contiguous_with_questions(alice, bob, room):
    ask(alice, room)
    ask(bob, room)
    ids = list(
        RoomEvent.objects.filter(room=room).order_by("event_id").values_list("event_id", flat=True)
    )
    assert ids == [1, 2, 3, 4]


def test_further_messages_of_the_asker_belong_to_the_open_question(alice, room):
    question = ask(alice, room)
    follow_up = say(alice, room, "It is about a book.")
    assert QuestionMessage.objects.get(message=follow_up).question == question
    assert Question.objects.count() == 1
    assert kinds(room) == ["message.created", "question.opened", "message.created"]


def test_a_helper_does_not_open_questions(mentor, moderator, room):
    say(mentor, room, "Hello, ask away!")
    say(moderator, room, "Welcome")
    assert not Question.objects.exists()


def test_no_questions_outside_help_rooms(alice, other_room):
    say(alice, other_room, "How do I cite?")
    assert not Question.objects.exists()


def test_a_helpers_threaded_reply_answers_it_and_tells_the_asker(alice, mentor, room, clock):
    question = ask(alice, room)
    clock.advance(minutes=3)
    answer = reply(mentor, question)
    question = reload(question)
    assert question.state == State.ANSWERED
    assert question.first_reply_at == clock.now()
    assert QuestionMessage.objects.get(message=answer).from_helper
    assert kinds(room)[-2:] == ["message.created", "question.answered"]
    assert Notification.objects.filter(recipient=alice, kind="reply", message=answer).count() == 1


def test_a_reply_to_another_reply_in_the_thread_belongs_to_the_question(alice, mentor, bob, room):
    question = ask(alice, room)
    answer = reply(mentor, question)
    aside = say(bob, room, "I had the same problem", reply_to=answer.pk)
    assert QuestionMessage.objects.get(message=aside).question == question
    assert not Question.objects.filter(asker=bob).exists()


def test_a_helper_who_mentions_the_asker_answers_the_question(alice, mentor, room):
    question = ask(alice, room)
    say(mentor, room, "@Alice use the cite button")
    assert reload(question).state == State.ANSWERED


def test_the_asker_resolves_it(alice, mentor, room, clock):
    question = ask(alice, room)
    reply(mentor, question)
    change = actions.resolve_question(user=fresh(alice), question_id=question.pk)
    assert change.question.state == State.RESOLVED
    assert change.payload["resolved_by"]["username"] == "Alice"
    assert change.payload["resolved_at"] is not None
    assert kinds(room)[-1] == "question.resolved"


def test_a_helper_marks_it_answered_and_the_asker_is_told(alice, mentor, room):
    question = ask(alice, room)
    actions.resolve_question(user=fresh(mentor), question_id=question.pk)
    assert reload(question).state == State.RESOLVED
    assert Notification.objects.filter(recipient=alice, kind="resolved").exists()


def test_someone_else_cannot_resolve_or_reopen(alice, bob, room):
    question = ask(alice, room)
    with pytest.raises(actions.Forbidden):
        actions.resolve_question(user=fresh(bob), question_id=question.pk)
    actions.resolve_question(user=fresh(alice), question_id=question.pk)
    with pytest.raises(actions.Forbidden):
        actions.reopen_question(user=fresh(bob), question_id=question.pk)


def test_resolving_twice_is_a_conflict(alice, room):
    question = ask(alice, room)
    actions.resolve_question(user=fresh(alice), question_id=question.pk)
    with pytest.raises(actions.Conflict):
        actions.resolve_question(user=fresh(alice), question_id=question.pk)


def test_the_asker_writing_in_a_resolved_thread_reopens_it(alice, mentor, room):
    question = ask(alice, room)
    answer = reply(mentor, question)
    actions.resolve_question(user=fresh(alice), question_id=question.pk)
    say(alice, room, "Actually, one more thing", reply_to=answer.pk)
    question = reload(question)
    assert question.state == State.WAITING
    assert question.resolved_at is None
    assert kinds(room)[-1] == "question.reopened"


def test_a_new_top_level_message_after_resolution_opens_a_new_question(alice, room):
    first = ask(alice, room)
    actions.resolve_question(user=fresh(alice), question_id=first.pk)
    second = ask(alice, room, "Another question")
    assert second.pk != first.pk
    assert Question.objects.filter(asker=alice).count() == 2


def test_reopen_is_refused_while_another_question_is_open(alice, room):
    first = ask(alice, room)
    actions.resolve_question(user=fresh(alice), question_id=first.pk)
    ask(alice, room, "Another question")
    with pytest.raises(actions.Conflict):
        actions.reopen_question(user=fresh(alice), question_id=first.pk)


def test_the_asker_reopens_with_the_button(alice, room):
    question = ask(alice, room)
    actions.resolve_question(user=fresh(alice), question_id=question.pk)
    change = actions.reopen_question(user=fresh(alice), question_id=question.pk)
    assert change.question.state == State.WAITING


def test_it_goes_stale_after_an_hour_of_the_askers_silence(alice, mentor, room, clock):
    question = ask(alice, room)
    reply(mentor, question)
    clock.advance(minutes=59)
    fire()
    assert reload(question).state == State.ANSWERED
    clock.advance(minutes=1)
    fire()
    assert reload(question).state == State.STALE
    assert kinds(room)[-1] == "question.stale"
    fire()  # idempotent
    assert kinds(room).count("question.stale") == 1


def test_the_asker_writing_keeps_it_from_going_stale(alice, mentor, room, clock):
    question = ask(alice, room)
    reply(mentor, question)
    clock.advance(minutes=30)
    say(alice, room, "Thanks, trying it")
    clock.advance(minutes=60)
    fire()
    assert reload(question).state == State.ANSWERED


def test_writing_in_a_stale_question_reopens_it(alice, mentor, room, clock):
    question = ask(alice, room)
    answer = reply(mentor, question)
    clock.advance(minutes=61)
    fire()
    assert reload(question).state == State.STALE
    say(alice, room, "It did not work", reply_to=answer.pk)
    assert reload(question).state == State.WAITING


def test_one_reminder_three_days_after_an_unresolved_answer(alice, mentor, room, clock):
    question = ask(alice, room)
    reply(mentor, question)
    clock.advance(hours=71)
    fire()
    assert not Notification.objects.filter(recipient=alice, kind="reminder").exists()
    clock.advance(hours=1)
    fire()
    fire()
    assert Notification.objects.filter(recipient=alice, kind="reminder").count() == 1
    reply(mentor, question, "More help")
    clock.advance(hours=80)
    fire()
    assert Notification.objects.filter(recipient=alice, kind="reminder").count() == 1


def test_no_reminder_once_resolved(alice, mentor, room, clock):
    question = ask(alice, room)
    reply(mentor, question)
    actions.resolve_question(user=fresh(alice), question_id=question.pk)
    clock.advance(days=4)
    fire()
    assert not Notification.objects.filter(recipient=alice, kind="reminder").exists()


def test_nothing_is_deleted(alice, mentor, room, clock):
    question = ask(alice, room)
    reply(mentor, question)
    actions.resolve_question(user=fresh(alice), question_id=question.pk)
    clock.advance(days=30)
    fire()
    assert Question.objects.filter(pk=question.pk).exists()
    assert QuestionMessage.objects.filter(question=question).count() == 2


def test_the_question_api_acts_like_the_actions(alice, mentor, room):
    question = ask(alice, room)
    api = json_client(alice)
    assert api.get(f"/api/questions/{question.pk}/").json()["state"] == "waiting"
    response = api.post(f"/api/questions/{question.pk}/resolve/")
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    again = api.post(f"/api/questions/{question.pk}/resolve/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert api.post(f"/api/questions/{question.pk}/reopen/").json()["state"] == "waiting"
    assert api.post("/api/questions/999999/resolve/").status_code == 404


def test_question_events_replay_through_the_events_api(alice, mentor, room):
    question = ask(alice, room)
    reply(mentor, question)
    events = json_client(alice).get(f"/api/rooms/{room.slug}/events/", {"after": 0}).json()
    assert [e["kind"] for e in events["events"]] == [
        "message.created",
        "question.opened",
        "message.created",
        "question.answered",
    ]
    assert events["events"][1]["question"]["id"] == question.pk
    assert [e["event_id"] for e in events["events"]] == [1, 2, 3, 4]
