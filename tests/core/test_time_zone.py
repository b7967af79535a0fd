"""The reader's time zone for what the server writes (core.tz): the person's saved choice,
then the browser's (the ``tz`` cookie), then TIME_ZONE; an unknown zone is ignored. Pages,
the block sentences and mail write their times in it and name it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.time_zone import set_time_zone
from core import tz
from core.errors import Invalid
from livechat import actions as chat
from livechat.models import Notification, Room
from moderation.blocklist import ActiveBlock
from moderation.guard import block_sentence
from notifications import mail as notification_mail
from tests.conftest import fresh, make_user

MOMENT = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)  # 18:30 in Seoul, same day


# --- The rules ----------------------------------------------------------------------------


def test_it_takes_the_saved_zone_first():
    assert tz.choose(saved="Europe/Prague", cookie="Asia/Seoul") == "Europe/Prague"


def test_it_takes_the_browsers_zone_when_none_is_saved():
    assert tz.choose(saved="", cookie="Asia/Seoul") == "Asia/Seoul"


def test_it_falls_back_to_the_sites_zone(settings):
    settings.TIME_ZONE = "UTC"
    assert tz.choose(saved=None, cookie=None) == "UTC"


@pytest.mark.parametrize(
    "cookie",
    ["Mars/Olympus_Mons", "../../etc/passwd", "asia/seoul", "", "x" * 500, "Asia/Seoul\x00"],
)
def test_an_unknown_zone_is_ignored(cookie, settings):
    settings.TIME_ZONE = "UTC"
    assert tz.valid(cookie) is None
    assert tz.choose(saved=cookie, cookie=cookie) == "UTC"


def test_mail_is_in_the_saved_zone_or_utc():
    class Person:
        time_zone = ""

    person = Person()
    assert tz.for_mail(person) == "UTC"
    person.time_zone = "Asia/Seoul"
    assert tz.for_mail(person) == "Asia/Seoul"


@pytest.mark.django_db
def test_saving_a_zone_checks_it():
    user = make_user("Alice")
    set_time_zone(user=user, time_zone="Asia/Seoul")
    user.refresh_from_db()
    assert user.time_zone == "Asia/Seoul"
    with pytest.raises(Invalid):
        set_time_zone(user=user, time_zone="Mars/Olympus_Mons")
    set_time_zone(user=user, time_zone="")
    user.refresh_from_db()
    assert user.time_zone == ""


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def day(settings: Any, clock: Any) -> dict[str, Any]:
    """A help room with one message at 09:30 UTC on 2026-11-05, read the next day."""
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    settings.LANGUAGE_CODE = "en"
    clock.set(MOMENT)
    room = Room.objects.create(slug="help-desk", name="Help desk")
    alice = make_user("Alice")
    message = chat.send_message(user=fresh(alice), room=room, body="How do I cite?").message
    clock.set(datetime(2026, 11, 6, 12, tzinfo=UTC))
    return {"room": room, "alice": alice, "message": message}


def archive_day(client: Client) -> str:
    response = client.get("/rooms/help-desk/archive/2026-11-05/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_page_shows_times_in_the_browsers_zone(day):
    client = Client()
    client.force_login(day["alice"])
    client.cookies["tz"] = "Asia%2FSeoul"  # as the page's script writes it (encodeURIComponent)
    html = archive_day(client)
    assert 'datetime="2026-11-05T18:30:00+09:00">6:30 p.m.</time>' in html


@pytest.mark.django_db
def test_a_page_is_in_the_sites_zone_without_the_cookie(day):
    client = Client()
    client.force_login(day["alice"])
    html = archive_day(client)
    assert 'datetime="2026-11-05T09:30:00+00:00">9:30 a.m.</time>' in html


@pytest.mark.django_db
def test_an_invalid_cookie_is_ignored(day):
    client = Client()
    client.force_login(day["alice"])
    client.cookies["tz"] = "Mars%2FOlympus_Mons"
    html = archive_day(client)
    assert 'datetime="2026-11-05T09:30:00+00:00">9:30 a.m.</time>' in html


@pytest.mark.django_db
def test_the_saved_zone_wins_over_the_cookie(day):
    set_time_zone(user=day["alice"], time_zone="Asia/Seoul")
    client = Client()
    client.force_login(day["alice"])
    client.cookies["tz"] = "Europe%2FPrague"
    html = archive_day(client)
    assert 'datetime="2026-11-05T18:30:00+09:00">6:30 p.m.</time>' in html


@pytest.mark.django_db
def test_the_zone_lasts_one_request(day):
    client = Client()
    client.force_login(day["alice"])
    client.cookies["tz"] = "Asia%2FSeoul"
    archive_day(client)
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.django_db
def test_the_settings_page_saves_the_zone(day):
    client = Client()
    client.force_login(day["alice"])
    page = client.get("/notifications/settings/").content.decode()
    assert '<option value="Asia/Seoul" lang="zxx" translate="no">' in page
    response = client.post("/notifications/settings/time-zone/", {"time_zone": "Asia/Seoul"})
    assert response.status_code == 302
    day["alice"].refresh_from_db()
    assert day["alice"].time_zone == "Asia/Seoul"
    page = client.get("/notifications/settings/").content.decode()
    assert '<option value="Asia/Seoul" lang="zxx" translate="no" selected>' in page
    client.post("/notifications/settings/time-zone/", {"time_zone": "Mars/Olympus_Mons"})
    day["alice"].refresh_from_db()
    assert day["alice"].time_zone == "Asia/Seoul"


# --- Sentences ----------------------------------------------------------------------------


def test_a_block_sentence_names_the_readers_zone():
    block = ActiveBlock(site_wide=True, room_ids=frozenset(), reason="Spam", expires_at=MOMENT)
    with tz.override("Asia/Seoul"):
        sentence = block_sentence(block)
    assert "until Nov. 5, 2026, 6:30 p.m. KST." in sentence
    assert "UTC" not in sentence
    with tz.override("UTC"):
        assert "until Nov. 5, 2026, 9:30 a.m. UTC." in block_sentence(block)


# --- Mail ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mail_writes_times_in_the_recipients_zone(day, settings, clock):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.set(datetime(2026, 11, 6, 13, 7, tzinfo=UTC))  # 22:07 in Seoul
    mentor = make_user("Mentor")
    chat.send_message(user=fresh(mentor), room=day["room"], body="@Alice hello")
    notifications = list(Notification.objects.filter(recipient=day["alice"]))
    assert notifications

    def sent() -> tuple[str, str]:
        mail.outbox.clear()
        notification_mail.send_digest(
            user=day["alice"], address="alice@example.org", notifications=notifications
        )
        message = mail.outbox[0]
        return message.body, message.alternatives[0][0]

    # No saved zone: UTC, and the mail says so.
    text, html = sent()
    assert "At Nov. 6, 2026, 1:07 p.m. (UTC)" in text
    assert "At Nov. 6, 2026, 1:07 p.m. (UTC)" in html

    set_time_zone(user=day["alice"], time_zone="Asia/Seoul")
    text, html = sent()
    assert "At Nov. 6, 2026, 10:07 p.m. (KST)" in text and "UTC" not in text
    assert "At Nov. 6, 2026, 10:07 p.m. (KST)" in html
    assert 'datetime="2026-11-06T22:07:00+09:00"' in html


# --- Sockets ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_block_refusal_on_the_socket_names_the_browsers_zone(alice, moderator, room):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from moderation import actions as moderation
    from tests.conftest import session_cookie, ws_headers

    def block() -> None:
        moderation.place_block(
            moderator=fresh(moderator), user=alice, reason="Spam", duration=timedelta(days=1)
        )

    await database_sync_to_async(block)()
    cookie = await database_sync_to_async(session_cookie)(alice)
    # The handshake carries the cookie timezone.js sets, as the page's socket does.
    socket = WebsocketCommunicator(
        application, f"/ws/rooms/{room.slug}/", headers=ws_headers(f"{cookie}; tz=Asia/Seoul")
    )
    connected, _ = await socket.connect(timeout=5)
    assert connected
    try:
        while (await socket.receive_json_from(timeout=5))["type"] != "hello":
            pass
        await socket.send_json_to({"type": "message.send", "body": "hello?", "client_id": "tz-1"})
        while (frame := await socket.receive_json_from(timeout=5))["type"] != "error":
            pass
        assert frame["code"] == "blocked"
        assert "KST" in frame["detail"] and "UTC" not in frame["detail"]
    finally:
        await socket.disconnect()
