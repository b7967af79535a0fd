from __future__ import annotations

import pytest

from core.errors import Invalid, NotFound
from livechat import actions
from livechat.models import Reaction, RoomEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(alice, room):
    return actions.send_message(user=alice, room=room, body="Thanks for the help").message


def test_toggling_adds_then_removes_the_users_reaction(bob, message):
    added = actions.toggle_reaction(user=bob, message_id=message.pk, emoji="👍")
    assert added.payload["reactions"] == [{"emoji": "👍", "count": 1, "users": ["Bob"]}]
    assert Reaction.objects.filter(user=bob, emoji="👍").exists()

    removed = actions.toggle_reaction(user=bob, message_id=message.pk, emoji="👍")
    assert removed.payload["reactions"] == []
    assert not Reaction.objects.exists()
    kinds = list(RoomEvent.objects.order_by("event_id").values_list("kind", flat=True))
    assert kinds == ["message.created", "reaction.changed", "reaction.changed"]


def test_counts_and_users_per_emoji_in_the_order_people_reacted(alice, bob, mentor, message):
    actions.toggle_reaction(user=bob, message_id=message.pk, emoji="👍")
    actions.toggle_reaction(user=mentor, message_id=message.pk, emoji="🎉")
    change = actions.toggle_reaction(user=alice, message_id=message.pk, emoji="👍")
    assert change.payload["reactions"] == [
        {"emoji": "👍", "count": 2, "users": ["Bob", "Alice"]},
        {"emoji": "🎉", "count": 1, "users": ["Mentor"]},
    ]
    change = actions.toggle_reaction(user=bob, message_id=message.pk, emoji="👍")
    assert change.payload["reactions"][0] == {"emoji": "👍", "count": 1, "users": ["Alice"]}


def test_shortcodes_are_stored_as_the_emoji(bob, message):
    change = actions.toggle_reaction(user=bob, message_id=message.pk, emoji=":thumbsup:")
    assert change.payload["reactions"][0]["emoji"] == "👍"


@pytest.mark.parametrize("emoji", ["", "not an emoji", "<b>", None, 5, ":nope:"])
def test_it_refuses_what_is_not_an_emoji(bob, message, emoji):
    with pytest.raises(Invalid, match="emoji"):
        actions.toggle_reaction(user=bob, message_id=message.pk, emoji=emoji)
    assert RoomEvent.objects.count() == 1


def test_an_unknown_message_is_not_found(bob, room):
    with pytest.raises(NotFound):
        actions.toggle_reaction(user=bob, message_id=12345, emoji="👍")


def test_the_summary_matches_the_rows(alice, bob, mentor, message):
    for user, emoji in [(bob, "👍"), (mentor, "👍"), (alice, "❤️"), (bob, "👍"), (bob, "❤️")]:
        actions.toggle_reaction(user=user, message_id=message.pk, emoji=emoji)
    message.refresh_from_db()
    from_rows: dict[str, list[str]] = {}
    for emoji, username in Reaction.objects.order_by("id").values_list("emoji", "user__username"):
        from_rows.setdefault(emoji, []).append(username)
    assert {e["emoji"]: e["users"] for e in message.reactions} == from_rows
