"""Writing in a real browser: mentions, replies, emoji, thanks, editing the last message,
the character counter and the edit history, against the real ASGI server.

One test for the whole flow (the browser suite runs twice in CI on two cores). The module
runs its own server with a tiny message limit, so that the counter shows after a few words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MENTORS
from livechat.models import Message, Notification, Room
from tests.conftest import make_user
from tests.e2e.conftest import (
    message,
    open_room,
    require_browser,
    wait_until,
)
from tests.servers import Server, asgi_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIMIT = 60


@pytest.fixture(scope="module")
def chat_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """This module's own daphne, with a message limit of LIMIT characters."""
    require_browser()
    env = {"LIVECHAT_MAX_MESSAGE_LENGTH": str(LIMIT)}
    with asgi_server(tmp_path_factory.mktemp("e2e-composer"), env=env) as server:
        yield server


def test_mentions_replies_emoji_thanks_counter_and_editing_the_last_message(
    server: Server, browser: Any, room: Room, artifacts: Path, console_errors: list[str]
) -> None:
    make_user("Alice")
    bob_user = make_user("Bob", MENTORS)
    alice = open_room(
        browser, server, "Alice", console_errors, viewport={"width": 1280, "height": 800}
    )
    bob = open_room(browser, server, "Bob", console_errors)
    composer = alice.get_by_label("Message to Help desk")

    # "@Bo" opens the list of people; Bob is there, online and a mentor; Enter takes him.
    composer.press_sequentially("Hi @Bo")
    suggestions = alice.get_by_role("listbox")
    bob_option = suggestions.get_by_role("option", name="Bob")
    expect(bob_option).to_be_visible()
    expect(bob_option).to_have_attribute("aria-selected", "true")
    expect(bob_option.locator(".suggest-presence.is-online")).to_have_count(1)
    expect(bob_option.locator(".badge-mentor")).to_be_visible()
    expect(composer).to_have_attribute("aria-expanded", "true")
    alice.screenshot(path=str(artifacts / "composer-mention.png"))
    composer.press("Enter")
    expect(composer).to_have_value("Hi @Bob ")
    expect(suggestions).to_be_hidden()
    composer.press_sequentially("how do I add a map?")
    composer.press("Enter")
    question = message(bob, "how do I add a map?")
    expect(question).to_have_count(1)
    question_id = int(question.get_attribute("data-id"))
    question = bob.locator(f"#m-{question_id}")  # by id: replies quote its text
    wait_until(lambda: Notification.objects.filter(recipient=bob_user, kind="mention").exists())

    # Bob replies; Alice sees the quote, which jumps to her question.
    question.hover()
    question.get_by_role("button", name="Reply to Alice").click()
    bob_composer = bob.get_by_label("Message to Help desk")
    expect(bob.locator("#composer-reply")).to_contain_text("Replying to Alice: Hi @Bob how do I")
    expect(bob_composer).to_be_focused()
    bob_composer.fill("Use the Map extension.")
    bob_composer.press("Enter")
    expect(bob.locator("#composer-reply")).to_be_hidden()
    answer = message(alice, "Use the Map extension.")
    quote = answer.locator(".msg-reply-to")
    expect(quote).to_contain_text("Alice: Hi @Bob how do I add a map?")
    asked = alice.locator(f"#m-{question_id}")
    assert Message.objects.get(body="Use the Map extension.").reply_to_id == question_id
    quote.click()
    expect(asked).to_have_class(re.compile(r"\bis-linked\b"))
    expect(asked).not_to_have_class(re.compile(r"\bis-linked\b"), timeout=4000)  # briefly

    # The emoji button: search, Enter inserts at the caret.
    composer.fill("Thanks ")
    alice.get_by_role("button", name="Insert an emoji").click()
    alice.get_by_label("Search emoji").fill("tada")
    expect(alice.locator(".emoji-grid .emoji-choice").first).to_have_text("🎉")
    alice.get_by_label("Search emoji").press("ArrowDown")
    expect(alice.locator(".emoji-grid .emoji-choice").first).to_be_focused()
    alice.keyboard.press("Enter")
    expect(composer).to_have_value("Thanks 🎉")
    expect(composer).to_be_focused()
    # `:shortcode` completion: ":thu" offers 👍, Tab takes it.
    composer.press_sequentially(" :thumbsu")
    expect(alice.get_by_role("option").first).to_contain_text(":thumbsup:")
    composer.press("Tab")
    expect(composer).to_have_value("Thanks 🎉 👍")

    # The full picker adds a reaction too (from the quick row's "More reactions").
    answer.hover()
    answer.get_by_label("Add a reaction").click()
    answer.get_by_role("button", name="More reactions").click()
    alice.get_by_label("Search emoji").fill("rocket")
    alice.get_by_label("Search emoji").press("Enter")
    expect(answer.locator('.reaction[data-emoji="🚀"] .reaction-count')).to_have_text("1")
    expect(message(bob, "Use the Map extension.").locator(".reaction")).to_have_attribute(
        "title", "Alice"
    )

    # The counter shows near the limit and warns past it; sending is refused.
    composer.fill("x" * (LIMIT - 4))
    expect(alice.locator("#composer-count")).to_have_text(f"{LIMIT - 4} / {LIMIT}")
    composer.fill("y" * (LIMIT + 5))
    expect(alice.locator("#composer-count")).to_contain_text("5 too many characters")
    composer.press("Enter")
    expect(alice.locator("#composer-error")).to_contain_text(f"the limit is {LIMIT}")
    expect(alice.locator("#outgoing > li")).to_have_count(0)
    composer.fill("")

    # Bob thanks Alice for her question: done, and disabled.
    question.hover()
    question.get_by_role("button", name="Thank Alice for this message").click()
    thanked = question.locator(".msg-thank")
    expect(thanked).to_have_text("Thanked")
    expect(thanked).to_be_disabled()
    wait_until(lambda: Notification.objects.filter(kind="thanks").exists())
    # Alice may thank Bob's answer, never her own question.
    expect(answer.locator(".msg-thank")).to_have_count(1)
    expect(asked.locator(".msg-thank")).to_have_count(0)

    # Two quick messages by Alice: the second shows no header of its own.
    composer.fill("One more thing.")
    composer.press("Enter")
    composer.fill("Where is the map button?")
    composer.press("Enter")
    expect(message(alice, "Where is the map button?")).to_have_class(re.compile(r"\bmsg-cont\b"))
    expect(message(alice, "One more thing.")).not_to_have_class(re.compile(r"\bmsg-cont\b"))

    # Up in the empty box edits her last message; Enter saves.
    last = alice.locator(
        f"#m-{message(alice, 'Where is the map button?').get_attribute('data-id')}"
    )
    composer.press("ArrowUp")
    editor = last.get_by_label("Text of your message")
    expect(editor).to_be_focused()
    editor.fill("Where is the map toolbar button?")
    editor.press("Enter")
    edited = last
    expect(edited.locator(".msg-body")).to_have_text("Where is the map toolbar button?")
    expect(edited.locator(".msg-edited")).to_have_text("(edited)")

    # "(edited)" opens the history, with the change marked word by word.
    edited.locator(".msg-edited").click()
    dialog = alice.get_by_role("dialog", name="Edit history")
    expect(dialog.locator(".revision")).to_have_count(2)
    expect(dialog.locator("ins")).to_have_text("toolbar ")
    alice.screenshot(path=str(artifacts / "composer-revisions.png"))
    alice.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # A phone, 360 px wide, dark theme: replying with the picker open fits.
    phone = open_room(
        browser,
        server,
        "Bob",
        console_errors,
        viewport={"width": 360, "height": 740},
        has_touch=True,
        is_mobile=True,
        color_scheme="dark",
    )
    first = phone.locator(f"#m-{question_id}")
    first.get_by_role("button", name="Reply to Alice").click()
    expect(phone.locator("#composer-reply")).to_be_visible()
    phone.screenshot(path=str(artifacts / "composer-phone-reply.png"))
    phone.get_by_role("button", name="Insert an emoji").click()
    expect(phone.get_by_label("Search emoji")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "composer-phone.png"))
    phone.keyboard.press("Escape")
    expect(phone.get_by_label("Search emoji")).to_have_count(0)
    phone.get_by_label("Message to Help desk").press("Escape")  # cancels the reply
    expect(phone.locator("#composer-reply")).to_be_hidden()
