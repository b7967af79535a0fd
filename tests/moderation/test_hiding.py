"""Hiding and unhiding messages: moderators only, live, and the text stays hidden on every
read path for everyone else."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from core.errors import Conflict, Forbidden, Invalid
from livechat import actions, selectors
from moderation import actions as moderation
from moderation.models import ModerationLog
from tests.conftest import fresh, json_client


@pytest.fixture
def rude(bob, room):
    message = actions.send_message(user=bob, room=room, body="something rude").message
    actions.edit_message(user=bob, message_id=message.pk, body="something ruder", base_revision=1)
    return message


@pytest.mark.django_db
def test_a_moderator_hides_with_a_reason_and_it_is_logged(moderator, rude):
    change = moderation.hide_message(
        moderator=fresh(moderator), message_id=rude.pk, reason="Personal attack"
    )
    assert change.payload["hidden"] is True
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.reason, entry.message_id, entry.target_user.username) == (
        "hide",
        "Personal attack",
        rude.pk,
        "Bob",
    )
    moderation.hide_message(
        moderator=fresh(moderator), message_id=rude.pk, reason="Misread", hidden=False
    )
    assert list(ModerationLog.objects.values_list("action", flat=True)) == ["unhide", "hide"]


@pytest.mark.django_db
def test_only_moderators_hide(alice, mentor, rude):
    for user in (alice, mentor):
        with pytest.raises(Forbidden):
            moderation.hide_message(moderator=fresh(user), message_id=rude.pk, reason="no")
    assert not ModerationLog.objects.exists()


@pytest.mark.django_db
def test_hiding_twice_is_a_conflict_and_a_reason_is_required(moderator, rude):
    with pytest.raises(Invalid, match="reason"):
        moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason=" ")
    moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason="x")
    with pytest.raises(Conflict, match="already hidden"):
        moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason="x")


@pytest.mark.django_db
def test_hidden_text_and_revisions_are_for_moderators_only(alice, bob, moderator, room, rude):
    moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason="x")

    page = selectors.history_page(room=room, viewer=fresh(alice))
    assert page.messages[0] | {"body": "", "html": ""} == page.messages[0]
    assert page.messages[0]["hidden"] is True
    assert page.messages[0]["author"]["username"] == "Bob"
    assert selectors.revisions(message_id=rude.pk, viewer=fresh(alice)) == []
    assert selectors.revisions(message_id=rude.pk, viewer=fresh(bob)) == [], "not even the author"

    mod_page = selectors.history_page(room=room, viewer=fresh(moderator))
    assert mod_page.messages[0]["body"] == "something ruder"
    assert len(selectors.revisions(message_id=rude.pk, viewer=fresh(moderator))) == 2


@pytest.mark.django_db
def test_replaying_older_events_of_a_hidden_message_shows_no_text(alice, moderator, room, rude):
    moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason="x")
    page = selectors.events_page(room=room, viewer=fresh(alice), after=0)
    assert [e["kind"] for e in page.events] == [
        "message.created",
        "message.edited",
        "message.hidden",
    ]
    assert all(e["message"]["body"] == "" and e["message"]["html"] == "" for e in page.events)
    mod_page = selectors.events_page(room=room, viewer=fresh(moderator), after=0)
    assert mod_page.events[0]["message"]["body"] == "something rude"


@pytest.mark.django_db
def test_a_hidden_message_can_no_longer_be_edited_or_reacted_to(alice, bob, moderator, rude):
    moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason="x")
    with pytest.raises(Forbidden, match="hidden"):
        actions.edit_message(user=bob, message_id=rude.pk, body="sorry", base_revision=2)
    with pytest.raises(Forbidden, match="hidden"):
        actions.toggle_reaction(user=alice, message_id=rude.pk, emoji="👍")


@pytest.mark.django_db
def test_hide_and_unhide_over_the_json_api(alice, moderator, room, rude):
    def post(user, url, data):
        return json_client(user).post(url, data)

    refused = post(alice, f"/api/messages/{rude.pk}/hide/", {"reason": "x"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    hidden = post(moderator, f"/api/messages/{rude.pk}/hide/", {"reason": "Insult"})
    assert hidden.status_code == 200
    assert hidden.json()["hidden"] is True
    assert hidden.json()["body"] == "something ruder", "moderators see what they hid"
    shown = post(moderator, f"/api/messages/{rude.pk}/unhide/", {"reason": "Misread"})
    assert shown.json()["hidden"] is False


@pytest.mark.django_db(transaction=True)
async def test_hiding_goes_out_live_redacted_for_all_but_moderators(
    connect, alice, bob, moderator, room
):
    a = await connect(alice)
    m = await connect(moderator)
    change = await database_sync_to_async(actions.send_message)(user=bob, room=room, body="rude")
    await a.recv_type("event")
    await m.recv_type("event")

    await m.send({"type": "message.hide", "message_id": change.message.pk, "reason": "Insult"})
    public = await a.recv_type("event")
    private = await m.recv_type("event")
    assert public["kind"] == private["kind"] == "message.hidden"
    assert public["event_id"] == private["event_id"] == 2
    assert (public["message"]["body"], public["message"]["html"]) == ("", "")
    assert public["message"]["hidden"] is True
    assert private["message"]["body"] == "rude"

    await a.send({"type": "message.hide", "message_id": change.message.pk, "reason": "me too"})
    assert (await a.recv_type("error"))["code"] == "forbidden"

    await m.send({"type": "message.unhide", "message_id": change.message.pk, "reason": "ok"})
    shown = await a.recv_type("event")
    assert (shown["kind"], shown["message"]["body"]) == ("message.unhidden", "rude")
