from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.errors import Resync
from livechat import actions, selectors
from livechat.models import Message, RoomEvent

pytestmark = pytest.mark.django_db


def test_old_events_are_deleted_and_catch_up_from_before_them_resyncs(alice, room, capsys):
    for i in range(4):
        actions.send_message(user=alice, room=room, body=str(i))
    RoomEvent.objects.filter(event_id__lte=3).update(created_at=timezone.now() - timedelta(days=40))

    call_command("prune_events", "--days", "30")

    assert "Deleted 3 events" in capsys.readouterr().out
    assert list(RoomEvent.objects.values_list("event_id", flat=True)) == [4]
    assert Message.objects.count() == 4, "history is untouched"
    room.refresh_from_db()
    assert room.pruned_through_event_id == 3
    with pytest.raises(Resync):
        selectors.events_after(room=room, after=2, limit=10)
    events, _ = selectors.events_after(room=room, after=3, limit=10)
    assert [e.event_id for e in events] == [4]


def test_it_keeps_recent_events(alice, room):
    actions.send_message(user=alice, room=room, body="fresh")
    assert actions.prune_events(before=timezone.now() - timedelta(days=1)) == 0
    room.refresh_from_db()
    assert room.pruned_through_event_id == 0
