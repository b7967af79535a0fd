"""The HTML pages: sign-in, the room list and the room page shell."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from livechat import actions
from livechat.models import ReadMarker, Room
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chat_config(html: str) -> dict:
    match = re.search(
        r'<script id="chat-config" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert match, "the room page emits its config with json_script"
    return json.loads(match.group(1))


@pytest.mark.parametrize("path", ["/", "/rooms/help-desk/"])
def test_it_sends_anonymous_visitors_to_the_login_page(client, room, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_the_login_page_has_the_form_and_keeps_next(client):
    response = client.get("/accounts/login/?next=/rooms/help-desk/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="next" value="/rooms/help-desk/">' in html
    assert '<label for="id_username">' in html


def test_it_shows_why_a_login_failed(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "Alice", "password": "wrong", "next": "/"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="form-errors" role="alert"' in html
    assert "enter a correct username and password" in html
    assert 'value="Alice"' in html  # the username is kept


def test_it_signs_in_and_follows_next(alice, room):
    client = Client(enforce_csrf_checks=False)
    response = client.post(
        "/accounts/login/",
        {"username": "Alice", "password": "pw-Alice", "next": "/rooms/help-desk/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/rooms/help-desk/"
    assert client.get("/rooms/help-desk/").status_code == 200


def test_the_header_shows_the_user_and_a_logout_form(alice, room):
    html = signed_in(alice).get("/").content.decode()

    assert '<span class="account-name"' in html
    assert ">Alice</span>" in html
    assert re.search(r'<form method="post" action="/accounts/logout/"', html)
    assert 'href="/static/livechat/chat.css"' in html


def test_logging_out_is_a_post(alice):
    client = signed_in(alice)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out


def test_the_room_list_links_rooms_with_description_and_unread_count(alice, bob, room):
    Room.objects.create(slug="lounge", name="Lounge", description="Say hello.")
    actions.send_message(user=bob, room=room, body="one")
    actions.send_message(user=bob, room=room, body="two")
    actions.send_message(user=alice, room=room, body="mine do not count")

    html = signed_in(alice).get("/").content.decode()

    assert 'href="/rooms/help-desk/"' in html
    assert 'href="/rooms/lounge/"' in html
    assert "Say hello." in html
    # Two unread in the help desk, none in the lounge.
    assert re.search(r'class="unread-badge"[^>]*>\s*2<span class="visually-hidden"> unread', html)
    assert html.count('class="unread-badge"') == 1


def test_the_room_list_caps_large_unread_counts(alice, bob, room):
    for number in range(101):
        actions.send_message(user=bob, room=room, body=f"m{number}")

    html = signed_in(alice).get("/").content.decode()

    assert "99+" in html


def test_the_unread_count_starts_after_the_read_marker(alice, bob, room):
    first = actions.send_message(user=bob, room=room, body="seen").message
    actions.send_message(user=bob, room=room, body="new")
    ReadMarker.objects.create(user=alice, room=room, last_read_message_id=first.pk)

    html = signed_in(alice).get("/").content.decode()

    assert re.search(r'class="unread-badge"[^>]*>\s*1<', html)


def test_the_room_list_escapes_room_text(alice):
    Room.objects.create(slug="x", name="<b>bold</b>", description="<script>alert(1)</script>")

    html = signed_in(alice).get("/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_room_page_is_a_shell_with_config_and_the_module_script(alice, room):
    mentor = make_user("Mentor", "Mentors")
    response = signed_in(mentor).get("/rooms/help-desk/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<script type="module" src="/static/livechat/chat.js"></script>' in html
    assert 'aria-live="polite"' in html
    assert '<label for="composer-input"' in html
    config = chat_config(html)
    assert config["room"] == {"slug": "help-desk", "name": "Help desk"}
    assert config["user"] == {"id": mentor.pk, "username": "Mentor", "roles": ["mentor"]}
    assert config["emoji"]
    assert config["maxLength"] > 0
    # The page sets the CSRF cookie its script reads for API writes.
    assert "csrftoken" in response.cookies


def test_the_room_page_lists_rooms_and_marks_the_current_one(alice, room):
    Room.objects.create(slug="lounge", name="Lounge")

    html = signed_in(alice).get("/rooms/help-desk/").content.decode()

    current = re.search(r'<a href="/rooms/help-desk/"[^>]*>', html).group(0)
    other = re.search(r'<a href="/rooms/lounge/"[^>]*>', html).group(0)
    assert 'aria-current="page"' in current
    assert "aria-current" not in other
    assert '<span class="sidebar-room-name">Lounge</span>' in html


def test_the_room_page_config_cannot_break_out_of_its_script(alice):
    Room.objects.create(slug="odd", name="</script><script>alert(1)</script>")

    html = signed_in(alice).get("/rooms/odd/").content.decode()

    assert "</script><script>alert(1)" not in html
    assert chat_config(html)["room"]["name"] == "</script><script>alert(1)</script>"


def test_an_unknown_room_is_404(alice):
    response = signed_in(alice).get("/rooms/no-such-room/")

    assert response.status_code == 404


def test_the_static_files_are_found():
    from django.contrib.staticfiles import finders

    for name in ("chat.js", "chat.css", "connection.js", "timeline.js", "outbox.js", "dom.js"):
        assert finders.find(f"livechat/{name}"), name


def test_every_page_carries_the_roles_for_the_mentors_indicator(room):
    from accounts.roles import MENTORS

    mentor = make_user("Maria", MENTORS)

    html = signed_in(mentor).get("/").content.decode()

    assert 'data-roles="mentor"' in html
    assert 'id="mentor-indicator"' in html
    assert "livechat/indicator.js" in html
    assert 'id="bell-button"' in html


def test_the_room_page_has_the_side_panel_counts_and_the_embed_has_no_site_chrome(alice, room):
    client = signed_in(alice)

    page = client.get("/rooms/help-desk/").content.decode()
    embed = client.get("/rooms/help-desk/embed/").content.decode()

    assert 'data-unread-for="help-desk"' in page
    assert "livechat/sidebar.js" in page
    assert 'class="site-header"' not in embed
    assert 'class="sidebar"' not in embed
    assert 'class="embed-bar"' in embed
    assert 'id="composer-input"' in embed
    assert chat_config(embed)["embedded"] is True
