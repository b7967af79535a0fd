"""Framing: the help-panel widget may be framed by the wiki only; nothing else at all."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(alice):
    client = Client(HTTP_HOST=HOST)
    client.force_login(alice)
    return client


def test_the_widget_may_be_framed_by_the_configured_origins_only(client, room, settings):
    settings.LIVECHAT_EMBED_ORIGINS = ["https://wiki.example.org"]
    response = client.get("/rooms/help-desk/embed/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == (
        "frame-ancestors 'self' https://wiki.example.org"
    )
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize("url", ["/", "/rooms/help-desk/", "/api/rooms/", "/accounts/login/"])
def test_every_other_page_refuses_to_be_framed(client, room, url):
    response = client.get(url)
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_rooms_api_marks_help_rooms(client, room, other_room, settings):
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    rooms = {r["slug"]: r["help"] for r in client.get("/api/rooms/").json()["rooms"]}
    assert rooms == {"help-desk": True, "lounge": False}
