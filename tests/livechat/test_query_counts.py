"""Query counts are pinned: each write and each page costs a constant number of queries,
whatever the room's size or a page's reactions (no N+1).

These run with real transactions (``transaction=True``) so that the count is what
production pays: inside a test transaction each atomic block would add a SAVEPOINT pair.
"""

from __future__ import annotations

import pytest
from django.db import connection

from livechat import actions
from tests.conftest import fresh, json_client, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# A new message's rows (the event-id UPDATE, the message, its revision, its event): one
# statement on PostgreSQL, four through the ORM elsewhere (livechat.message_rows).
NEW_MESSAGE_ROWS = 1 if connection.vendor == "postgresql" else 4


@pytest.fixture
def busy_room(alice, bob, mentor, room):
    """A room with history, reactions from several people and replies."""
    users = [alice, bob, mentor] + [make_user(f"u{i}") for i in range(5)]
    previous = None
    ids = []
    for i in range(30):
        author = users[i % len(users)]
        previous = actions.send_message(
            user=author, room=room, body=f"message {i} @Bob", reply_to=previous
        ).message.pk
        ids.append(previous)
        for reactor in users[: i % 4]:
            actions.toggle_reaction(user=reactor, message_id=previous, emoji="👍")
    room.message_ids = ids
    return room


def test_a_send_costs_a_constant_few_queries(
    alice, bob, busy_room, django_assert_max_num_queries, transaction_statements
):
    user = fresh(alice)
    tx = transaction_statements
    earlier = busy_room.message_ids[0]
    # A plain message: lock + event id, message, revision, event.
    with django_assert_max_num_queries(NEW_MESSAGE_ROWS + tx):
        actions.send_message(user=user, room=busy_room, body="plain", client_id="q-1")
    # Mentions: + resolving the names, + one INSERT for the notifications.
    with django_assert_max_num_queries(NEW_MESSAGE_ROWS + 2 + tx):
        actions.send_message(user=user, room=busy_room, body="@Bob @Mentor see", client_id="q-2")
    # A reply: + the reply target's author, + the notification.
    with django_assert_max_num_queries(NEW_MESSAGE_ROWS + 2 + tx):
        actions.send_message(user=user, room=busy_room, body="yes", reply_to=earlier)


def test_a_reply_that_mentions_people_costs_three_more_than_a_plain_send(
    alice, bob, busy_room, django_assert_max_num_queries, transaction_statements
):
    earlier, user = busy_room.message_ids[0], fresh(alice)
    with django_assert_max_num_queries(NEW_MESSAGE_ROWS + 3 + transaction_statements):
        actions.send_message(user=user, room=busy_room, body="@Bob yes", reply_to=earlier)


def test_a_repeated_send_costs_a_constant_few(
    alice, busy_room, django_assert_max_num_queries, transaction_statements
):
    user = fresh(alice)
    actions.send_message(user=user, room=busy_room, body="x", client_id="again")
    # The failed attempt (lock, insert, rolled back) and the lookup of the first message.
    failed_attempt = 1 if connection.vendor == "postgresql" else 2
    with django_assert_max_num_queries(failed_attempt + 1 + transaction_statements):
        actions.send_message(user=user, room=busy_room, body="x", client_id="again")


def test_an_edit_costs_a_constant_eight_at_most(
    alice, busy_room, django_assert_max_num_queries, transaction_statements
):
    user = fresh(alice)
    message = actions.send_message(user=user, room=busy_room, body="v1").message
    # Read to check (the guard runs outside the transaction, see edit_message), lock the
    # message, event id, mentions, update, notification of the newly mentioned, revision,
    # event.
    with django_assert_max_num_queries(8 + transaction_statements):
        actions.edit_message(user=user, message_id=message.pk, body="v2 @Bob", base_revision=1)


def test_a_reaction_costs_five_queries_whatever_the_reactions(
    alice, bob, busy_room, django_assert_max_num_queries, transaction_statements
):
    user = fresh(bob)
    most_reacted = busy_room.message_ids[3]
    # Lock message (with its author's roles), event id, insert/delete, summary, event.
    for _ in ("add", "remove"):
        with django_assert_max_num_queries(5 + transaction_statements):
            actions.toggle_reaction(user=user, message_id=most_reacted, emoji="👍")


def test_a_history_page_costs_the_same_for_3_or_30_messages(
    alice, busy_room, django_assert_max_num_queries
):
    client = json_client(alice)
    # Session, user (with roles), room, messages (with authors and their roles), which of
    # them the reader has thanked.
    with django_assert_max_num_queries(5):
        small = client.get("/api/rooms/help-desk/messages/?limit=3")
    with django_assert_max_num_queries(5):
        large = client.get("/api/rooms/help-desk/messages/?limit=30")
    assert len(small.json()["messages"]) == 3
    assert len(large.json()["messages"]) == 30


def test_an_events_page_costs_the_same_for_3_or_100_events(
    alice, busy_room, django_assert_max_num_queries
):
    client = json_client(alice)
    # Session, user (with roles), room, events, which of their messages are hidden now.
    with django_assert_max_num_queries(5):
        small = client.get("/api/rooms/help-desk/events/?after=0&limit=3")
    with django_assert_max_num_queries(5):
        large = client.get("/api/rooms/help-desk/events/?after=0&limit=100")
    assert len(small.json()["events"]) == 3
    assert len(large.json()["events"]) == 73  # 30 messages and 43 reaction changes
