"""Mentions, replies and thanks notify people, live on every tab; the bell API."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from core.errors import Conflict, Forbidden, Invalid
from livechat import actions
from livechat.models import Notification, RoomEvent, Thanks
from moderation import actions as moderation
from tests.conftest import fresh, json_client


def kinds_for(user) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("id")
        .values_list("kind", "actor__username")
    )


@pytest.mark.django_db
def test_a_mention_notifies_the_mentioned_once_and_never_the_author(alice, bob, mentor, room):
    actions.send_message(user=alice, room=room, body="@Bob @bob @Mentor and @Alice, look")
    assert kinds_for(bob) == [("mention", "Alice")]
    assert kinds_for(mentor) == [("mention", "Alice")]
    assert kinds_for(alice) == []


@pytest.mark.django_db
def test_a_reply_notifies_the_author_of_the_message_replied_to(alice, bob, room):
    question = actions.send_message(user=alice, room=room, body="How do I cite?").message
    actions.send_message(user=bob, room=room, body="With <ref> @Alice", reply_to=question.pk)
    assert kinds_for(alice) == [("reply", "Bob")], "one notification, the reply"


@pytest.mark.django_db
def test_an_edit_notifies_only_the_newly_mentioned(alice, bob, mentor, room):
    message = actions.send_message(user=alice, room=room, body="@Bob hi").message
    actions.edit_message(
        user=alice, message_id=message.pk, body="@Bob and @Mentor hi", base_revision=1
    )
    assert kinds_for(bob) == [("mention", "Alice")]
    assert kinds_for(mentor) == [("mention", "Alice")]


@pytest.mark.django_db
def test_thanks_once_per_person_and_message_notifies_the_author(alice, bob, room):
    message = actions.send_message(user=alice, room=room, body="Here is how").message
    actions.thank(user=bob, message_id=message.pk)
    with pytest.raises(Conflict, match="already thanked"):
        actions.thank(user=bob, message_id=message.pk)
    with pytest.raises(Invalid, match="yourself"):
        actions.thank(user=alice, message_id=message.pk)
    assert kinds_for(alice) == [("thanks", "Bob")]
    assert Thanks.objects.count() == 1
    assert RoomEvent.objects.count() == 1, "thanks are personal, not in the room log"


@pytest.mark.django_db
def test_blocked_users_cannot_thank(alice, bob, moderator, room):
    message = actions.send_message(user=alice, room=room, body="x").message
    moderation.place_block(moderator=fresh(moderator), user=bob, reason="Spam")
    from moderation.errors import Blocked

    with pytest.raises(Blocked):
        actions.thank(user=bob, message_id=message.pk)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_hidden_message_cannot_be_thanked(alice, bob, moderator, room):
    message = actions.send_message(user=alice, room=room, body="x").message
    moderation.hide_message(moderator=fresh(moderator), message_id=message.pk, reason="r")
    with pytest.raises(Forbidden):
        actions.thank(user=bob, message_id=message.pk)


@pytest.mark.django_db
def test_the_bell_lists_newest_first_and_marks_read(alice, bob, room):
    for i in range(3):
        actions.send_message(user=alice, room=room, body=f"@Bob number {i}")
    client = json_client(bob)
    page = client.get("/api/notifications/?limit=2").json()
    assert page["unread_count"] == 3
    assert page["has_more"] is True
    first = page["notifications"][0]
    assert first["kind"] == "mention"
    assert first["actor"]["username"] == "Alice"
    assert (first["room"], first["room_name"]) == ("help-desk", "Help desk")
    assert first["excerpt"] == "@Bob number 2"
    assert first["read"] is False

    assert client.post("/api/notifications/read/", {"ids": [first["id"]]}).json() == {"marked": 1}
    assert client.get("/api/notifications/").json()["unread_count"] == 2
    assert client.post("/api/notifications/read/", {"all": True}).json() == {"marked": 2}
    assert client.get("/api/notifications/").json()["unread_count"] == 0
    bad = client.post("/api/notifications/read/", {"ids": "all"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_nobody_marks_someone_elses_notifications(alice, bob, room):
    actions.send_message(user=alice, room=room, body="@Bob hi")
    theirs = Notification.objects.get()
    assert json_client(alice).post("/api/notifications/read/", {"ids": [theirs.pk]}).json() == {
        "marked": 0
    }


@pytest.mark.django_db
def test_thanks_over_http(alice, bob, room):
    message = actions.send_message(user=alice, room=room, body="x").message
    client = json_client(bob)
    assert client.post(f"/api/messages/{message.pk}/thanks/", {}).status_code == 201
    assert client.post(f"/api/messages/{message.pk}/thanks/", {}).status_code == 409
    history = client.get("/api/rooms/help-desk/messages/").json()
    assert history["thanked"] == [message.pk], "the page knows what you already thanked"


@pytest.mark.django_db(transaction=True)
async def test_notifications_reach_every_tab_of_the_recipient_live(
    connect, alice, bob, room, other_room
):
    tab_one = await connect(bob)
    tab_two = await connect(bob, slug="lounge")  # another room: still their tab
    a = await connect(alice)
    await a.send({"type": "message.send", "body": "@Bob can you help?"})
    for tab in (tab_one, tab_two):
        frame = await tab.recv_type("notification")
        assert frame["notification"]["kind"] == "mention"
        assert frame["notification"]["actor"]["username"] == "Alice"
    assert await a.nothing(ignore=("presence", "event", "ack"))


@pytest.mark.django_db(transaction=True)
async def test_thanks_and_read_markers_over_the_socket(connect, alice, bob, room):
    change = await database_sync_to_async(actions.send_message)(user=alice, room=room, body="x")
    a = await connect(alice)
    b = await connect(bob)
    b_other_tab = await connect(bob)
    await b.send({"type": "thanks", "message_id": change.message.pk})
    assert await b.recv_type("thanked") == {"type": "thanked", "message_id": change.message.pk}
    assert (await a.recv_type("notification"))["notification"]["kind"] == "thanks"

    await b.send({"type": "read", "message_id": change.message.pk})
    frame = await b_other_tab.recv_type("read")
    assert frame == {"type": "read", "room": "help-desk", "message_id": change.message.pk}
