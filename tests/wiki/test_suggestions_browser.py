"""Help while waiting in Chromium with the local wiki configured: a help page the bot wrote
shows while the asker types, linked to the page on the wiki; "No, I'll ask a person" sends
the draft."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import make_user
from tests.e2e import conftest as e2e
from tests.e2e.conftest import message, open_room, require_browser
from tests.servers import Server, asgi_server
from wiki.client import Wiki

from .conftest import LocalWiki

pytestmark = [pytest.mark.wiki, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The browser tests' fixtures (tests/e2e/conftest.py), with a server of this module's.
browser = e2e.browser
console_errors = e2e.console_errors
e2e_db = e2e.e2e_db
room = e2e.room


def article_path(local_wiki: LocalWiki) -> str:
    return local_wiki.api.removesuffix("api.php") + "index.php/"


@pytest.fixture(scope="module")
def server(
    django_db_setup: None, local_wiki: LocalWiki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    require_browser()
    env = {"LIVECHAT_WIKI_API": local_wiki.api, "LIVECHAT_WIKI_URL": article_path(local_wiki)}
    with asgi_server(tmp_path_factory.mktemp("suggestions-server"), env=env) as server:
        yield server


def test_a_help_page_from_the_wiki_shows_while_typing(
    server: Server, local_wiki: LocalWiki, browser: Any, room: Any, console_errors: list[str]
) -> None:
    tag = uuid.uuid4().hex[:10]
    title = f"Help:Adding pictures {tag}"
    Wiki(api_url=local_wiki.api, user=local_wiki.bot_user, password=local_wiki.bot_password).edit(
        title, summary="Test", text=f"To add a picture{tag}, upload the file{tag} first."
    )
    make_user("Alice")

    alice = open_room(browser, server, "Alice", console_errors)
    box = alice.get_by_label("Message to Help desk")
    panel = alice.get_by_role("region", name="These might answer your question")
    box.press_sequentially(f"how do I add picture{tag} and file{tag}")

    link = panel.get_by_role("link", name=title)
    expect(link).to_have_attribute("href", f"{article_path(local_wiki)}Help:Adding_pictures_{tag}")
    expect(panel).to_contain_text("upload the file")
    expect(alice.locator("#helpdesk-suggestions-announce")).to_have_text(
        "1 help page might answer this"
    )

    panel.get_by_role("button", name="No, I'll ask a person").click()
    expect(message(alice, f"how do I add picture{tag} and file{tag}")).to_be_visible()
    expect(panel).to_be_hidden()
