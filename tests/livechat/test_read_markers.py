from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from core.errors import Invalid, NotFound
from livechat import actions, selectors
from livechat.models import ReadMarker, RoomEvent


@pytest.mark.django_db
def test_the_marker_only_moves_forward(alice, bob, room):
    ids = [actions.send_message(user=bob, room=room, body=str(i)).message.pk for i in range(3)]
    assert actions.mark_read(user=alice, room=room, message_id=ids[1]) == ids[1]
    assert actions.mark_read(user=alice, room=room, message_id=ids[0]) == ids[1]
    assert ReadMarker.objects.get(user=alice, room=room).last_read_message_id == ids[1]
    assert selectors.unread_counts(user=alice, rooms=[room]) == {room.pk: 1}
    assert RoomEvent.objects.count() == 3, "personal state stays out of the room's log"


@pytest.mark.django_db
def test_it_refuses_a_message_of_another_room(alice, bob, room, other_room):
    elsewhere = actions.send_message(user=bob, room=other_room, body="x").message.pk
    with pytest.raises(NotFound):
        actions.mark_read(user=alice, room=room, message_id=elsewhere)
    with pytest.raises(Invalid):
        actions.mark_read(user=alice, room=room, message_id="7")


@pytest.mark.django_db
def test_unread_counts_stop_at_the_cap(alice, bob, room):
    for i in range(5):
        actions.send_message(user=bob, room=room, body=str(i))
    assert selectors.unread_counts(user=alice, rooms=[room], cap=3) == {room.pk: 3}


@pytest.mark.django_db(transaction=True)
async def test_the_read_frame_moves_the_marker(connect, alice, bob, room):
    change = await database_sync_to_async(actions.send_message)(user=bob, room=room, body="hi")
    socket = await connect(alice)
    await socket.send({"type": "read", "message_id": change.message.pk})
    await socket.send({"type": "read", "message_id": 999999})
    error = await socket.recv_type("error")
    assert (error["code"], error["message_id"]) == ("not_found", 999999)
    marker = await database_sync_to_async(ReadMarker.objects.get)(user=alice, room=room)
    assert marker.last_read_message_id == change.message.pk
