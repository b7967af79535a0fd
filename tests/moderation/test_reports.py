from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from core.errors import Conflict, Forbidden, Invalid, NotFound
from livechat import actions
from moderation import actions as moderation
from moderation.models import ModerationLog, Report
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
