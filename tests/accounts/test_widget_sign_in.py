"""The widget signed in without cookies (accounts.widget_tokens, docs/wiki.md "The
widget"): the token, the API and socket it opens, and the widget page that takes it."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts import widget_tokens
from tests.conftest import ORIGIN, ws_headers

pytestmark = pytest.mark.django_db

IN_A_FRAME = {"HTTP_SEC_FETCH_DEST": "iframe"}


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def test_a_token_names_its_user_until_it_expires(alice, clock, settings):
    settings.LIVECHAT_WIDGET_TOKEN_SECONDS = 600
    token = widget_tokens.issue(alice)
    assert widget_tokens.user_for(token) == alice
    clock.advance(seconds=600)
    assert widget_tokens.user_for(token) == alice
    clock.advance(seconds=1)
    assert widget_tokens.user_for(token) is None


@pytest.mark.parametrize("token", ["", "nonsense", "a:b:c", "e30:1abc:xyz"])
def test_a_forged_token_names_nobody(token):
    assert widget_tokens.user_for(token) is None


def test_a_token_from_another_salt_names_nobody(alice):
    from django.core import signing

    forged = signing.dumps({"u": alice.pk, "h": "", "t": 0}, salt="something else")
    assert widget_tokens.user_for(forged) is None


def test_a_password_change_or_deactivation_ends_every_token(alice, bob):
    token = widget_tokens.issue(alice)
    alice.set_password("a whole new password")
    alice.save()
    assert widget_tokens.user_for(token) is None
    other = widget_tokens.issue(bob)
    bob.is_active = False
    bob.save()
    assert widget_tokens.user_for(other) is None


def test_the_api_takes_a_bearer_token_instead_of_cookie_and_csrf(csrf_client, alice, room):
    token = widget_tokens.issue(alice)
    url = f"/api/rooms/{room.slug}/messages/"
    signed_out = csrf_client.get(url)
    assert signed_out.status_code == 403
    response = csrf_client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    # A write with the token needs no CSRF token: a browser never adds the header itself.
    sent = csrf_client.post(
        url,
        json.dumps({"body": "From the widget", "client_id": "w-1"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert sent.status_code in {200, 201}, sent.content
    assert sent.json()["author"]["username"] == "Alice"


def test_a_bad_bearer_token_leaves_the_request_signed_out(csrf_client, room):
    response = csrf_client.get(
        f"/api/rooms/{room.slug}/messages/", HTTP_AUTHORIZATION="Bearer not-a-token"
    )
    assert response.status_code == 403


def test_an_open_widget_swaps_its_token_for_a_fresh_one(csrf_client, alice, clock, settings):
    settings.LIVECHAT_WIDGET_TOKEN_SECONDS = 600
    token = widget_tokens.issue(alice)
    clock.advance(seconds=500)
    response = csrf_client.post("/accounts/widget/token/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    fresh = response.json()["token"]
    clock.advance(seconds=200)  # past the old token's life, within the new one's
    assert widget_tokens.user_for(token) is None
    assert widget_tokens.user_for(fresh) == alice
    assert csrf_client.post("/accounts/widget/token/").status_code == 403


def test_the_signed_out_widget_offers_the_wiki_sign_in(client, room, settings):
    settings.LIVECHAT_EMBED_ORIGINS = ["https://wiki.example"]
    response = client.get(f"/rooms/{room.slug}/embed/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="widget-signin-button"' in page
    assert 'data-popup-url="/accounts/widget/sign-in/"' in page
    assert "frame-ancestors 'self' https://wiki.example" in response["Content-Security-Policy"]


def _config(response) -> dict:
    page = response.content.decode()
    start = page.index('<script id="chat-config" type="application/json">') + len(
        '<script id="chat-config" type="application/json">'
    )
    return json.loads(page[start : page.index("</script>", start)])


def test_the_widget_frame_posts_its_token_and_loads_signed_in(client, alice, room, clock):
    token = widget_tokens.issue(alice)
    response = client.post(f"/rooms/{room.slug}/embed/", {"token": token}, **IN_A_FRAME)
    assert response.status_code == 200
    config = _config(response)
    assert config["user"]["username"] == "Alice"
    assert widget_tokens.user_for(config["token"]) == alice
    assert config["tokenRefreshUrl"] == "/accounts/widget/token/"
    # The token signs in this page only: no session was started.
    assert "sessionid" not in response.cookies


def test_a_rejected_token_shows_the_sign_in_again(client, room):
    response = client.post(f"/rooms/{room.slug}/embed/", {"token": "stale"}, **IN_A_FRAME)
    assert 'data-rejected="true"' in response.content.decode()


def test_only_a_frame_may_post_a_token(client, alice, room):
    """Another site's page posting its own token as a top-level form would open the chat
    signed in as someone else."""
    token = widget_tokens.issue(alice)
    response = client.post(
        f"/rooms/{room.slug}/embed/", {"token": token}, HTTP_SEC_FETCH_DEST="document"
    )
    assert 'id="widget-signin-button"' in response.content.decode()


def test_the_popup_hands_a_token_to_its_opener(client, alice):
    start = client.get("/accounts/widget/sign-in/")
    assert start.status_code == 302
    assert start["Location"] == "/accounts/login/?next=%2Faccounts%2Fwidget%2Fsigned-in%2F"
    client.force_login(alice)
    assert client.get("/accounts/widget/sign-in/")["Location"] == "/accounts/widget/signed-in/"
    page = client.get("/accounts/widget/signed-in/")
    token = page.content.decode().split('data-token="', 1)[1].split('"', 1)[0]
    assert widget_tokens.user_for(token) == alice
    # The popup must keep its opener (the widget) through every page of the sign-in.
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert start["Cross-Origin-Opener-Policy"] == "unsafe-none"


def test_other_pages_keep_cross_origin_isolation(client, alice, room):
    client.force_login(alice)
    response = client.get(f"/rooms/{room.slug}/")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


async def _socket(path: str, token: str | None) -> tuple[WebsocketCommunicator, dict]:
    from config.asgi import application

    query = f"?token={token}" if token else ""
    communicator = WebsocketCommunicator(
        application, f"{path}{query}", headers=ws_headers(None, origin=ORIGIN)
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator, await communicator.receive_json_from(timeout=5)


@pytest.mark.django_db(transaction=True)
async def test_the_widget_socket_signs_in_with_the_token_in_its_address(alice_async, room_async):
    token = await _issue(alice_async)
    communicator, hello = await _socket(f"/ws/rooms/{room_async.slug}/", token)
    try:
        assert hello["type"] == "hello"
        await communicator.send_json_to({"type": "message.send", "body": "Hi", "client_id": "c-1"})
        reply = await _next_of(communicator, "ack", "error")
        assert reply["type"] == "ack", reply
    finally:
        await communicator.disconnect()


async def _issue(user) -> str:
    from channels.db import database_sync_to_async

    return await database_sync_to_async(widget_tokens.issue)(user)


async def _next_of(communicator: WebsocketCommunicator, *types: str) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] in types:
            return frame


@pytest.fixture
def alice_async(transactional_db):
    from tests.conftest import make_user

    return make_user("Alice")


@pytest.fixture
def room_async(transactional_db):
    from livechat.models import Room

    return Room.objects.create(slug="help-desk", name="Help desk")
