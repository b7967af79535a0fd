"""A person's data (issue 13, docs/privacy.md): the export of everything stored about
them, and erasure on request, with what it keeps."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from asgiref.sync import sync_to_async
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.erasure import erase_personal_data
from accounts.models import User
from accounts.personal_data import export_personal_data
from accounts.roles import MENTORS
from core.errors import Forbidden
from helpdesk.models import MentorProfile, Question
from livechat import actions
from livechat.consumers import CLOSE_ACCOUNT_GONE
from livechat.models import (
    Message,
    MessageRevision,
    Notification,
    Reaction,
    ReadMarker,
    RoomEvent,
    Thanks,
)
from moderation import actions as moderation
from moderation.models import AbuseLog, Block, ModerationLog, Report
from notifications.models import EmailSettings
from tests.conftest import HOST, fresh, json_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db: None) -> User:
    return make_user("Root", is_staff=True, is_superuser=True)


@pytest.fixture
def history(alice: User, bob: User, moderator: User, room: Any, settings: Any) -> dict[str, Any]:
    """Alice's life in the chat: messages (one edited, one hidden), a question, reactions
    and thanks both ways, notifications, a read marker, email settings, a report she
    filed and one about her, a block, and her wiki sign-in."""
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    first = actions.send_message(user=alice, room=room, body="How do I cite a book?").message
    actions.edit_message(
        user=alice, message_id=first.pk, body="How do I cite a **book**?", base_revision=1
    )
    second = actions.send_message(user=alice, room=room, body="Hello @Bob").message
    rude = actions.send_message(user=alice, room=room, body="Something rude").message
    reply = actions.send_message(
        user=bob, room=room, body="Use the cite tool", reply_to=first.pk
    ).message
    actions.toggle_reaction(user=alice, message_id=reply.pk, emoji="👍")
    actions.toggle_reaction(user=bob, message_id=reply.pk, emoji="👍")
    actions.toggle_reaction(user=bob, message_id=first.pk, emoji="🎉")
    actions.thank(user=alice, message_id=reply.pk)
    actions.thank(user=bob, message_id=second.pk)
    actions.mark_read(user=alice, room=room, message_id=reply.pk)
    EmailSettings.objects.create(user=alice, address="alice@example.org")
    moderation.report_message(user=alice, message_id=reply.pk, reason="Too terse")
    about = moderation.report_message(user=bob, message_id=rude.pk, reason="Rude")
    moderation.hide_message(moderator=fresh(moderator), message_id=rude.pk, reason="Rude")
    moderation.place_block(
        moderator=fresh(moderator), user=alice, reason="Cool down", duration=timedelta(hours=1)
    )
    account = SocialAccount.objects.create(
        user=alice, provider="mediawiki", uid="4242", extra_data={"username": "Alice"}
    )
    SocialToken.objects.create(account=account, token="secret-token", app=None)
    User.objects.filter(pk=alice.pk).update(wiki_id=4242, language="fr", time_zone="Europe/Paris")
    alice.refresh_from_db()
    return {
        "first": first,
        "second": second,
        "rude": rude,
        "reply": reply,
        "report_about": about,
    }


# --- export ------------------------------------------------------------------------------------


def test_it_exports_everything_stored_about_the_person(
    alice: User, bob: User, history: dict[str, Any]
) -> None:
    data = export_personal_data(user=alice)
    json.dumps(data)  # plain JSON all the way down

    account = data["account"]
    assert account["username"] == "Alice"
    assert account["wiki_id"] == 4242
    assert account["language"] == "fr"
    assert account["time_zone"] == "Europe/Paris"
    assert account["roles"] == []
    assert data["settings"]["email"]["address"] == "alice@example.org"

    messages = {m["id"]: m for m in data["messages"]}
    first = messages[history["first"].pk]
    assert [r["body"] for r in first["revisions"]] == [
        "How do I cite a book?",
        "How do I cite a **book**?",
    ]
    # Her own text, hidden or not.
    assert messages[history["rude"].pk]["body"] == "Something rude"
    assert messages[history["rude"].pk]["hidden"] is True
    assert history["reply"].pk not in messages  # Bob's message is not hers

    assert data["reactions"] == [
        {
            "emoji": "👍",
            "message": history["reply"].pk,
            "room": "help-desk",
            "created_at": data["reactions"][0]["created_at"],
        }
    ]
    assert [t["author"] for t in data["thanks_given"]] == ["Bob"]
    assert [(t["by"], t["message"]) for t in data["thanks_received"]] == [
        ("Bob", history["second"].pk)
    ]
    assert {n["kind"] for n in data["notifications"]} == {"reply", "thanks"}
    assert data["read_markers"][0]["last_read_message"] == history["reply"].pk
    assert [q["first_message"] for q in data["questions_asked"]] == [history["first"].pk]
    assert data["questions_claimed"] == []
    # Reports she filed, not reports about her.
    assert [r["reason"] for r in data["reports_filed"]] == ["Too terse"]
    assert "Rude" not in json.dumps(data["reports_filed"])
    assert [b["reason"] for b in data["blocks"]] == ["Cool down"]
    sign_in = data["wiki_sign_in"][0]
    assert sign_in["uid"] == "4242"
    assert sign_in["has_token"] is True
    assert "secret-token" not in json.dumps(data)
    assert data["presence"] == {"stored": False}


def test_it_leaves_other_peoples_private_data_out(
    alice: User, bob: User, history: dict[str, Any]
) -> None:
    EmailSettings.objects.create(user=bob, address="bob@example.org")
    text = json.dumps(export_personal_data(user=alice))
    assert "bob@example.org" not in text
    assert "Use the cite tool" not in text  # Bob's message text
    assert "Rude" not in text  # Bob's report about her, and the moderator's reason


def test_it_exports_a_helpers_settings(mentor: User, alice: User) -> None:
    MentorProfile.objects.create(user=mentor, weight=4, backup=alice)
    data = export_personal_data(user=mentor)
    assert data["account"]["roles"] == ["mentor"]
    assert data["helper"]["profile"]["new_mentees_weight"] == 4
    assert data["helper"]["profile"]["backup"] == "Alice"


def test_the_export_costs_the_same_queries_for_many_messages(
    alice: User, bob: User, room: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(60):
        message = actions.send_message(user=alice, room=room, body=f"Message {number}").message
        actions.edit_message(
            user=alice, message_id=message.pk, body=f"Message {number}!", base_revision=1
        )
        actions.toggle_reaction(user=alice, message_id=message.pk, emoji="👍")
        actions.thank(user=bob, message_id=message.pk)
    with django_assert_max_num_queries(22):
        data = export_personal_data(user=alice)
    assert len(data["messages"]) == 60
    assert all(len(m["revisions"]) == 2 for m in data["messages"])
    assert len(data["thanks_received"]) == 60


def test_download_my_data_is_a_json_attachment_of_ones_own(alice: User, bob: User) -> None:
    client = Client(HTTP_HOST=HOST)
    client.force_login(alice)
    response = client.get("/accounts/my-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="livechat-data-Alice-')
    assert disposition.endswith('.json"')
    assert json.loads(response.content.decode("utf-8"))["account"]["username"] == "Alice"


def test_a_name_beyond_ascii_gets_an_encoded_filename(db: None) -> None:
    user = make_user("Zoë")
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    response = client.get("/accounts/my-data/")
    assert "filename*=utf-8''livechat-data-Zo%C3%AB-" in response["Content-Disposition"]


def test_the_settings_page_offers_the_download(alice: User) -> None:
    client = Client(HTTP_HOST=HOST)
    client.force_login(alice)
    assert 'href="/accounts/my-data/"' in client.get("/notifications/settings/").content.decode()


# --- permissions ---------------------------------------------------------------------------------


def test_only_the_person_or_a_superuser_can_export(
    alice: User, bob: User, moderator: User, root: User
) -> None:
    path = f"/admin/accounts/user/{alice.pk}/export-data/"
    answers = {}
    for name, user in (("bob", bob), ("moderator", moderator), ("root", root), ("anon", None)):
        client = Client(HTTP_HOST=HOST)
        if user is not None:
            client.force_login(user)
        answers[name] = client.get(path).status_code
    assert answers == {"bob": 403, "moderator": 403, "root": 200, "anon": 302}
    # Signed out, the person's own download asks them to sign in.
    response = Client(HTTP_HOST=HOST).get("/accounts/my-data/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_only_a_superuser_can_erase(alice: User, bob: User, moderator: User, root: User) -> None:
    with pytest.raises(Forbidden):
        erase_personal_data(superuser=fresh(moderator), user=alice)
    for user in (alice, bob, moderator):
        client = Client(HTTP_HOST=HOST)
        client.force_login(user)
        assert client.post(f"/admin/accounts/user/{alice.pk}/erase/").status_code == 403
    assert User.objects.get(pk=alice.pk).username == "Alice"
    assert not ModerationLog.objects.filter(action=ModerationLog.Action.ERASE).exists()


def test_the_confirmation_page_says_what_goes_and_what_stays(
    alice: User, root: User, history: dict[str, Any]
) -> None:
    client = Client(HTTP_HOST=HOST)
    client.force_login(root)
    page = client.get(f"/admin/accounts/user/{alice.pk}/erase/").content.decode()
    assert "The text of 3 messages" in page
    assert "1 block placed on them" in page
    assert "moderation log" in page
    assert User.objects.get(pk=alice.pk).is_active  # a GET changes nothing


def test_the_admin_action_leads_to_the_confirmation(alice: User, root: User) -> None:
    client = Client(HTTP_HOST=HOST)
    client.force_login(root)
    response = client.post(
        "/admin/accounts/user/", {"action": "erase_data", "_selected_action": [alice.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{alice.pk}/erase/"


# --- erasure -------------------------------------------------------------------------------------


def erase_via_admin(root: User, user: User) -> None:
    client = Client(HTTP_HOST=HOST)
    client.force_login(root)
    response = client.post(f"/admin/accounts/user/{user.pk}/erase/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{user.pk}/change/"


def test_erasure_tombstones_every_message_and_revision(
    alice: User, bob: User, root: User, room: Any, history: dict[str, Any]
) -> None:
    erase_via_admin(root, alice)
    assert set(Message.objects.filter(author=alice).values_list("body", "html")) == {("", "")}
    assert set(
        MessageRevision.objects.filter(message__author=alice).values_list("body", "html")
    ) == {("", "")}
    # Nothing anywhere in the room's log still says what she wrote.
    logged = json.dumps(list(RoomEvent.objects.values_list("payload", flat=True)))
    for text in ("cite a book", "cite a **book**", "Hello @Bob", "Something rude", '"Alice"'):
        assert text not in logged
    # Bob's reply keeps its text and its place.
    assert Message.objects.get(pk=history["reply"].pk).body == "Use the cite tool"


def test_another_reader_sees_the_tombstone_and_contiguous_ids(
    alice: User, bob: User, root: User, room: Any, history: dict[str, Any]
) -> None:
    before = room.__class__.objects.get(pk=room.pk).last_event_id
    erase_via_admin(root, alice)
    reader = json_client(bob)
    events = reader.get(f"/api/rooms/{room.slug}/events/", {"after": 0, "limit": 500}).json()
    ids = [event["event_id"] for event in events["events"]]
    assert ids == list(range(1, len(ids) + 1))
    assert events["last_event_id"] == ids[-1] > before
    erased = [
        e for e in events["events"] if e["event_id"] > before and e["kind"] == "message.edited"
    ]
    assert {e["message"]["id"] for e in erased} == {
        history["first"].pk,
        history["second"].pk,
        history["rude"].pk,
    }
    for event in erased:
        assert event["message"]["erased"] is True
        assert event["message"]["body"] == event["message"]["html"] == ""
        assert event["message"]["author"]["username"].startswith("Erased user ")
    # History as a page loads it: the tombstones in place, Bob's reply still pointing at one.
    page = reader.get(f"/api/rooms/{room.slug}/messages/").json()["messages"]
    by_id = {m["id"]: m for m in page}
    assert by_id[history["first"].pk]["erased"] is True
    assert by_id[history["first"].pk]["reactions"] == []
    assert by_id[history["reply"].pk]["reply_to"] == history["first"].pk
    assert "erased" not in by_id[history["reply"].pk]
    # Her 👍 is gone from Bob's message; Bob's own stays.
    assert by_id[history["reply"].pk]["reactions"] == [
        {"emoji": "👍", "count": 1, "users": ["Bob"]}
    ]


def test_erasure_removes_personal_rows_and_keeps_moderation_records(
    alice: User, bob: User, root: User, history: dict[str, Any]
) -> None:
    erase_via_admin(root, alice)
    alice.refresh_from_db()
    assert alice.username.startswith("Erased user ")
    assert not alice.is_active
    assert alice.wiki_id is None
    assert alice.email == ""
    assert alice.language == alice.time_zone == ""
    assert not alice.has_usable_password()
    assert not alice.groups.exists()
    assert not Reaction.objects.filter(user=alice).exists()
    assert not Reaction.objects.filter(message__author=alice).exists()
    assert not Thanks.objects.filter(user=alice).exists()
    assert not Thanks.objects.filter(message__author=alice).exists()
    assert not Notification.objects.filter(recipient=alice).exists()
    assert not ReadMarker.objects.filter(user=alice).exists()
    assert not EmailSettings.objects.filter(user=alice).exists()
    assert not SocialAccount.objects.filter(user=alice).exists()
    assert not SocialToken.objects.exists()
    # Her open question was closed; it keeps no text of its own (its message is a tombstone).
    assert Question.objects.get(asker=alice).state == Question.State.RESOLVED
    # Kept: the block, reports (about her and by her), the moderation log, under the pseudonym.
    assert Block.objects.filter(user=alice, reason="Cool down").exists()
    assert Report.objects.filter(pk=history["report_about"].pk).exists()
    assert Report.objects.filter(reporter=alice).exists()
    assert ModerationLog.objects.filter(action="hide", target_user=alice).exists()
    entry = ModerationLog.objects.get(action=ModerationLog.Action.ERASE)
    assert entry.actor == root
    assert entry.target_user == alice
    assert entry.details["pseudonym"] == alice.username
    assert entry.details["messages"] == 3


def test_erasure_keeps_the_abuse_log(alice: User, room: Any, root: User) -> None:
    from moderation.models import AbuseFilter

    rule = AbuseFilter.objects.create(name="Shouting", description="No", rule="true")
    AbuseLog.objects.create(
        filter=rule, filter_version=1, user=alice, room=room, action="send", variables={}
    )
    erase_personal_data(superuser=root, user=alice)
    assert AbuseLog.objects.filter(user=alice).count() == 1


def test_the_wiki_account_no_longer_maps_to_the_erased_account(
    alice: User, root: User, history: dict[str, Any]
) -> None:
    erase_personal_data(superuser=root, user=alice)
    assert not User.objects.filter(wiki_id=4242).exists()
    assert not User.objects.filter(username="Alice").exists()


def test_erasure_is_idempotent(alice: User, root: User, room: Any, history: dict[str, Any]) -> None:
    first = erase_personal_data(superuser=root, user=alice)
    last_event = room.__class__.objects.get(pk=room.pk).last_event_id
    again = erase_personal_data(superuser=root, user=User.objects.get(pk=alice.pk))
    assert again.already_erased
    assert again.pseudonym == first.pseudonym
    assert room.__class__.objects.get(pk=room.pk).last_event_id == last_event
    assert ModerationLog.objects.filter(action=ModerationLog.Action.ERASE).count() == 1


def test_a_superuser_cannot_erase_themself(root: User) -> None:
    from core.errors import Invalid

    with pytest.raises(Invalid):
        erase_personal_data(superuser=root, user=root)


@pytest.mark.django_db(transaction=True)
async def test_an_open_page_replaces_the_text_live(
    connect: Any, alice: User, bob: User, room: Any
) -> None:
    root = await sync_to_async(make_user)("Root", is_superuser=True, is_staff=True)
    message = (
        await sync_to_async(actions.send_message)(user=alice, room=room, body="Secret")
    ).message
    socket = await connect(bob)
    await sync_to_async(erase_personal_data)(superuser=root, user=alice)
    frame = await socket.recv_type("event")
    assert frame["kind"] == "message.edited"
    assert frame["event_id"] == socket.hello["last_event_id"] + 1
    assert frame["message"]["id"] == message.pk
    assert frame["message"]["erased"] is True
    assert frame["message"]["body"] == ""


@pytest.mark.django_db(transaction=True)
async def test_the_erased_persons_open_sockets_end_so_nothing_more_is_written_in_their_name(
    connect: Any, alice: User, room: Any
) -> None:
    root = await sync_to_async(make_user)("Root", is_superuser=True, is_staff=True)
    socket = await connect(alice)
    await sync_to_async(erase_personal_data)(superuser=root, user=alice)
    closed = await socket.communicator.receive_output(timeout=5)
    while closed["type"] != "websocket.close":
        closed = await socket.communicator.receive_output(timeout=5)
    assert closed["code"] == CLOSE_ACCOUNT_GONE


# --- the commands -----------------------------------------------------------------------------


def test_erase_user_asks_unless_yes(alice: User, monkeypatch: Any) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError):
        call_command("erase_user", "Alice")
    assert User.objects.get(pk=alice.pk).is_active
    out = StringIO()
    call_command("erase_user", "Alice", "--yes", stdout=out)
    alice.refresh_from_db()
    assert not alice.is_active
    assert alice.username in out.getvalue()
    entry = ModerationLog.objects.get(action=ModerationLog.Action.ERASE)
    assert entry.actor is None
    assert entry.details["via"] == "command"
    out = StringIO()
    call_command("erase_user", alice.username, "--yes", stdout=out)
    assert "already" in out.getvalue()


def test_erase_user_refuses_an_unknown_name(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("erase_user", "Nobody", "--yes")


def test_export_user_writes_the_json(alice: User, room: Any) -> None:
    actions.send_message(user=alice, room=room, body="Hello")
    out = StringIO()
    call_command("export_user", "Alice", "--output", "-", stdout=out)
    data = json.loads(out.getvalue())
    assert [m["body"] for m in data["messages"]] == ["Hello"]


def test_a_mentor_erased_loses_role_and_claims(
    mentor: User, alice: User, room: Any, settings: Any, root: User
) -> None:
    from helpdesk import actions as desk

    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    actions.send_message(user=alice, room=room, body="Help please")
    question = Question.objects.get(asker=alice)
    desk.claim_question(user=fresh(mentor), question_id=question.pk)
    MentorProfile.objects.create(user=mentor)
    erase_personal_data(superuser=root, user=mentor)
    question.refresh_from_db()
    assert question.state == Question.State.WAITING
    assert question.claimed_by is None
    assert not MentorProfile.objects.filter(user=mentor).exists()
    assert not User.objects.get(pk=mentor.pk).groups.filter(name=MENTORS).exists()


def test_the_wiki_archive_leaves_erased_questions_out(
    alice: User, root: User, room: Any, settings: Any
) -> None:
    from helpdesk.wiki_archive import month_threads

    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    message = actions.send_message(user=alice, room=room, body="How do I cite?").message
    month = message.created_at.date().replace(day=1)
    assert len(month_threads(month=month).threads) == 1
    erase_personal_data(superuser=root, user=alice)
    assert month_threads(month=month).threads == []


def test_nobody_reacts_to_or_thanks_an_erased_message(
    alice: User, bob: User, root: User, room: Any
) -> None:
    message = actions.send_message(user=alice, room=room, body="Hi").message
    erase_personal_data(superuser=root, user=alice)
    with pytest.raises(Forbidden):
        actions.toggle_reaction(user=bob, message_id=message.pk, emoji="👍")
    with pytest.raises(Forbidden):
        actions.thank(user=bob, message_id=message.pk)


def test_the_day_archive_shows_the_tombstone(
    alice: User, bob: User, root: User, room: Any, settings: Any
) -> None:
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    message = actions.send_message(user=alice, room=room, body="Secret words").message
    erase_personal_data(superuser=root, user=alice)
    client = Client(HTTP_HOST=HOST)
    client.force_login(bob)
    day = message.created_at.date().isoformat()
    page = client.get(f"/rooms/help-desk/archive/{day}/").content.decode()
    assert "Message removed at the author" in page
    assert "Secret words" not in page
