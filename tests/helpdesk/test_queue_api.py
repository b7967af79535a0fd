"""GET /api/helpdesk/queue/ and /api/helpdesk/summary/: the helpers' queue and the badge."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync

from accounts.models import User
from core import clock as project_clock
from helpdesk import actions
from helpdesk.availability import record_activity
from helpdesk.models import MentorProfile, Mentorship, Question
from livechat import actions as chat
from livechat.models import Room
from livechat.presence import store

from ..conftest import fresh, json_client, make_user

pytestmark = pytest.mark.django_db

QUEUE = "/api/helpdesk/queue/"
SUMMARY = "/api/helpdesk/summary/"


def ask(user: User, room: Room, body: str = "How do I cite a source?") -> Question:
    change = chat.send_message(user=fresh(user), room=room, body=body)
    return Question.objects.get(links__message=change.message)


def available(helper: User) -> None:
    """The helper has a socket open and was active just now."""
    async_to_sync(store().touch_socket)(helper.pk, f"test-{helper.pk}")
    record_activity(user_id=helper.pk, now=project_clock.now())


def queue(viewer: User, **query: Any) -> dict[str, Any]:
    response = json_client(viewer).get(QUEUE, query)
    assert response.status_code == 200, response.content
    return response.json()


def usernames(data: dict[str, Any]) -> list[str]:
    return [q["asker"]["username"] for q in data["questions"]]


@pytest.fixture
def askers(db: None) -> list[User]:
    return [make_user(name) for name in ("Ana", "Ben", "Cy", "Dee")]


def test_it_lists_unresolved_questions_oldest_first_by_default(moderator, askers, room, clock):
    ana, ben, cy, dee = askers
    ask(ben, room)
    clock.advance(minutes=1)
    ask(ana, room)
    clock.advance(minutes=1)
    resolved = ask(cy, room)
    actions.resolve_question(user=moderator, question_id=resolved.pk)
    clock.advance(minutes=2)

    data = queue(moderator)
    assert data["state"] == "unresolved"
    assert usernames(data) == ["Ben", "Ana"]
    assert [q["wait_seconds"] for q in data["questions"]] == [240, 180]


def test_each_filter_shows_its_questions(moderator, askers, room, clock):
    ana, ben, cy, dee = askers
    waiting = ask(ana, room)
    clock.advance(minutes=1)
    claimed = ask(ben, room)
    actions.claim_question(user=moderator, question_id=claimed.pk)
    clock.advance(minutes=1)
    resolved = ask(cy, room)
    actions.resolve_question(user=moderator, question_id=resolved.pk)
    clock.advance(minutes=1)
    other_claim = ask(dee, room)
    other = make_user("Other mod", "Moderators")
    actions.claim_question(user=other, question_id=other_claim.pk)

    assert usernames(queue(moderator, state="waiting")) == ["Ana"]
    assert usernames(queue(moderator, state="unresolved")) == ["Ana", "Ben", "Dee"]
    assert usernames(queue(moderator, state="mine")) == ["Ben"]
    # Everything, newest first.
    assert usernames(queue(moderator, state="all")) == ["Dee", "Cy", "Ben", "Ana"]
    assert queue(moderator, state="all")["questions"][1]["state"] == "resolved"
    assert waiting.pk in [q["id"] for q in queue(moderator, state="waiting")["questions"]]


def test_a_question_routed_to_this_mentor_comes_first_and_says_so(
    mentor, moderator, askers, room, clock
):
    ana, ben, *_ = askers
    # Ana's mentor is another mentor; Ben's is `mentor`, who is available when he asks.
    other = make_user("Other mentor", "Mentors")
    Mentorship.objects.create(mentee=ana, mentor=other, assigned_at=clock.now())
    Mentorship.objects.create(mentee=ben, mentor=mentor, assigned_at=clock.now())
    ask(ana, room)
    clock.advance(minutes=1)
    available(mentor)
    ask(ben, room)

    mine = queue(mentor)["questions"]
    assert [q["asker"]["username"] for q in mine] == ["Ben", "Ana"]
    assert [q["routed_to_me"] for q in mine] == [True, False]
    assert mine[0]["mentor"]["username"] == "Mentor"
    # Everyone else sees the plain order.
    theirs = queue(moderator)["questions"]
    assert [q["asker"]["username"] for q in theirs] == ["Ana", "Ben"]
    assert not any(q["routed_to_me"] for q in theirs)
    # The mentor's head start over, the question takes its place by age.
    clock.advance(minutes=10)
    assert [q["routed_to_me"] for q in queue(mentor)["questions"]] == [False, False]
    assert usernames(queue(mentor)) == ["Ana", "Ben"]


def test_it_tells_who_asks_what_and_where(moderator, alice, room, clock):
    alice.date_joined = clock.now().replace(microsecond=0)
    alice.save(update_fields=["date_joined"])
    ask(alice, room, body="How do I **cite** a source?\nIt is a book.")
    chat.send_message(user=fresh(alice), room=room, body="Anyone?")
    clock.advance(seconds=90)

    [question] = queue(moderator)["questions"]
    assert question["room"] == "help-desk"
    assert question["first_message"] == "How do I **cite** a source?\nIt is a book."
    assert question["asker_info"] == {
        "joined_at": alice.date_joined.isoformat().replace("+00:00", "Z"),
        "messages_sent": 2,
        "wiki_edit_count": None,
    }
    assert question["wait_seconds"] == 90
    assert question["claimed_by"] is None
    assert question["routed_to_me"] is False


def test_a_claim_names_the_helper_on_it(moderator, alice, room):
    question = ask(alice, room)
    actions.claim_question(user=moderator, question_id=question.pk)
    [shown] = queue(moderator)["questions"]
    assert shown["state"] == "claimed"
    assert shown["claimed_by"]["username"] == "Mod"
    assert shown["claim_expires_at"] is not None


@pytest.mark.parametrize("who", ["newcomer", "anonymous"])
def test_only_helpers_see_the_queue_and_the_summary(who, alice, room, client):
    ask(alice, room)
    web = json_client(alice).django if who == "newcomer" else client
    for path in (QUEUE, SUMMARY):
        response = web.get(path)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


def test_an_unknown_filter_is_refused_naming_the_field(moderator):
    response = json_client(moderator).get(QUEUE, {"state": "closed"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == "state"
    assert "state" in error["detail"]


def test_the_summary_counts_waiting_questions_and_colours_by_the_oldest(
    moderator, askers, room, clock
):
    assert json_client(moderator).get(SUMMARY).json() == {
        "waiting": 0,
        "oldest_wait_seconds": None,
        "level": "ok",
    }
    ana, ben, cy, _ = askers
    ask(ana, room)
    clock.advance(minutes=2)
    ask(ben, room)
    claimed = ask(cy, room)
    actions.claim_question(user=moderator, question_id=claimed.pk)
    clock.advance(minutes=3)
    assert json_client(moderator).get(SUMMARY).json() == {
        "waiting": 2,
        "oldest_wait_seconds": 300,
        "level": "warn",
    }
    clock.advance(minutes=26)
    assert json_client(moderator).get(SUMMARY).json()["level"] == "late"


@pytest.mark.parametrize("count", [3, 30])
def test_the_queue_costs_the_same_queries_for_3_or_30_questions(
    count, moderator, room, clock, django_assert_max_num_queries
):
    mentor = make_user("A mentor", "Mentors")
    MentorProfile.objects.create(user=mentor, weight=MentorProfile.Weight.MEDIUM)
    for number in range(count):
        asker = make_user(f"Asker {number}")
        ask(asker, room, body=f"Question {number}")
        clock.advance(seconds=10)
    Question.objects.filter(pk__in=Question.objects.values("pk")[:2]).update(
        claimed_by=mentor, state=Question.State.CLAIMED
    )
    web = json_client(mentor)
    # Session, user (with roles), then the queue: routed-first, the rest, their people,
    # messages sent, join dates.
    with django_assert_max_num_queries(7):
        response = web.get(QUEUE)
    assert len(response.json()["questions"]) == count


def test_the_queue_sends_a_page_and_says_how_many_wait(moderator, room, clock, settings):
    from helpdesk import selectors

    for number in range(5):
        ask(make_user(f"Paged {number}"), room, body=f"Question {number}")
        clock.advance(seconds=10)
    page = selectors.queue(viewer=moderator, state="waiting", now=clock.now(), limit=3)
    assert [q["first_message"] for q in page["questions"]] == [
        "Question 0",
        "Question 1",
        "Question 2",
    ]
    assert page["total"] == 5 and page["has_more"] is True
    whole = json_client(moderator).get(QUEUE).json()
    assert whole["total"] == 5 and whole["has_more"] is False
