"""Sign in with the wiki account in real Chromium: the chat's page, and the widget framed by
another site with third-party cookies blocked (docs/wiki.md, "The widget")."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import MENTORS, MODERATORS
from livechat.models import Message, Room
from tests.e2e.conftest import require_browser, wait_live, watch
from tests.servers import Server, asgi_server, free_port

from .conftest import LocalWiki
from .test_wiki_sign_in import chat_env

pytestmark = [pytest.mark.wiki, pytest.mark.django_db(transaction=True)]

ROOM = "/rooms/help-desk/"


class HostPage:
    """A page of "the wiki" on another site (localhost, where the chat is 127.0.0.1) that
    frames the widget as a gadget would."""

    def __init__(self) -> None:
        self.port = free_port()
        self.frame_src = ""
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    '<!doctype html><title>A wiki page</title><link rel="icon" href="data:,">'
                    "<h1>A wiki page</h1>"
                    f'<iframe title="Help chat" src="{host.frame_src}" width="360" height="600">'
                    "</iframe>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"


@pytest.fixture(scope="module")
def host_page() -> Iterator[HostPage]:
    page = HostPage()
    yield page
    page.server.shutdown()


@pytest.fixture(scope="module")
def chat(
    django_db_setup: None,
    oauth: LocalWiki,
    host_page: HostPage,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    require_browser()
    env = {**chat_env(oauth), "LIVECHAT_EMBED_ORIGINS": host_page.origin}
    with asgi_server(tmp_path_factory.mktemp("wiki-browser"), env=env) as server:
        host_page.frame_src = f"{server.http}{ROOM}embed/"
        yield server


@pytest.fixture
def room(transactional_db: None) -> Room:
    for name in (MENTORS, MODERATORS):
        Group.objects.get_or_create(name=name)
    return Room.objects.create(slug="help-desk", name="Help desk")


def log_in_on_the_wiki(page: Any, name: str, password: str) -> None:
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_signing_in_with_the_wiki_from_the_chat_page(
    chat: Server, oauth: LocalWiki, room: Room, chromium: Any, page_errors: list[str]
):
    page = chromium.new_page()
    watch(page, page_errors)
    page.goto(f"{chat.http}{ROOM}")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_role("button", name="Sign in with your wiki account").click()
    log_in_on_the_wiki(page, "Newcomer", oauth.passwords["WIKI_NEWCOMER_PASSWORD"])
    page.wait_for_url(f"{chat.http}{ROOM}")
    wait_live(page)
    assert page.locator(".account-name").inner_text() == "Newcomer"
    assert User.objects.get(username="Newcomer").wiki_id is not None


def test_the_widget_signs_in_through_a_popup_with_third_party_cookies_blocked(
    chat: Server,
    oauth: LocalWiki,
    host_page: HostPage,
    room: Room,
    chromium: Any,
    page_errors: list[str],
):
    page = chromium.new_page()
    watch(page, page_errors)
    page.goto(f"{host_page.origin}/")
    widget = page.frame_locator("iframe")
    sign_in = widget.get_by_role("button", name="Sign in with your wiki account")
    sign_in.wait_for()
    frame = page.frames[1]
    # The browser gives the frame no cookies and no storage: it is a third party here.
    assert frame.evaluate("document.hasStorageAccess()") is False

    with chromium.expect_page() as opened:
        sign_in.click()
    popup = opened.value
    watch(popup, page_errors)
    # The chat's own sign-in page, then the wiki's.
    popup.get_by_role("button", name="Sign in with your wiki account").click()
    log_in_on_the_wiki(popup, "Newcomer", oauth.passwords["WIKI_NEWCOMER_PASSWORD"])
    popup.wait_for_event("close")

    # The frame posted the token it was handed and loaded the chat signed in.
    frame = page.frames[1]
    frame.wait_for_function("() => window.__chat && window.__chat.live", timeout=10_000)
    assert frame.evaluate("document.hasStorageAccess()") is False
    widget.locator("#composer-input").fill("Hello from the widget on the wiki")
    widget.locator("#composer-input").press("Enter")
    widget.locator("#messages > li.msg", has_text="Hello from the widget on the wiki").wait_for()
    sent = Message.objects.get(body="Hello from the widget on the wiki")
    assert sent.author.username == "Newcomer" and sent.author.wiki_id is not None

    # The popup signed the person in first-party; the frame never got that cookie: reloaded
    # without its token (no storage in a third-party frame), it is signed out again, and
    # signing in again is one click in a popup that closes by itself.
    page.reload()
    sign_in = page.frame_locator("iframe").get_by_role(
        "button", name="Sign in with your wiki account"
    )
    with chromium.expect_page() as opened:
        sign_in.click()
    opened.value.wait_for_event("close")
    page.frames[1].wait_for_function("() => window.__chat && window.__chat.live", timeout=10_000)
