from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, Invalid, NotFound, TooLong
from livechat import actions
from livechat.models import Message, MessageRevision, RoomEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(alice, room):
    return actions.send_message(user=alice, room=room, body="teh answer").message


def test_it_adds_a_revision_and_sets_edited_at(alice, sent):
    change = actions.edit_message(
        user=alice, message_id=sent.pk, body="the answer", base_revision=1
    )

    sent.refresh_from_db()
    assert (sent.body, sent.revision) == ("the answer", 2)
    assert sent.edited_at is not None
    assert change.payload["edited_at"] is not None
    assert change.payload["revision"] == 2
    revisions = list(MessageRevision.objects.filter(message=sent).values_list("number", "body"))
    assert revisions == [(1, "teh answer"), (2, "the answer")]
    event = RoomEvent.objects.order_by("-event_id").first()
    assert (event.event_id, event.kind) == (2, "message.edited")


def test_only_the_author_may_edit(bob, sent):
    with pytest.raises(Forbidden, match="Only the author"):
        actions.edit_message(user=bob, message_id=sent.pk, body="mine now", base_revision=1)
    sent.refresh_from_db()
    assert sent.body == "teh answer"
    assert RoomEvent.objects.count() == 1


def test_an_edit_from_an_older_revision_is_a_conflict_that_names_the_current_one(alice, sent):
    actions.edit_message(user=alice, message_id=sent.pk, body="v2", base_revision=1)
    with pytest.raises(Conflict) as caught:
        actions.edit_message(user=alice, message_id=sent.pk, body="v2'", base_revision=1)
    assert caught.value.extra["current_revision"] == 2
    assert caught.value.extra["message"]["body"] == "v2"
    assert "revision 2" in caught.value.detail
    sent.refresh_from_db()
    assert sent.body == "v2"


def test_a_base_revision_from_the_future_is_a_conflict_too(alice, sent):
    with pytest.raises(Conflict):
        actions.edit_message(user=alice, message_id=sent.pk, body="x", base_revision=7)


def test_edits_obey_the_body_rules(alice, sent, settings):
    settings.LIVECHAT_MAX_MESSAGE_LENGTH = 20
    with pytest.raises(Invalid, match="empty"):
        actions.edit_message(user=alice, message_id=sent.pk, body="  ", base_revision=1)
    with pytest.raises(TooLong):
        actions.edit_message(user=alice, message_id=sent.pk, body="y" * 21, base_revision=1)
    sent.refresh_from_db()
    assert sent.revision == 1


def test_an_unknown_message_is_not_found(alice, room):
    with pytest.raises(NotFound):
        actions.edit_message(user=alice, message_id=999, body="x", base_revision=1)


def test_a_socket_only_edits_messages_of_its_own_room(alice, sent, other_room):
    with pytest.raises(NotFound):
        actions.edit_message(
            user=alice, message_id=sent.pk, body="x", base_revision=1, room=other_room
        )


def test_the_event_of_an_edit_keeps_the_reactions(alice, bob, sent):
    actions.toggle_reaction(user=bob, message_id=sent.pk, emoji="🎉")
    change = actions.edit_message(user=alice, message_id=sent.pk, body="fixed", base_revision=1)
    assert change.payload["reactions"] == [{"emoji": "🎉", "count": 1, "users": ["Bob"]}]
    assert Message.objects.get().revision == 2
