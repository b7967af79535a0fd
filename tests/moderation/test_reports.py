from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from core.errors import Conflict, Forbidden, Invalid, NotFound
from livechat import actions
from moderation import actions as moderation
from moderation.models import Block, ModerationLog, Report
from tests.conftest import fresh


@pytest.fixture
def message(bob, room):
    return actions.send_message(user=bob, room=room, body="buy cheap pills").message


@pytest.mark.django_db
def test_anyone_can_report_once_while_the_report_is_open(alice, moderator, message):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")
    assert (report.status, report.reason) == ("open", "Spam")
    with pytest.raises(Conflict, match="already reported"):
        moderation.report_message(user=alice, message_id=message.pk, reason="Spam!")

    moderation.resolve_report(
        moderator=fresh(moderator), report=report, outcome="hidden", note="Hid it"
    )
    report.refresh_from_db()
    assert (report.status, report.outcome, report.resolved_by) == ("resolved", "hidden", moderator)
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.details["outcome"]) == ("report_resolve", "hidden")
    # Resolved: the same person may report it again if it comes back.
    assert moderation.report_message(user=alice, message_id=message.pk, reason="Again")


@pytest.mark.django_db
def test_reports_need_a_reason_and_a_real_message(alice, message):
    with pytest.raises(Invalid, match="reason"):
        moderation.report_message(user=alice, message_id=message.pk, reason="")
    with pytest.raises(NotFound):
        moderation.report_message(user=alice, message_id=999999, reason="x")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_only_moderators_resolve_and_only_once(alice, moderator, message):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")
    with pytest.raises(Forbidden):
        moderation.resolve_report(moderator=fresh(alice), report=report, outcome="no_action")
    with pytest.raises(Invalid, match="Unknown outcome"):
        moderation.resolve_report(moderator=fresh(moderator), report=report, outcome="banish")
    moderation.resolve_report(moderator=fresh(moderator), report=report, outcome="no_action")
    with pytest.raises(Conflict):
        moderation.resolve_report(moderator=fresh(moderator), report=report, outcome="no_action")


@pytest.mark.django_db(transaction=True)
async def test_reporting_over_the_socket(connect, alice, bob, room):
    change = await database_sync_to_async(actions.send_message)(user=bob, room=room, body="spam")
    a = await connect(alice)
    await a.send({"type": "message.report", "message_id": change.message.pk, "reason": "Spam"})
    assert await a.recv_type("reported") == {"type": "reported", "message_id": change.message.pk}
    await a.send({"type": "message.report", "message_id": change.message.pk, "reason": "Spam"})
    assert (await a.recv_type("error"))["code"] == "conflict"
    assert await database_sync_to_async(Report.objects.count)() == 1


# --- hiding or blocking from a report: both or neither -------------------------------------


@pytest.mark.django_db
def test_hide_and_resolve_hides_and_resolves_together(alice, moderator, message):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")
    resolved = moderation.hide_and_resolve(moderator=fresh(moderator), report=report, note="Ad")
    message.refresh_from_db()
    assert (message.hidden, resolved.status, resolved.outcome, resolved.resolution_note) == (
        True,
        "resolved",
        "hidden",
        "Ad",
    )
    hide = ModerationLog.objects.get(action="hide")
    assert (hide.reason, hide.message_id) == ("Ad", message.pk)


@pytest.mark.django_db
def test_hide_and_resolve_leaves_the_message_visible_when_resolving_fails(
    alice, moderator, message, monkeypatch
):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")

    def refuse(**kwargs):
        raise Conflict("Someone else was quicker.")

    monkeypatch.setattr(moderation, "resolve_report", refuse)
    with pytest.raises(Conflict):
        moderation.hide_and_resolve(moderator=fresh(moderator), report=report, note="Ad")
    message.refresh_from_db()
    report.refresh_from_db()
    assert (message.hidden, report.status) == (False, "open")
    assert not ModerationLog.objects.exists()


@pytest.mark.django_db
def test_block_and_resolve_blocks_the_author_and_resolves(alice, bob, moderator, message, room):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")
    block, resolved = moderation.block_and_resolve(
        moderator=fresh(moderator), report=report, reason="Spammer", rooms=[room]
    )
    assert (block.user, block.scope, block.reason) == (bob, "rooms", "Spammer")
    assert (resolved.outcome, resolved.resolution_note) == ("blocked", "Spammer")


@pytest.mark.django_db
def test_block_and_resolve_places_no_block_when_resolving_fails(
    alice, moderator, message, monkeypatch
):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")
    monkeypatch.setattr(
        moderation, "resolve_report", lambda **kwargs: (_ for _ in ()).throw(Conflict("late"))
    )
    with pytest.raises(Conflict):
        moderation.block_and_resolve(moderator=fresh(moderator), report=report, reason="x")
    assert not Block.objects.exists() and not ModerationLog.objects.exists()


@pytest.mark.django_db
def test_neither_acts_on_a_resolved_report_nor_for_non_moderators(
    alice, mentor, moderator, message
):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")
    for user in (alice, mentor):
        with pytest.raises(Forbidden):
            moderation.hide_and_resolve(moderator=fresh(user), report=report, note="x")
        with pytest.raises(Forbidden):
            moderation.block_and_resolve(moderator=fresh(user), report=report, reason="x")
    moderation.resolve_report(moderator=fresh(moderator), report=report, outcome="no_action")
    with pytest.raises(Conflict, match="already resolved"):
        moderation.hide_and_resolve(moderator=fresh(moderator), report=report, note="x")
    with pytest.raises(Conflict, match="already resolved"):
        moderation.block_and_resolve(moderator=fresh(moderator), report=report, reason="x")
    message.refresh_from_db()
    assert not message.hidden and not Block.objects.exists()
    assert list(ModerationLog.objects.values_list("action", flat=True)) == ["report_resolve"]


@pytest.mark.django_db
def test_actions_take_a_report_id_as_a_client_sends_it(alice, moderator, message):
    report = moderation.report_message(user=alice, message_id=message.pk, reason="Spam")
    with pytest.raises(NotFound):
        moderation.resolve_report(moderator=fresh(moderator), report=999999, outcome="no_action")
    with pytest.raises(Invalid, match="report_id"):
        moderation.resolve_report(moderator=fresh(moderator), report="7", outcome="no_action")
    resolved = moderation.resolve_report(
        moderator=fresh(moderator), report=report.pk, outcome="no_action"
    )
    assert resolved.status == "resolved"
