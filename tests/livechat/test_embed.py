"""Framing: the help-panel widget may be framed by the wiki only; nothing else at all."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import HOST

pytestmark = pytest.mark.django_db


def _directive(response, name: str) -> str:
    """One directive of the page's Content-Security-Policy (the whole policy: test_csp)."""
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    return next(d for d in directives if d.split()[0] == name)


@pytest.fixture
def client(alice):
    client = Client(HTTP_HOST=HOST)
    client.force_login(alice)
    return client


def test_the_widget_may_be_framed_by_the_configured_origins_only(client, room, settings):
    settings.LIVECHAT_EMBED_ORIGINS = ["https://wiki.example.org"]
    response = client.get("/rooms/help-desk/embed/")
    assert response.status_code == 200
    assert (
        _directive(response, "frame-ancestors") == "frame-ancestors 'self' https://wiki.example.org"
    )
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize("url", ["/", "/rooms/help-desk/", "/api/rooms/", "/accounts/login/"])
def test_every_other_page_refuses_to_be_framed(client, room, url):
    response = client.get(url)
    assert _directive(response, "frame-ancestors") == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_rooms_api_marks_help_rooms(client, room, other_room, settings):
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    rooms = {r["slug"]: r["help"] for r in client.get("/api/rooms/").json()["rooms"]}
    assert rooms == {"help-desk": True, "lounge": False}
