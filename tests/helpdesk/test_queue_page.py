"""The queue page, /helpdesk/, and the waiting-questions badge on every page for helpers."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from accounts.models import User
from helpdesk.models import MentorProfile
from livechat.models import Room

from ..conftest import make_user

pytestmark = pytest.mark.django_db

PAGE = "/helpdesk/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_config(html: str) -> dict:
    match = re.search(r'<script id="queue-config" type="application/json">(.*?)</script>', html)
    assert match, "the page carries its config"
    return json.loads(match.group(1))


@pytest.mark.parametrize("helper", ["mentor", "moderator"])
def test_it_shows_the_queue_to_helpers(helper, request, room):
    user = request.getfixturevalue(helper)
    response = signed_in(user).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="queue-list"' in html
    assert "helpdesk/queue.js" in html
    for state in ("waiting", "unresolved", "mine", "all"):
        assert f'data-filter="{state}"' in html
    # Unresolved is the default filter; the sound is off until the helper turns it on.
    assert re.search(r'data-filter="unresolved" aria-pressed="true"', html)
    assert re.search(r'<input type="checkbox" id="queue-sound">', html)
    assert 'aria-live="polite"' in html
    config = page_config(html)
    assert config["state"] == "unresolved"
    assert config["user"]["id"] == user.pk
    assert config["rooms"] == {"help-desk": "Help desk"}
    assert config["moderator"] is (helper == "moderator")


def test_it_opens_on_the_filter_in_the_address(mentor):
    html = signed_in(mentor).get(PAGE, {"state": "mine"}).content.decode()
    assert page_config(html)["state"] == "mine"
    assert re.search(r'data-filter="mine" aria-pressed="true"', html)
    # A mistyped filter still shows the queue, unresolved.
    html = signed_in(mentor).get(PAGE, {"state": "nope"}).content.decode()
    assert page_config(html)["state"] == "unresolved"


def test_a_newcomer_is_told_the_queue_is_for_helpers(alice):
    response = signed_in(alice).get(PAGE)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only mentors and moderators can see the helpers&#x27; queue." in html
    assert 'id="queue-list"' not in html
    assert "queue.js" not in html


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_settings_form_holds_the_helpers_settings(mentor):
    backup = make_user("Backup", "Mentors")
    make_user("Not a mentor")
    MentorProfile.objects.create(
        user=mentor, weight=MentorProfile.Weight.HIGH, backup=backup, away_until=None
    )
    html = signed_in(mentor).get(PAGE).content.decode()
    assert re.search(r'<option value="4" selected>', html)
    backups = re.search(r'<select id="settings-backup".*?</select>', html, re.S).group(0)
    assert re.search(rf'<option value="{backup.pk}" selected>Backup</option>', backups)
    # Only mentors can stand in, and never the helper themselves.
    assert "Not a mentor" not in backups
    assert f'value="{mentor.pk}"' not in backups
    assert 'name="away_until"' in html
    assert 'name="mute_minutes"' in html


def test_helpers_see_the_badge_on_every_page(mentor, room):
    for path in ("/", f"/rooms/{room.slug}/", PAGE):
        html = signed_in(mentor).get(path).content.decode()
        assert 'id="helpdesk-badge"' in html, path
        assert 'href="/helpdesk/"' in html
        assert "helpdesk/badge.js" in html
        assert "helpdesk/helpdesk.css" in html


def test_the_widget_shows_the_badge_to_helpers(moderator, alice, room: Room):
    html = signed_in(moderator).get(f"/rooms/{room.slug}/embed/").content.decode()
    assert 'id="helpdesk-badge"' in html
    assert 'target="_blank"' in html
    assert "helpdesk/badge.js" in html
    html = signed_in(alice).get(f"/rooms/{room.slug}/embed/").content.decode()
    assert 'id="helpdesk-badge"' not in html


def test_others_see_no_badge(alice, room):
    for path in ("/", f"/rooms/{room.slug}/"):
        html = signed_in(alice).get(path).content.decode()
        assert 'id="helpdesk-badge"' not in html
        assert "helpdesk/badge.js" not in html
        assert "helpdesk/helpdesk.css" not in html
