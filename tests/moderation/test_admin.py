"""The moderation admin: who gets in, and that every write there goes through the actions
(blocks, hiding, reports, filters), with the diff views and the read-only logs."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import MENTORS, MODERATORS
from livechat import actions
from livechat.models import Message, RoomEvent
from moderation import actions as moderation
from moderation import filters
from moderation.models import (
    AbuseFilter,
    AbuseFilterVersion,
    AbuseLog,
    Block,
    ModerationLog,
    Report,
)
from tests.conftest import fresh, make_user

pytestmark = pytest.mark.django_db

SPAM = 'text irlike "buy\\s+cheap"'


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mod_client(moderator) -> Client:
    return signed_in(moderator)


@pytest.fixture
def edited(bob, room) -> Message:
    """A message of Bob's with three revisions."""
    message = actions.send_message(user=bob, room=room, body="How do I cite a source?").message
    actions.edit_message(
        user=bob, message_id=message.pk, body="How do I cite a book?", base_revision=1
    )
    actions.edit_message(
        user=bob,
        message_id=message.pk,
        body="How do I cite a <script>alert(1)</script> book?",
        base_revision=2,
    )
    message.refresh_from_db()
    return message


@pytest.fixture
def report(alice, edited) -> Report:
    return moderation.report_message(user=alice, message_id=edited.pk, reason="Looks like spam")


@pytest.fixture
def abuse_filter(moderator) -> AbuseFilter:
    return filters.save_filter(
        moderator=fresh(moderator),
        abuse_filter=None,
        name="Cheap pills",
        description="Advertising is not allowed here.",
        rule=SPAM,
        actions=["tag"],
    )


@pytest.fixture
def block(alice, moderator) -> Block:
    return moderation.place_block(
        moderator=fresh(moderator), user=alice, reason="Spamming links", duration=timedelta(days=1)
    )


def everything(edited, report, abuse_filter, block, bob, room) -> list[str]:
    """Every kind of admin page there is, with objects to show."""
    actions.send_message(user=bob, room=room, body="buy cheap pills")  # an abuse log entry
    log = AbuseLog.objects.get()
    entry = ModerationLog.objects.first()
    return [
        "/admin/",
        "/admin/moderation/",
        "/admin/livechat/",
        "/admin/moderation/block/",
        "/admin/moderation/block/add/",
        f"/admin/moderation/block/{block.pk}/change/",
        "/admin/livechat/message/",
        f"/admin/livechat/message/{edited.pk}/change/",
        f"/admin/livechat/message/{edited.pk}/change/?from=1&to=3",
        "/admin/moderation/report/",
        f"/admin/moderation/report/{report.pk}/change/",
        "/admin/moderation/moderationlog/",
        f"/admin/moderation/moderationlog/{entry.pk}/change/",
        "/admin/moderation/abuselog/",
        f"/admin/moderation/abuselog/{log.pk}/change/",
        "/admin/moderation/abusefilter/",
        "/admin/moderation/abusefilter/add/",
        f"/admin/moderation/abusefilter/{abuse_filter.pk}/change/",
        f"/admin/moderation/abusefilter/{abuse_filter.pk}/history/",
    ]


# --- who gets in --------------------------------------------------------------------------


def test_it_lets_moderators_in_without_staff_status(
    mod_client, moderator, edited, report, abuse_filter, block, bob, room
):
    assert not moderator.is_staff
    for url in everything(edited, report, abuse_filter, block, bob, room):
        assert mod_client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["newcomer", "mentor"])
def test_it_answers_403_to_everyone_else_on_every_admin_url(
    role, edited, report, abuse_filter, block, bob, room
):
    user = make_user("Someone", *([MENTORS] if role == "mentor" else []), is_staff=True)
    client = signed_in(user)
    urls = everything(edited, report, abuse_filter, block, bob, room) + [
        "/admin/login/",
        "/admin/logout/",
        "/admin/password_change/",
        "/admin/accounts/user/",
        "/admin/no/such/page/",
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    posts = {
        f"/admin/moderation/block/{block.pk}/lift/": {"reason": "x"},
        f"/admin/livechat/message/{edited.pk}/hide/": {"reason": "x", "hidden": "on"},
        f"/admin/moderation/report/{report.pk}/resolve/": {"outcome": "no_action"},
        f"/admin/moderation/report/{report.pk}/hide-and-resolve/": {"note": "x"},
        "/admin/moderation/block/add/": {"username": "Bob", "reason": "x", "duration": "1d"},
        f"/admin/moderation/abusefilter/{abuse_filter.pk}/change/": {"_check": "1", "rule": "x"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    block.refresh_from_db()
    edited.refresh_from_db()
    report.refresh_from_db()
    assert (block.lifted_at, edited.hidden, report.status) == (None, False, "open")


def test_it_sends_anonymous_visitors_to_the_site_login_page(db):
    client = Client()
    for url, back_to in [
        ("/admin/", "/admin/"),
        ("/admin/moderation/block/", "/admin/moderation/block/"),
        ("/admin/login/?next=/admin/livechat/message/", "/admin/livechat/message/"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        location = urlsplit(response["Location"])
        assert (location.path, parse_qs(location.query)) == (
            "/accounts/login/",
            {"next": [back_to]},
        )


def test_the_admin_login_sends_moderators_on_but_not_off_site(mod_client):
    assert mod_client.get("/admin/login/?next=/admin/moderation/")["Location"] == (
        "/admin/moderation/"
    )
    assert mod_client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"


def test_inactive_moderators_are_refused(moderator):
    client = signed_in(moderator)
    User.objects.filter(pk=moderator.pk).update(is_active=False)
    # The session no longer authenticates an inactive user: back to the login page.
    assert client.get("/admin/").status_code == 302


def test_the_user_admin_is_for_superusers_only(mod_client, db):
    assert mod_client.get("/admin/accounts/user/").status_code == 403
    index = mod_client.get("/admin/").content.decode()
    assert "/admin/accounts/user/" not in index and "/admin/auth/group/" not in index
    root = signed_in(User.objects.create_superuser("root", password="pw"))
    assert root.get("/admin/accounts/user/").status_code == 200
    assert root.get("/admin/moderation/block/").status_code == 200


def test_the_index_lists_the_moderation_pages(mod_client):
    index = mod_client.get("/admin/").content.decode()
    for url in [
        "/admin/moderation/block/",
        "/admin/livechat/message/",
        "/admin/moderation/report/",
        "/admin/moderation/moderationlog/",
        "/admin/moderation/abuselog/",
        "/admin/moderation/abusefilter/",
    ]:
        assert url in index


# --- blocks -------------------------------------------------------------------------------


def test_placing_a_block_from_admin_goes_through_the_action(mod_client, moderator, bob, room):
    response = mod_client.post(
        "/admin/moderation/block/add/",
        {"username": "bob", "rooms": [room.pk], "reason": "Insults", "duration": "1w"},
    )
    block = Block.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/moderation/block/{block.pk}/change/"
    assert (block.user, block.scope, list(block.rooms.all()), block.created_by) == (
        bob,
        "rooms",
        [room],
        moderator,
    )
    assert timedelta(days=6, hours=23) < block.expires_at - timezone.now() <= timedelta(weeks=1)
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.actor, entry.target_user, entry.reason) == (
        "block",
        moderator,
        bob,
        "Insults",
    )
    assert entry.details["rooms"] == ["help-desk"]


def test_a_block_with_no_room_is_site_wide_and_can_run_to_a_date(mod_client, bob):
    until = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    mod_client.post(
        "/admin/moderation/block/add/",
        {
            "username": "Bob",
            "reason": "Spam",
            "duration": "until",
            "expires_at": until.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    block = Block.objects.get()
    assert (block.scope, block.expires_at) == ("site", until)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"username": "nobody", "reason": "x", "duration": "1d"}, "There is no user called"),
        ({"username": "Bob", "reason": "", "duration": "1d"}, "This field is required"),
        ({"username": "Bob", "reason": "x", "duration": "until"}, "Give the date the block ends"),
        (
            {
                "username": "Bob",
                "reason": "x",
                "duration": "until",
                "expires_at": "2000-01-01T00:00",
            },
            "The expiry must be in the future",
        ),
    ],
)
def test_a_bad_block_form_shows_why_and_blocks_nobody(mod_client, bob, data, error):
    response = mod_client.post("/admin/moderation/block/add/", data)
    assert response.status_code == 200
    assert error in unescape(response.content.decode())
    assert not Block.objects.exists() and not ModerationLog.objects.exists()


def test_lifting_a_block_from_admin_needs_a_reason_and_is_logged(mod_client, moderator, block):
    url = f"/admin/moderation/block/{block.pk}/lift/"
    response = mod_client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    block.refresh_from_db()
    assert block.lifted_at is None

    assert mod_client.post(url, {"reason": "Apologised"}).status_code == 302
    block.refresh_from_db()
    assert (block.lifted_by, block.lift_reason) == (moderator, "Apologised")
    assert ModerationLog.objects.filter(action="unblock", actor=moderator).count() == 1
    # The stale form again: the action's conflict, shown as a message.
    response = mod_client.post(url, {"reason": "again"}, follow=True)
    assert "already lifted" in response.content.decode()


def test_lifting_is_post_only(mod_client, block):
    assert mod_client.get(f"/admin/moderation/block/{block.pk}/lift/").status_code == 405


def test_the_block_list_filters_active_expired_and_lifted_blocks_and_by_user(
    mod_client, moderator, alice, bob, block
):
    lifted = moderation.place_block(moderator=fresh(moderator), user=bob, reason="lifted one")
    moderation.lift_block(moderator=fresh(moderator), block=lifted, reason="ok")
    expired = moderation.place_block(
        moderator=fresh(moderator), user=bob, reason="expired one", duration=timedelta(hours=1)
    )
    Block.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    def listed(query: str) -> set[int]:
        page = mod_client.get(f"/admin/moderation/block/?{query}").content.decode()
        return {int(pk) for pk in re.findall(r"/admin/moderation/block/(\d+)/change/", page)}

    assert listed("status=active") == {block.pk}
    assert listed("status=expired") == {expired.pk}
    assert listed("status=lifted") == {lifted.pk}
    assert listed(f"user={bob.pk}") == {lifted.pk, expired.pk}
    assert listed("q=alice") == {block.pk}
    assert listed("scope__exact=site") == {block.pk, lifted.pk, expired.pk}


def test_the_block_form_starts_from_a_message_author(mod_client, edited):
    page = mod_client.get(f"/admin/moderation/block/add/?user={edited.author_id}").content
    assert b'value="Bob"' in page


def test_the_stock_change_form_cannot_save_a_block(mod_client, block):
    response = mod_client.post(
        f"/admin/moderation/block/{block.pk}/change/", {"reason": "changed", "scope": "rooms"}
    )
    assert response.status_code == 200  # the detail page again: nothing saved
    block.refresh_from_db()
    assert block.reason == "Spamming links"


# --- messages: revisions, diff, hiding ----------------------------------------------------


def test_a_message_shows_every_revision_and_the_diffs_between_them(mod_client, edited):
    page = mod_client.get(f"/admin/livechat/message/{edited.pk}/change/").content.decode()
    assert "How do I cite a source?" in page and "How do I cite a book?" in page
    assert "<del>source</del><ins>book</ins>" in page
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; </ins>" in page
    assert "<script>alert(1)" not in page
    assert page.count('class="word-diff"') == 2


def test_a_message_diffs_any_two_chosen_revisions(mod_client, edited):
    page = mod_client.get(f"/admin/livechat/message/{edited.pk}/change/?from=1&to=3").content
    page = page.decode()
    assert page.count('class="word-diff"') == 1
    assert "<del>source</del><ins>&lt;script&gt;alert(1)&lt;/script&gt; book</ins>" in page
    for bad in ["from=1&to=1", "from=1&to=9", "from=x&to=2", "from=2"]:
        response = mod_client.get(f"/admin/livechat/message/{edited.pk}/change/?{bad}")
        assert response.status_code == 200
        assert "Choose two different revisions" in response.content.decode()
        assert response.content.decode().count('class="word-diff"') == 2


def test_hiding_from_admin_goes_through_the_action_and_out_to_the_room(
    mod_client, moderator, edited, django_capture_on_commit_callbacks
):
    url = f"/admin/livechat/message/{edited.pk}/hide/"
    with django_capture_on_commit_callbacks() as published:
        response = mod_client.post(url, {"reason": "Spam link", "hidden": "on"})
    assert response.status_code == 302
    edited.refresh_from_db()
    assert edited.hidden is True
    event = RoomEvent.objects.order_by("-event_id").first()
    assert (event.kind, event.payload["hidden"]) == ("message.hidden", True)
    assert published, "the change is published after commit"
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.actor, entry.message, entry.reason) == (
        "hide",
        moderator,
        edited,
        "Spam link",
    )
    page = mod_client.get(f"/admin/livechat/message/{edited.pk}/change/").content.decode()
    assert "Unhide message" in page and "alert(1)" in page  # moderators still read it

    mod_client.post(url, {"reason": "Misread", "hidden": ""})
    edited.refresh_from_db()
    assert edited.hidden is False
    assert ModerationLog.objects.filter(action="unhide").count() == 1


def test_a_stale_hide_form_does_not_undo_a_hide(mod_client, moderator, edited):
    moderation.hide_message(moderator=fresh(moderator), message_id=edited.pk, reason="first")
    response = mod_client.post(
        f"/admin/livechat/message/{edited.pk}/hide/",
        {"reason": "me too", "hidden": "on"},
        follow=True,
    )
    assert "already hidden" in response.content.decode()
    edited.refresh_from_db()
    assert edited.hidden is True


def test_hiding_needs_a_reason(mod_client, edited):
    response = mod_client.post(
        f"/admin/livechat/message/{edited.pk}/hide/", {"reason": "", "hidden": "on"}
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    edited.refresh_from_db()
    assert edited.hidden is False


def test_the_message_list_searches_and_filters(mod_client, moderator, edited, alice, room):
    other = actions.send_message(user=alice, room=room, body="Thanks, mentors!").message
    Message.objects.filter(pk=other.pk).update(review_tags=["filter:Cheap pills"])
    moderation.hide_message(moderator=fresh(moderator), message_id=edited.pk, reason="x")

    def listed(query: str) -> set[int]:
        page = mod_client.get(f"/admin/livechat/message/?{query}").content.decode()
        return {int(pk) for pk in re.findall(r"/admin/livechat/message/(\d+)/change/", page)}

    assert listed("q=mentors") == {other.pk}
    assert listed("q=bob") == {edited.pk}
    assert listed("hidden__exact=1") == {edited.pk}
    assert listed("tagged=yes") == {other.pk}
    assert listed("tagged=no") == {edited.pk}
    assert listed(f"author={alice.pk}") == {other.pk}
    assert listed(f"room__id__exact={room.pk}") == {edited.pk, other.pk}


# --- reports ------------------------------------------------------------------------------


def test_the_report_queue_shows_open_reports_by_default(mod_client, moderator, report, bob, room):
    done = moderation.report_message(
        user=bob,
        message_id=actions.send_message(user=bob, room=room, body="ok").message.pk,
        reason="mistake",
    )
    moderation.resolve_report(moderator=fresh(moderator), report=done, outcome="no_action")

    def listed(query: str) -> set[int]:
        page = mod_client.get(f"/admin/moderation/report/?{query}").content.decode()
        return {int(pk) for pk in re.findall(r"/admin/moderation/report/(\d+)/change/", page)}

    assert listed("") == {report.pk}
    assert listed("status=resolved") == {done.pk}
    assert listed("status=all") == {report.pk, done.pk}


def test_resolving_a_report_from_admin_records_the_outcome(mod_client, moderator, report):
    response = mod_client.post(
        f"/admin/moderation/report/{report.pk}/resolve/",
        {"outcome": "no_action", "note": "Not spam"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.outcome, report.resolved_by, report.resolution_note) == (
        "resolved",
        "no_action",
        moderator,
        "Not spam",
    )
    entry = ModerationLog.objects.get(action="report_resolve")
    assert (entry.actor, entry.details["outcome"]) == (moderator, "no_action")


def test_hide_and_resolve_hides_the_message_and_resolves_in_one_go(mod_client, report, edited):
    url = f"/admin/moderation/report/{report.pk}/hide-and-resolve/"
    response = mod_client.post(url, {"outcome": "no_action", "note": ""})
    assert "Give a reason" in response.content.decode()
    edited.refresh_from_db()
    report.refresh_from_db()
    assert (edited.hidden, report.status) == (False, "open")

    assert mod_client.post(url, {"outcome": "no_action", "note": "Spam"}).status_code == 302
    edited.refresh_from_db()
    report.refresh_from_db()
    assert (edited.hidden, report.status, report.outcome) == (True, "resolved", "hidden")
    assert set(ModerationLog.objects.values_list("action", flat=True)) == {"hide", "report_resolve"}


def test_blocking_from_a_report_resolves_it(mod_client, moderator, report, bob):
    page = mod_client.get(f"/admin/moderation/block/add/?report={report.pk}").content.decode()
    assert 'value="Bob"' in page and "also resolves" in page
    mod_client.post(
        f"/admin/moderation/block/add/?report={report.pk}",
        {"username": "Bob", "reason": "Spam again", "duration": "3d"},
    )
    report.refresh_from_db()
    assert Block.objects.get().user == bob
    assert (report.status, report.outcome, report.resolution_note) == (
        "resolved",
        "blocked",
        "Spam again",
    )


def test_the_bulk_action_resolves_selected_reports(mod_client, report):
    mod_client.post(
        "/admin/moderation/report/",
        {"action": "resolve_no_action", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert (report.status, report.outcome) == ("resolved", "no_action")


# --- the logs are read only ---------------------------------------------------------------


@pytest.mark.parametrize("model", ["moderationlog", "abuselog"])
def test_the_logs_are_read_only(model, mod_client, block, abuse_filter, bob, room):
    actions.send_message(user=bob, room=room, body="buy cheap pills")
    entry = (ModerationLog if model == "moderationlog" else AbuseLog).objects.first()
    base = f"/admin/moderation/{model}/"
    assert mod_client.get(f"{base}add/").status_code == 403
    assert mod_client.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert mod_client.post(f"{base}{entry.pk}/change/", {"reason": "x"}).status_code == 403
    page = mod_client.get(f"{base}{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "Close" in page
    listing = mod_client.get(base).content.decode()
    assert "delete_selected" not in listing
    assert (
        (ModerationLog if model == "moderationlog" else AbuseLog)
        .objects.filter(pk=entry.pk)
        .exists()
    )


def test_nothing_is_deleted_from_admin(mod_client, report, edited, abuse_filter, block):
    for url in [
        f"/admin/moderation/block/{block.pk}/delete/",
        f"/admin/moderation/report/{report.pk}/delete/",
        f"/admin/livechat/message/{edited.pk}/delete/",
        f"/admin/moderation/abusefilter/{abuse_filter.pk}/delete/",
    ]:
        assert mod_client.post(url, {"post": "yes"}).status_code == 403, url


def test_the_abuse_log_shows_what_the_filter_saw_and_did(mod_client, abuse_filter, bob, room):
    actions.send_message(user=bob, room=room, body="buy cheap <b>pills</b>")
    listing = mod_client.get("/admin/moderation/abuselog/").content.decode()
    assert "Cheap pills" in listing and "logged, tagged for review" in listing
    assert "buy cheap &lt;b&gt;pills&lt;/b&gt;" in listing
    entry = AbuseLog.objects.get()
    detail = mod_client.get(f"/admin/moderation/abuselog/{entry.pk}/change/").content.decode()
    # Each variable by its name in the rule language, its value as JSON (moderation.admin.wire).
    assert '<code lang="zxx" translate="no">text</code>' in detail
    assert "&quot;buy cheap &lt;b&gt;pills&lt;/b&gt;&quot;" in detail


def test_the_moderation_log_filters_by_action_and_user(mod_client, moderator, block, alice, bob):
    moderation.place_block(moderator=fresh(moderator), user=bob, reason="bob too")
    moderation.lift_block(moderator=fresh(moderator), block=block, reason="ok")

    def listed(query: str) -> int:
        page = mod_client.get(f"/admin/moderation/moderationlog/?{query}").content.decode()
        return len(re.findall(r"/admin/moderation/moderationlog/\d+/change/", page))

    assert listed("") == 3
    assert listed("action__exact=block") == 2
    assert listed(f"target_user={alice.pk}") == 2
    assert listed(f"actor={moderator.pk}&action__exact=unblock") == 1


# --- abuse filters ------------------------------------------------------------------------


def filter_form(**values) -> dict[str, object]:
    return {
        "name": "Cheap pills",
        "description": "Advertising is not allowed here.",
        "rule": SPAM,
        "enabled": "on",
        "actions": ["tag", "disallow"],
        "warn_message": "",
        "throttle_count": "0",
        "throttle_period": "3600",
        "block_duration": "86400",
        "limit": "100",
        **values,
    }


def test_saving_a_filter_from_admin_keeps_a_version(mod_client, moderator):
    response = mod_client.post("/admin/moderation/abusefilter/add/", filter_form())
    abuse_filter = AbuseFilter.objects.get()
    assert response["Location"] == f"/admin/moderation/abusefilter/{abuse_filter.pk}/change/"
    assert (abuse_filter.actions, abuse_filter.version, abuse_filter.updated_by) == (
        ["tag", "disallow"],
        1,
        moderator,
    )
    mod_client.post(
        f"/admin/moderation/abusefilter/{abuse_filter.pk}/change/",
        filter_form(rule=SPAM + ' | text contains "$$$"', enabled=""),
    )
    abuse_filter.refresh_from_db()
    assert (abuse_filter.version, abuse_filter.enabled) == (2, False)
    assert list(abuse_filter.versions.values_list("number", flat=True)) == [2, 1]
    assert list(ModerationLog.objects.values_list("action", flat=True)) == [
        "filter_change",
        "filter_create",
    ]


def test_a_broken_rule_is_refused_with_its_line_and_column_on_the_rule_field(mod_client):
    response = mod_client.post(
        "/admin/moderation/abusefilter/add/", filter_form(rule='text contains "x" &\n  (user_age')
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    rule_row = page.split("field-rule")[1].split("field-enabled")[0]
    assert re.search(r"Line 2, column \d+", rule_row), rule_row
    assert not AbuseFilter.objects.exists() and not AbuseFilterVersion.objects.exists()


def test_check_syntax_answers_without_saving(mod_client, abuse_filter):
    url = f"/admin/moderation/abusefilter/{abuse_filter.pk}/change/"
    page = unescape(mod_client.post(url, filter_form(rule="text ==", _check="1")).content.decode())
    assert re.search(r"Line 1, column \d+", page)
    assert "text ==" in page  # what was typed is kept
    page = mod_client.post(url, filter_form(rule='text contains "x"', name="", _check="1"))
    assert "The rule parses" in page.content.decode()
    assert "This field is required" not in page.content.decode()
    abuse_filter.refresh_from_db()
    assert (abuse_filter.version, abuse_filter.rule) == (1, SPAM)


def test_a_test_run_shows_which_recent_messages_match(mod_client, alice, bob, room):
    hit = actions.send_message(user=alice, room=room, body="buy   cheap pills").message
    actions.send_message(user=bob, room=room, body="How do I cite a source?")
    response = mod_client.post(
        "/admin/moderation/abusefilter/add/", filter_form(name="", _test="1", limit="2")
    )
    page = response.content.decode()
    assert "matched 1 of the last 2 messages" in page
    assert f"/admin/livechat/message/{hit.pk}/change/" in page
    assert "How do I cite" not in page
    assert not AbuseFilter.objects.exists() and not AbuseLog.objects.exists()

    too_many = mod_client.post(
        "/admin/moderation/abusefilter/add/", filter_form(_test="1", limit="1001")
    )
    assert "less than or equal to 1000" in too_many.content.decode()
    broken = mod_client.post("/admin/moderation/abusefilter/add/", filter_form(_test="1", rule="("))
    assert re.search(r"Line 1, column \d+", unescape(broken.content.decode()))


def test_the_history_diffs_any_two_versions(mod_client, moderator, abuse_filter):
    filters.save_filter(
        moderator=fresh(moderator),
        abuse_filter=abuse_filter,
        rule=SPAM + " & user_age < 86400",
        actions=["tag", "block"],
    )
    filters.save_filter(moderator=fresh(moderator), abuse_filter=abuse_filter, name="Pills")
    url = f"/admin/moderation/abusefilter/{abuse_filter.pk}/history/"
    newest = mod_client.get(url).content.decode()
    assert "Version 2 → 3" in newest and "No change in the text" in newest
    assert "<del>Cheap pills</del>" in newest and "<ins>Pills</ins>" in newest
    chosen = mod_client.get(url + "?from=1&to=2").content.decode()
    assert "cheap&quot;<ins> &amp; user_age &lt; 86400</ins>" in chosen
    # Actions by their labels (moderation.admin.wire), never the stored values.
    assert "<del>Tag for review</del>" in chosen
    assert "<ins>Tag for review, Block the author</ins>" in chosen


def test_a_suspended_filter_says_so_and_saving_clears_it(mod_client, abuse_filter):
    AbuseFilter.objects.filter(pk=abuse_filter.pk).update(
        suspended=True, needs_attention=True, suspension_note="Matched 9 of the last 10 messages"
    )
    url = f"/admin/moderation/abusefilter/{abuse_filter.pk}/change/"
    page = mod_client.get(url).content.decode()
    assert "Suspended:" in page and "Matched 9 of the last 10 messages" in page
    assert "suspended" in mod_client.get("/admin/moderation/abusefilter/").content.decode()
    mod_client.post(url, filter_form())
    abuse_filter.refresh_from_db()
    assert (abuse_filter.suspended, abuse_filter.needs_attention) == (False, False)


def test_moderators_group_name_is_what_the_site_checks(db):
    # A user in a group merely named like moderators is not one.
    user = make_user("Impostor", "moderators-fans")
    assert signed_in(user).get("/admin/").status_code == 403
    assert signed_in(make_user("Real", MODERATORS)).get("/admin/").status_code == 200


def test_the_index_shows_what_is_waiting_and_the_latest_moderation(mod_client, report, block):
    page = mod_client.get("/admin/").content.decode()
    assert "1 open report" in page and "1 active block" in page
    assert "Block: <bdi>Alice</bdi>" in page
    assert "Recent actions" not in page


def test_the_filter_form_takes_its_rules_from_the_model(mod_client):
    from moderation.admin.abuse_filters import AbuseFilterForm

    form = AbuseFilterForm()
    model = {field.name: field for field in AbuseFilter._meta.get_fields()}
    for name in ("name", "description"):
        assert form.fields[name].max_length == model[name].max_length
    for name in ("description", "rule", "actions", "warn_message", "throttle_count"):
        assert form.fields[name].help_text == model[name].help_text
    assert (form.fields["throttle_period"].min_value, form.fields["block_duration"].min_value) == (
        1,
        1,
    )
    assert form.fields["throttle_count"].min_value == 0
    response = mod_client.post(
        "/admin/moderation/abusefilter/add/", filter_form(throttle_period="0", name="x" * 121)
    )
    page = unescape(response.content.decode())
    assert "Ensure this value is greater than or equal to 1." in page
    assert "Ensure this value has at most 120 characters" in page
    throttle_input = re.search(r'<input[^>]*name="throttle_period"[^>]*>', page).group(0)
    assert 'min="1"' in throttle_input, throttle_input
    assert not AbuseFilter.objects.exists()
