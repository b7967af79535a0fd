"""Abuse filters at work: each action, throttling, warn-then-resend, broken or slow rules,
the emergency brake, and trying a rule against history. On the socket and JSON paths too."""

from __future__ import annotations

import logging

import pytest
from channels.db import database_sync_to_async

from core.errors import Invalid
from livechat import actions
from livechat.models import Message, RoomEvent
from moderation import filters
from moderation.errors import Blocked, Filtered
from moderation.models import AbuseFilter, AbuseFilterVersion, AbuseLog, Block, ModerationLog
from tests.conftest import fresh, json_client


@pytest.fixture(autouse=True)
def _no_emergency_brake(settings):
    # Filters in these tests match most messages on purpose; the brake has its own test.
    settings.LIVECHAT_FILTER_EMERGENCY_COUNT = 10_000


@pytest.fixture
def make_filter(moderator):
    def make(rule: str, actions_: list[str], **options) -> AbuseFilter:
        return filters.save_filter(
            moderator=fresh(moderator),
            abuse_filter=None,
            name=options.pop("name", "Cheap pills"),
            description=options.pop("description", "Advertising is not allowed here."),
            rule=rule,
            actions=actions_,
            **options,
        )

    return make


SPAM = 'text irlike "buy\\\\s+cheap"'


def send(user, room, body="buy   CHEAP pills now", **kw):
    return actions.send_message(user=user, room=room, body=body, **kw)


@pytest.mark.django_db
def test_log_only_lets_the_message_through_and_logs_what_the_filter_saw(alice, room, make_filter):
    abuse_filter = make_filter(SPAM, [])
    assert send(alice, room).created
    entry = AbuseLog.objects.get()
    assert (entry.filter, entry.user, entry.room, entry.action) == (
        abuse_filter,
        alice,
        room,
        "send",
    )
    assert entry.variables["text"] == "buy   CHEAP pills now"
    assert entry.outcome == ["log"]
    assert send(alice, room, body="hello").created
    assert AbuseLog.objects.count() == 1, "no match, no log"


@pytest.mark.django_db
def test_tag_flags_the_message_for_review(alice, room, make_filter):
    make_filter(SPAM, ["tag"])
    message = send(alice, room).message
    message.refresh_from_db()
    assert message.review_tags == ["filter:Cheap pills"]
    assert AbuseLog.objects.get().outcome == ["log", "tag"]


@pytest.mark.django_db
def test_disallow_refuses_with_the_public_description_and_writes_nothing(alice, room, make_filter):
    make_filter(SPAM, ["disallow"])
    with pytest.raises(Filtered, match="Advertising is not allowed here"):
        send(alice, room)
    assert not Message.objects.exists()
    assert not RoomEvent.objects.exists()
    assert AbuseLog.objects.get().outcome == ["log", "disallow"]


@pytest.mark.django_db
def test_warn_refuses_once_and_the_same_text_again_goes_through(alice, room, make_filter):
    make_filter(SPAM, ["warn"], warn_message="This looks like advertising.")
    with pytest.raises(Filtered, match="This looks like advertising") as warned:
        send(alice, room)
    assert warned.value.extra["warning"] is True
    with pytest.raises(Filtered):
        send(alice, room, body="buy cheap watches")  # different text: warned again
    assert send(alice, room, body="buy cheap watches").created
    outcomes = list(AbuseLog.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [["log", "warn"], ["log", "warn"], ["log", "warned-then-accepted"]]


@pytest.mark.django_db
def test_block_blocks_the_author_for_the_set_duration(alice, room, make_filter):
    make_filter(SPAM, ["block"], block_duration=3600)
    with pytest.raises(Blocked):
        send(alice, room)
    block = Block.objects.get(user=alice)
    assert block.created_by is None
    assert "Advertising" in block.reason
    assert 3500 < (block.expires_at - block.created_at).total_seconds() <= 3600
    with pytest.raises(Blocked):
        send(alice, room, body="hello?")
    assert ModerationLog.objects.filter(action="block", details__by_filter="Cheap pills").exists()


@pytest.mark.django_db
def test_throttle_applies_the_actions_only_past_n_matches(alice, bob, room, make_filter):
    make_filter(SPAM, ["disallow"], throttle_count=2, throttle_period=60)
    send(alice, room)
    send(alice, room)
    with pytest.raises(Filtered):
        send(alice, room)
    assert send(bob, room).created, "the count is per user"
    outcomes = list(AbuseLog.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [
        ["log", "throttled"],
        ["log", "throttled"],
        ["log", "disallow"],
        ["log", "throttled"],
    ]


@pytest.mark.django_db
def test_the_strongest_refusal_answers_and_every_match_is_logged(alice, room, make_filter):
    make_filter(SPAM, ["warn"], name="warner")
    make_filter('text contains "pills"', ["disallow"], name="disallower", description="No pills.")
    with pytest.raises(Filtered, match="No pills"):
        send(alice, room)
    assert AbuseLog.objects.count() == 2


@pytest.mark.django_db
def test_edits_are_filtered_with_old_text(alice, room, make_filter):
    message = send(alice, room, body="hello").message
    make_filter('action == "edit" & !(old_text contains "buy") & text contains "buy"', ["disallow"])
    with pytest.raises(Filtered):
        actions.edit_message(user=alice, message_id=message.pk, body="buy now", base_revision=1)
    message.refresh_from_db()
    assert message.body == "hello"
    assert AbuseLog.objects.get().variables["old_text"] == "hello"


@pytest.mark.django_db
def test_a_catastrophic_regex_finishes_within_its_bound_and_is_skipped_and_logged(
    alice, room, make_filter, caplog, settings
):
    import faulthandler

    settings.LIVECHAT_FILTER_REGEX_TIMEOUT = 0.05
    make_filter('text rlike "(a+)+$"', ["disallow"], name="nested")
    # Exponential for a backtracking engine; RE2 is linear and well within the bound, so
    # the filter runs: no match, nothing logged, nothing skipped.
    faulthandler.dump_traceback_later(20, exit=True)  # a hang fails the run, never stalls it
    try:
        with caplog.at_level(logging.WARNING, logger="moderation.filters"):
            assert send(alice, room, body="a" * 3999 + "!").created
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert "skipped" not in caplog.text
    assert not AbuseLog.objects.exists()

    # A match that runs past its bound (every match does, past a zero bound) skips the
    # filter: this text matches, yet goes through, and the log says which filter and why.
    settings.LIVECHAT_FILTER_REGEX_TIMEOUT = 0
    with caplog.at_level(logging.WARNING, logger="moderation.filters"):
        assert send(alice, room, body="a" * 4000).created, "skipped, not applied"
    assert not AbuseLog.objects.exists()
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 1
    assert "'nested'" in skipped[0] and "over its limit" in skipped[0]


@pytest.mark.django_db
def test_a_rule_over_its_condition_budget_is_skipped_and_logged(
    alice, room, make_filter, caplog, settings
):
    settings.LIVECHAT_FILTER_CONDITION_BUDGET = 3
    make_filter(
        " & ".join([*(f"length(text) > {n}" for n in range(1, 5)), 'text contains "buy"']),
        ["disallow"],
    )
    with caplog.at_level(logging.WARNING, logger="moderation.filters"):
        assert send(alice, room).created, "skipped, not applied"
    assert not AbuseLog.objects.exists()
    assert "abuse filter 'Cheap pills' skipped" in caplog.text


@pytest.mark.django_db
def test_a_rule_that_does_not_parse_is_refused_with_its_position(make_filter):
    with pytest.raises(Invalid, match=r"[Ll]ine 1, column \d+"):
        make_filter('text contains ("buy"', ["disallow"])
    assert not AbuseFilter.objects.exists()
    errors = filters.syntax_errors('text contains "x" &\n  (user_age < )')
    assert len(errors) == 1 and "line 2" in errors[0].lower()


@pytest.mark.django_db
def test_every_save_keeps_a_version_and_is_logged(moderator, make_filter):
    abuse_filter = make_filter(SPAM, ["tag"])
    filters.save_filter(
        moderator=fresh(moderator), abuse_filter=abuse_filter, rule=SPAM + ' | text contains "$$$"'
    )
    versions = list(AbuseFilterVersion.objects.filter(filter=abuse_filter).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].rule == SPAM
    assert "$$$" in versions[1].rule
    assert list(ModerationLog.objects.order_by("id").values_list("action", flat=True)) == [
        "filter_create",
        "filter_change",
    ]


@pytest.mark.django_db
def test_the_emergency_brake_suspends_refusing_actions_of_a_filter_that_matches_too_much(
    alice, bob, room, make_filter, settings
):
    settings.LIVECHAT_FILTER_EMERGENCY_COUNT = 3
    settings.LIVECHAT_FILTER_EMERGENCY_THRESHOLD = 0.5
    abuse_filter = make_filter("length(text) > 0", ["disallow"], name="oops")
    refused = 0
    for i in range(6):
        try:
            send(alice if i % 2 else bob, room, body=f"ordinary message {i}")
        except Filtered:
            refused += 1
    assert refused == 2, "the third match trips the brake"
    abuse_filter.refresh_from_db()
    assert abuse_filter.suspended and abuse_filter.needs_attention
    assert "Matched 3" in abuse_filter.suspension_note
    assert ModerationLog.objects.filter(action="filter_suspend").exists()
    outcomes = AbuseLog.objects.values_list("outcome", flat=True)
    assert sum("suspended" in outcome for outcome in outcomes) == 4


@pytest.mark.django_db
def test_trying_a_rule_against_recent_messages_shows_which_match(alice, room):
    for body in ["hello", "buy cheap pills", "how do I cite?", "BUY  cheap watches"]:
        send(alice, room, body=body)
    results = filters.try_rule(SPAM, limit=3)
    assert [(r.message.body, r.matched) for r in results] == [
        ("BUY  cheap watches", True),
        ("how do I cite?", False),
        ("buy cheap pills", True),
    ]
    assert not AbuseLog.objects.exists(), "a trial logs and does nothing"
    with pytest.raises(Invalid):
        filters.try_rule(SPAM, limit=1001)


@pytest.mark.django_db
def test_filters_refuse_on_the_json_path(alice, room, make_filter):
    make_filter(SPAM, ["disallow"])
    response = json_client(alice).post(
        "/api/rooms/help-desk/messages/", {"body": "buy cheap pills"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "filtered"


@pytest.mark.django_db(transaction=True)
async def test_filters_refuse_on_the_socket_path(connect, alice, moderator, room, make_filter):
    await database_sync_to_async(make_filter)(SPAM, ["disallow"])
    a = await connect(alice)
    await a.send({"type": "message.send", "body": "buy cheap pills", "client_id": "s1"})
    error = await a.recv_type("error")
    assert (error["code"], error["client_id"]) == ("filtered", "s1")
    assert "Advertising" in error["detail"]


@pytest.mark.django_db
def test_a_trial_sees_each_message_as_it_was_when_sent(alice, room, django_assert_max_num_queries):
    for body in ["one", "two", "three"]:
        send(alice, room, body=body)
    with django_assert_max_num_queries(1):
        results = filters.try_rule("user_message_count >= 1", limit=3)
    assert [(r.message.body, r.matched) for r in results] == [
        ("three", True),
        ("two", True),
        ("one", False),
    ]


@pytest.mark.django_db
def test_invalid_filter_fields_are_a_named_error(make_filter):
    with pytest.raises(Invalid, match="name: Ensure this value has at most 120 characters"):
        make_filter(SPAM, [], name="x" * 200)
