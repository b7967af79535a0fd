"""The moderators' JSON API: the report queue, resolving, hiding and blocking from a
report, placing and lifting blocks, the block list. Every write is the same action the
admin and the chat call; refusals write nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from livechat import actions
from livechat.models import Message, RoomEvent
from moderation import actions as moderation
from moderation.models import Block, ModerationLog, Report
from tests.conftest import HOST, JsonClient, fresh

pytestmark = pytest.mark.django_db


def error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body.get("field")


def written() -> tuple[int, ...]:
    """Everything a moderation write could leave behind."""
    return (
        Block.objects.count(),
        Block.objects.filter(lifted_at__isnull=False).count(),
        Report.objects.filter(status="resolved").count(),
        Message.objects.filter(hidden=True).count(),
        ModerationLog.objects.count(),
        RoomEvent.objects.count(),
    )


@pytest.fixture
def mod(moderator, room) -> JsonClient:
    return JsonClient(moderator)


@pytest.fixture
def rude(bob, room) -> Message:
    return actions.send_message(user=bob, room=room, body="you are all idiots").message


@pytest.fixture
def report(alice, rude) -> Report:
    return moderation.report_message(user=alice, message_id=rude.pk, reason="Insult")


# --- the queue ----------------------------------------------------------------------------


def test_it_lists_open_reports_oldest_first_with_the_whole_message(mod, moderator, bob, room):
    first = actions.send_message(user=bob, room=room, body="spam one").message
    second = actions.send_message(user=bob, room=room, body="spam two").message
    older = moderation.report_message(user=fresh(bob), message_id=first.pk, reason="a")
    newer = moderation.report_message(user=fresh(bob), message_id=second.pk, reason="b")
    moderation.hide_message(moderator=fresh(moderator), message_id=second.pk, reason="x")

    answer = mod.get("/api/reports/").json()
    assert [r["id"] for r in answer["reports"]] == [older.pk, newer.pk]
    assert answer["has_more"] is False
    listed = answer["reports"][1]
    assert (listed["status"], listed["outcome"], listed["reason"]) == ("open", None, "b")
    assert listed["reporter"] == {"id": bob.pk, "username": "Bob", "roles": []}
    assert listed["message"]["hidden"] is True
    assert listed["message"]["body"] == "spam two", "moderators read what was hidden"


def test_the_queue_filters_by_status_and_pages_by_id(mod, moderator, bob, room):
    made = []
    for n in range(5):
        message = actions.send_message(user=bob, room=room, body=f"spam {n}").message
        made.append(moderation.report_message(user=fresh(bob), message_id=message.pk, reason="x"))
    moderation.resolve_report(moderator=fresh(moderator), report=made[0], outcome="no_action")

    def ids(query: str) -> tuple[list[int], bool]:
        answer = mod.get(f"/api/reports/?{query}").json()
        return [r["id"] for r in answer["reports"]], answer["has_more"]

    open_ids = [r.pk for r in made[1:]]
    assert ids("status=open") == (open_ids, False)
    assert ids("status=resolved") == ([made[0].pk], False)
    assert ids("status=all") == ([r.pk for r in made], False)
    assert ids("limit=2") == (open_ids[:2], True)
    assert ids(f"limit=2&after={open_ids[1]}") == (open_ids[2:], False)


def test_a_page_costs_the_same_whatever_its_length(
    mod, moderator, alice, bob, room, django_assert_max_num_queries
):
    def add(n: int) -> None:
        message = actions.send_message(user=bob, room=room, body=f"spam {n}").message
        moderation.report_message(user=fresh(bob), message_id=message.pk, reason="x")
        moderation.place_block(moderator=fresh(moderator), user=alice, reason="x", rooms=[room])

    for size in (1, 8):
        while Report.objects.count() < size:
            add(Report.objects.count())
        # The session, the signed-in user, the page, everyone's roles at once.
        with django_assert_max_num_queries(4):
            assert len(mod.get("/api/reports/").json()["reports"]) == size
        # The same, and the blocks' rooms.
        with django_assert_max_num_queries(5):
            assert len(mod.get("/api/blocks/").json()["blocks"]) == size


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=closed", "status"),
        ("after=x", "after"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
    ],
)
def test_bad_queue_queries_name_the_field(mod, query, field):
    assert error(mod.get(f"/api/reports/?{query}")) == (400, "invalid", field)


def test_only_moderators_read_the_queue(alice, mentor, report, room):
    for user in (alice, mentor):
        assert error(JsonClient(user).get("/api/reports/")) == (403, "forbidden", None)
    assert Client(HTTP_HOST=HOST).get("/api/reports/").status_code == 403


# --- resolving ----------------------------------------------------------------------------


def test_resolving_records_the_outcome_and_note(mod, moderator, report):
    response = mod.post(
        f"/api/reports/{report.pk}/resolve/", {"outcome": "no_action", "note": "Banter"}
    )
    assert response.status_code == 200
    answer = response.json()["report"]
    assert (answer["status"], answer["outcome"], answer["note"]) == (
        "resolved",
        "no_action",
        "Banter",
    )
    assert answer["resolved_by"]["username"] == "Mod"
    assert answer["resolved_at"].endswith("Z")
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.actor, entry.details["outcome"]) == (
        "report_resolve",
        moderator,
        "no_action",
    )
    again = mod.post(f"/api/reports/{report.pk}/resolve/", {"outcome": "no_action"})
    assert error(again) == (409, "conflict", None)


def test_a_bad_resolution_names_the_field_and_resolves_nothing(mod, report):
    url = f"/api/reports/{report.pk}/resolve/"
    assert error(mod.post(url, {"outcome": "banish"})) == (400, "invalid", "outcome")
    assert error(mod.post(url, {"outcome": ["hidden"]})) == (400, "invalid", "outcome")
    assert error(mod.post(url, {"outcome": "no_action", "note": 5})) == (400, "invalid", "note")
    assert error(mod.post(url, {"outcome": "no_action", "note": "x" * 1001})) == (
        400,
        "invalid",
        "note",
    )
    assert error(mod.post("/api/reports/999999/resolve/", {"outcome": "no_action"})) == (
        404,
        "not_found",
        None,
    )
    report.refresh_from_db()
    assert report.status == "open" and not ModerationLog.objects.exists()


# --- hide and resolve ---------------------------------------------------------------------


def test_hide_hides_the_message_and_resolves_the_report_together(
    mod, report, rude, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as published:
        response = mod.post(f"/api/reports/{report.pk}/hide/", {"note": "Personal attack"})
    assert response.status_code == 200
    answer = response.json()["report"]
    assert (answer["status"], answer["outcome"], answer["note"]) == (
        "resolved",
        "hidden",
        "Personal attack",
    )
    assert answer["message"]["hidden"] is True
    rude.refresh_from_db()
    assert rude.hidden is True
    assert RoomEvent.objects.order_by("-event_id").first().kind == "message.hidden"
    assert published, "the hide goes out to the room after commit"
    assert sorted(ModerationLog.objects.values_list("action", flat=True)) == [
        "hide",
        "report_resolve",
    ]


def test_hide_needs_a_note_and_then_does_neither(mod, report, rude):
    before = written()
    response = mod.post(f"/api/reports/{report.pk}/hide/", {"note": "  "})
    assert error(response) == (400, "invalid", "note")
    assert "Give a reason" in response.json()["error"]["detail"]
    assert written() == before


def test_hide_over_an_already_hidden_message_only_resolves(mod, moderator, report, rude):
    moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason="first")
    response = mod.post(f"/api/reports/{report.pk}/hide/", {})
    assert response.json()["report"]["outcome"] == "hidden"
    assert list(ModerationLog.objects.values_list("action", flat=True)) == [
        "report_resolve",
        "hide",
    ]


# --- block and resolve --------------------------------------------------------------------


def test_block_from_a_report_blocks_the_author_and_resolves(mod, moderator, bob, report, room):
    response = mod.post(
        f"/api/reports/{report.pk}/block/",
        {"reason": "Insults", "rooms": ["help-desk"], "duration_seconds": 3600},
    )
    assert response.status_code == 201
    answer = response.json()
    block = Block.objects.get()
    assert (block.user, block.scope, list(block.rooms.all()), block.created_by) == (
        bob,
        "rooms",
        [room],
        moderator,
    )
    assert timedelta(minutes=59) < block.expires_at - timezone.now() <= timedelta(hours=1)
    assert answer["block"] | {"expires_at": None, "created_at": None} == {
        "id": block.pk,
        "user": {"id": bob.pk, "username": "Bob", "roles": []},
        "scope": "rooms",
        "rooms": ["help-desk"],
        "reason": "Insults",
        "status": "active",
        "created_at": None,
        "created_by": {"id": moderator.pk, "username": "Mod", "roles": ["moderator"]},
        "expires_at": None,
        "lifted_at": None,
        "lifted_by": None,
        "lift_reason": "",
    }
    assert (answer["report"]["outcome"], answer["report"]["note"]) == ("blocked", "Insults")
    assert sorted(ModerationLog.objects.values_list("action", flat=True)) == [
        "block",
        "report_resolve",
    ]


def test_a_block_from_a_report_can_run_to_a_time_or_indefinitely(mod, alice, bob, rude):
    until = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    first = moderation.report_message(user=alice, message_id=rude.pk, reason="a")
    mod.post(
        f"/api/reports/{first.pk}/block/",
        {"reason": "x", "expires_at": until.isoformat().replace("+00:00", "Z")},
    )
    second = moderation.report_message(user=alice, message_id=rude.pk, reason="b")
    mod.post(f"/api/reports/{second.pk}/block/", {"reason": "y"})
    assert list(Block.objects.order_by("pk").values_list("scope", "expires_at")) == [
        ("site", until),
        ("site", None),
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"reason": ""}, 400, "reason"),
        ({"reason": "x", "rooms": "help-desk"}, 400, "rooms"),
        ({"reason": "x", "rooms": []}, 400, "rooms"),
        ({"reason": "x", "rooms": ["help-desk", "nowhere"]}, 404, "rooms"),
        ({"reason": "x", "duration_seconds": "1h"}, 400, "duration_seconds"),
        ({"reason": "x", "duration_seconds": 0}, 400, "duration_seconds"),
        ({"reason": "x", "duration_seconds": 10**12}, 400, "duration_seconds"),
        ({"reason": "x", "expires_at": "tomorrow"}, 400, "expires_at"),
        ({"reason": "x", "expires_at": "2000-01-01T00:00:00Z"}, 400, "expires_at"),
        (
            {"reason": "x", "duration_seconds": 60, "expires_at": "2100-01-01T00:00:00Z"},
            400,
            "expires_at",
        ),
    ],
)
def test_a_bad_block_names_the_field_and_writes_nothing(mod, report, body, status, field):
    before = written()
    response = mod.post(f"/api/reports/{report.pk}/block/", body)
    assert error(response)[::2] == (status, field), response.json()
    assert written() == before


def test_blocking_from_a_resolved_report_blocks_nobody(mod, moderator, report):
    moderation.resolve_report(moderator=fresh(moderator), report=report, outcome="no_action")
    before = written()
    response = mod.post(f"/api/reports/{report.pk}/block/", {"reason": "late"})
    assert error(response) == (409, "conflict", None)
    assert written() == before


# --- placing, lifting and listing blocks --------------------------------------------------


def test_a_block_is_placed_by_user_id_or_by_name(mod, moderator, alice, bob):
    by_id = mod.post("/api/blocks/", {"user_id": bob.pk, "reason": "Spam"})
    assert by_id.status_code == 201
    assert by_id.json()["block"]["user"]["username"] == "Bob"
    assert by_id.json()["block"]["expires_at"] is None, "indefinite unless told otherwise"
    by_name = mod.post(
        "/api/blocks/", {"username": " alice ", "reason": "Spam", "duration_seconds": 86400}
    )
    assert by_name.status_code == 201
    assert by_name.json()["block"]["user"]["id"] == alice.pk
    assert ModerationLog.objects.filter(action="block", actor=moderator).count() == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"reason": "x"}, 400, "user_id"),
        ({"user_id": "7", "reason": "x"}, 400, "user_id"),
        ({"user_id": 999999, "reason": "x"}, 404, "user_id"),
        ({"username": "Nobody", "reason": "x"}, 404, "username"),
        ({"username": "Bob"}, 400, "reason"),
    ],
)
def test_a_bad_block_request_names_the_field(mod, bob, body, status, field):
    assert error(mod.post("/api/blocks/", body))[::2] == (status, field)
    assert not Block.objects.exists() and not ModerationLog.objects.exists()


def test_lifting_needs_a_reason_and_happens_once(mod, moderator, bob):
    block = moderation.place_block(moderator=fresh(moderator), user=bob, reason="Spam")
    url = f"/api/blocks/{block.pk}/lift/"
    assert error(mod.post(url, {})) == (400, "invalid", "reason")
    response = mod.post(url, {"reason": "Apologised"})
    assert response.status_code == 200
    answer = response.json()["block"]
    assert (answer["status"], answer["lift_reason"], answer["lifted_by"]["username"]) == (
        "lifted",
        "Apologised",
        "Mod",
    )
    assert error(mod.post(url, {"reason": "again"})) == (409, "conflict", None)
    assert error(mod.post("/api/blocks/999999/lift/", {"reason": "x"})) == (404, "not_found", None)
    assert ModerationLog.objects.filter(action="unblock").count() == 1


def test_the_block_list_says_what_is_active_expired_and_lifted(mod, moderator, alice, bob):
    mod_user = fresh(moderator)
    active = moderation.place_block(moderator=mod_user, user=alice, reason="a")
    expired = moderation.place_block(
        moderator=mod_user, user=bob, reason="e", duration=timedelta(hours=1)
    )
    Block.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    lifted = moderation.place_block(moderator=mod_user, user=bob, reason="l")
    moderation.lift_block(moderator=mod_user, block=lifted, reason="ok")

    def listed(query: str) -> list[tuple[int, str]]:
        answer = mod.get(f"/api/blocks/?{query}").json()
        return [(b["id"], b["status"]) for b in answer["blocks"]]

    assert listed("") == [(active.pk, "active")]
    assert listed("status=expired") == [(expired.pk, "expired")]
    assert listed("status=lifted") == [(lifted.pk, "lifted")]
    assert listed("status=all") == [
        (lifted.pk, "lifted"),
        (expired.pk, "expired"),
        (active.pk, "active"),
    ]
    assert listed(f"status=all&user={bob.pk}") == [(lifted.pk, "lifted"), (expired.pk, "expired")]
    answer = mod.get("/api/blocks/?status=all&limit=1").json()
    assert ([b["id"] for b in answer["blocks"]], answer["has_more"]) == ([lifted.pk], True)
    assert listed(f"status=all&before={expired.pk}") == [(active.pk, "active")]
    assert error(mod.get("/api/blocks/?status=gone")) == (400, "invalid", "status")
    assert error(mod.get("/api/blocks/?user=me")) == (400, "invalid", "user")


# --- refusals write nothing ---------------------------------------------------------------


def test_non_moderators_are_refused_every_write_and_nothing_is_written(
    alice, mentor, moderator, bob, report
):
    block = moderation.place_block(moderator=fresh(moderator), user=bob, reason="Spam")
    calls = [
        (f"/api/reports/{report.pk}/resolve/", {"outcome": "no_action"}),
        (f"/api/reports/{report.pk}/hide/", {"note": "x"}),
        (f"/api/reports/{report.pk}/block/", {"reason": "x"}),
        ("/api/blocks/", {"user_id": alice.pk, "reason": "x"}),
        (f"/api/blocks/{block.pk}/lift/", {"reason": "x"}),
        ("/api/reports/999999/resolve/", {"outcome": "no_action"}),
    ]
    before = written()
    for user in (alice, mentor):
        client = JsonClient(user)
        for url, body in calls:
            assert error(client.post(url, body)) == (403, "forbidden", None), (user, url)
        assert error(client.get("/api/blocks/")) == (403, "forbidden", None)
    assert written() == before


def test_writes_need_the_csrf_token(mod, report):
    response = mod.post(f"/api/reports/{report.pk}/resolve/", {"outcome": "no_action"}, csrf=False)
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "open"


def test_reads_and_writes_answer_405_to_other_methods(mod, report):
    assert mod.get(f"/api/reports/{report.pk}/resolve/").status_code == 405
    assert mod.post("/api/reports/", {}).status_code == 405
