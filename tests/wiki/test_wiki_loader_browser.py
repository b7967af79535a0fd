"""The chat on the wiki's pages, in Chromium on the real local MediaWiki: the wiki loads
/wiki/loader.js from MediaWiki:Common.js, as a wiki's administrators would add it; its
"Help chat" button opens the widget framed by the wiki's origin, which signs in through
the popup (third-party cookies blocked) and sends (docs/wiki.md, "The chat on the wiki's
pages")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group

from accounts.roles import MENTORS, MODERATORS
from livechat.models import Message, Room
from tests.servers import Server, asgi_server

from .conftest import LocalWiki
from .test_wiki_sign_in import chat_env

pytestmark = [pytest.mark.wiki, pytest.mark.django_db(transaction=True)]


def wiki_origin(wiki: LocalWiki) -> str:
    parts = urlsplit(wiki.api)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def chat(
    django_db_setup: None, oauth: LocalWiki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    env = {**chat_env(oauth), "LIVECHAT_EMBED_ORIGINS": wiki_origin(oauth)}
    with asgi_server(tmp_path_factory.mktemp("wiki-loader"), env=env) as server:
        yield server


def chat_origin(chat: Server) -> str:
    # "localhost", where the wiki is 127.0.0.1: another site, as a wiki and its chat are.
    return f"http://localhost:{chat.port}"


@pytest.fixture
def common_js(oauth: LocalWiki, chat: Server) -> Iterator[None]:
    """The loader in MediaWiki:Common.js, put there by an interface administrator (Admin),
    and taken out again afterwards."""
    site = oauth.site()
    site.clientlogin(username="Admin", password=oauth.admin_password)

    def save(text: str) -> None:
        site.api(
            "edit",
            title="MediaWiki:Common.js",
            text=text,
            summary="The help chat (tests)",
            token=site.get_token("csrf"),
            http_method="POST",
        )

    save(f'mw.loader.load("{chat_origin(chat)}/wiki/loader.js");\n')
    yield
    save("/* The help chat's tests left nothing here. */\n")


@pytest.fixture
def room(transactional_db: None) -> Room:
    for name in (MENTORS, MODERATORS):
        Group.objects.get_or_create(name=name)
    return Room.objects.create(slug="help-desk", name="Help desk")


def test_the_help_chat_button_on_a_wiki_page_opens_the_widget_that_signs_in_and_sends(
    chat: Server, oauth: LocalWiki, common_js: None, room: Room, chromium: Any
):
    errors: list[str] = []
    page = chromium.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{wiki_origin(oauth)}/index.php?title=Main_Page")
    launcher = page.locator("#livechat-launcher")
    launcher.wait_for(timeout=15_000)
    assert launcher.get_attribute("aria-expanded") == "false"
    # The indicator, read from the chat (CORS): nobody online, one can still ask.
    page.wait_for_function(
        "() => document.getElementById('livechat-launcher').title !== ''", timeout=10_000
    )
    assert launcher.get_attribute("title") == "No helpers online right now; you can still ask."

    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    widget = page.frame_locator("#livechat-panel iframe")
    sign_in = widget.get_by_role("button", name="Sign in with your wiki account")
    sign_in.wait_for()
    # The widget is framed by the wiki's own page, from the chat's origin.
    frame = page.frames[1]
    assert page.url.startswith(wiki_origin(oauth))
    # In the reader's language on the wiki (wgUserLanguage), as ?uselang= (docs/translating.md).
    assert frame.url == f"{chat_origin(chat)}/rooms/help-desk/embed/?uselang=en"

    with chromium.expect_page() as opened:
        sign_in.click()
    popup = opened.value
    popup.get_by_role("button", name="Sign in with your wiki account").click()
    popup.get_by_label("Username").fill("Newcomer")
    popup.get_by_label("Password").fill(oauth.passwords["WIKI_NEWCOMER_PASSWORD"])
    popup.get_by_role("button", name="Log in").click()
    popup.wait_for_event("close")

    frame = page.frames[1]
    frame.wait_for_function("() => window.__chat && window.__chat.live", timeout=10_000)
    widget.locator("#composer-input").fill("Asked from a wiki page")
    widget.locator("#composer-input").press("Enter")
    widget.locator("#messages > li.msg", has_text="Asked from a wiki page").wait_for()
    assert Message.objects.get(body="Asked from a wiki page").author.username == "Newcomer"

    # The panel's close button, and Escape in the panel (outside the frame, whose keys
    # stay its own), close it and give the focus back to the button.
    close = page.get_by_role("button", name="Close the help chat")
    close.click()
    assert page.locator("#livechat-panel").is_hidden()
    assert page.evaluate("document.activeElement.id") == "livechat-launcher"
    launcher.click()
    close.focus()
    page.keyboard.press("Escape")
    assert page.locator("#livechat-panel").is_hidden()
    # Escape in the widget itself, which nothing there takes, closes it too.
    launcher.click()
    widget.locator("#composer-input").focus()
    widget.locator("#composer-input").press("Escape")
    page.locator("#livechat-panel").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "livechat-launcher"
    assert errors == []
