"""What a message costs in a help room, pinned: opening a question, a follow-up and an
answer are each a constant number of queries, whatever the number of questions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from livechat import actions as chat
from tests.conftest import fresh, make_user

from .helpers import ask

pytestmark = pytest.mark.django_db(transaction=True)


def cost(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


@pytest.fixture
def busy_desk(room, mentor):
    """Many questions already open and answered in the room."""
    for n in range(20):
        question = ask(make_user(f"Asker {n}"), room)
        chat.send_message(
            user=fresh(mentor), room=room, body="answer", reply_to=question.first_message_id
        )
    return room


def test_sends_in_a_help_room_cost_the_same_with_few_or_many_questions(
    alice, mentor, room, other_room, transaction_statements
):
    # Warm the guard's caches (abuse filters), as a running server has them.
    chat.send_message(user=fresh(mentor), room=other_room, body="warm")

    def scenario(asker, prefix):
        user = fresh(asker)
        opened = cost(lambda: chat.send_message(user=user, room=room, body=f"{prefix} q"))
        follow = cost(lambda: chat.send_message(user=user, room=room, body=f"{prefix} more"))
        question_message = user.questions.get().first_message_id
        helper = fresh(mentor)
        answered = cost(
            lambda: chat.send_message(
                user=helper, room=room, body="here", reply_to=question_message
            )
        )
        return opened, follow, answered

    few = scenario(alice, "a")
    for n in range(15):
        ask(make_user(f"Other {n}"), room)
    many = scenario(make_user("Late"), "b")
    assert few == many
    opened, follow, answered = many
    # The pins: a plain send is 4 + BEGIN/COMMIT (tests/livechat/test_query_counts.py).
    tx = transaction_statements
    assert opened <= 27 + tx, opened
    assert follow <= 10 + tx, follow
    assert answered <= 24 + tx, answered


def test_a_chat_message_in_a_plain_room_costs_what_it_did(
    alice, other_room, django_assert_max_num_queries, transaction_statements
):
    user = fresh(alice)
    chat.send_message(user=user, room=other_room, body="warm the guard's caches")
    with django_assert_max_num_queries(4 + transaction_statements):
        chat.send_message(user=user, room=other_room, body="hi")
