"""The page around the conversation, in a real browser: the notifications bell, unread
counts in the side panel, the "new messages" pill, the help-panel widget and the dark theme.

Kept to three tests; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MENTORS
from livechat import actions
from livechat.models import Notification, ReadMarker, Room
from tests.conftest import make_user
from tests.e2e.conftest import sign_in, wait_live, watch
from tests.e2e.test_room_page import message, wait_until
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOM_PATH = "/rooms/help-desk/"


@pytest.fixture
def rooms(e2e_db: None) -> tuple[Room, Room]:
    help_desk = Room.objects.create(
        slug="help-desk", name="Help desk", description="Ask anything about editing the wiki."
    )
    lounge = Room.objects.create(slug="lounge", name="Lounge", description="Chat.")
    return help_desk, lounge


def open_page(
    browser: Any,
    server: Server,
    username: str,
    errors: list[str],
    path: str = ROOM_PATH,
    **context: Any,
) -> Any:
    page = browser.new_context(**context).new_page()
    watch(page, errors)
    sign_in(page, server.http, username, f"pw-{username}", path)
    wait_live(page)
    return page


def test_bell_pill_and_dark_theme(
    server: Server,
    browser: Any,
    rooms: tuple[Room, Room],
    artifacts: Path,
    console_errors: list[str],
) -> None:
    help_desk, _ = rooms
    alice_user = make_user("Alice")
    bob_user = make_user("Bob", MENTORS)
    for n in range(30):
        actions.send_message(user=bob_user, room=help_desk, body=f"Earlier answer number {n}")
    actions.mark_read(
        user=alice_user, room=help_desk, message_id=help_desk.messages.order_by("pk").last().pk
    )

    alice = open_page(
        browser, server, "Alice", console_errors, viewport={"width": 1100, "height": 700}
    )
    bob = open_page(browser, server, "Bob", console_errors)
    expect(alice.locator("#bell-count")).to_be_hidden()

    # Alice reads older messages; Bob's new one does not pull her down: a pill appears.
    alice.locator("#scroller").evaluate("el => { el.scrollTop = 0; }")
    bob.get_by_label("Message to Help desk").fill("@Alice here is the link you asked for")
    bob.get_by_label("Message to Help desk").press("Enter")
    expect(message(alice, "here is the link")).to_have_count(1)
    pill = alice.get_by_role("button", name="New messages ↓")
    expect(pill).to_be_visible()
    assert alice.locator("#scroller").evaluate("el => el.scrollTop") < 50
    # Her unread count for this room (side panel) counts the message she has not seen.
    expect(alice.locator('[data-unread-for="help-desk"]')).to_have_text(re.compile("1"))

    # The mention reached the bell live.
    expect(alice.locator("#bell-count")).to_have_text("1")
    expect(alice.locator("#bell-button")).to_have_attribute("aria-label", "Notifications, 1 unread")
    alice.screenshot(path=str(artifacts / "shell-pill.png"))

    pill.click()
    expect(pill).to_be_hidden()
    expect(alice.locator('[data-unread-for="help-desk"]')).to_be_hidden()

    # The dropdown: who, what, the excerpt; opening it marks it read and shows the message.
    alice.locator("#bell-button").click()
    item = alice.locator("#bell-list .bell-item").first
    expect(item).to_contain_text("Bob mentioned you")
    expect(item).to_contain_text("here is the link you asked for")
    expect(item).to_contain_text("now")
    alice.emulate_media(color_scheme="dark")
    alice.screenshot(path=str(artifacts / "shell-dark-bell.png"))
    alice.emulate_media(color_scheme="light")
    alice.screenshot(path=str(artifacts / "shell-bell.png"))
    item.locator("a").click()
    alice.wait_for_url(re.compile(r"#message-\d+$"))
    linked = alice.locator("#messages > li.is-linked")
    expect(linked).to_contain_text("here is the link")
    expect(alice.locator("#bell-count")).to_be_hidden()
    wait_until(
        lambda: not Notification.objects.filter(recipient=alice_user, read_at__isnull=True).exists()
    )

    # Mark all read, synced across tabs by the server's notifications.read frame.
    bob.get_by_label("Message to Help desk").fill("@Alice one more thing")
    bob.get_by_label("Message to Help desk").press("Enter")
    expect(alice.locator("#bell-count")).to_have_text("1")
    second_tab = alice.context.new_page()
    watch(second_tab, console_errors)
    second_tab.goto(f"{server.http}{ROOM_PATH}")
    wait_live(second_tab)
    expect(second_tab.locator("#bell-count")).to_have_text("1")
    second_tab.locator("#bell-button").click()
    second_tab.get_by_role("button", name="Mark all read").click()
    expect(second_tab.locator("#bell-count")).to_be_hidden()
    expect(alice.locator("#bell-count")).to_be_hidden()

    # The whole page in the dark theme.
    alice.emulate_media(color_scheme="dark")
    alice.reload()
    wait_live(alice)
    alice.screenshot(path=str(artifacts / "shell-dark.png"))


def test_side_panel_counts_other_rooms_and_clears_after_a_visit(
    server: Server, browser: Any, rooms: tuple[Room, Room], console_errors: list[str]
) -> None:
    _, lounge = rooms
    alice_user = make_user("Alice")
    bob_user = make_user("Bob")
    actions.send_message(user=bob_user, room=lounge, body="Anyone around?")
    actions.send_message(user=bob_user, room=lounge, body="Hello?")

    alice = open_page(browser, server, "Alice", console_errors)
    badge = alice.locator('[data-unread-for="lounge"]')
    expect(badge).to_have_text(re.compile("2"))
    expect(alice.locator('[data-unread-for="help-desk"]')).to_be_hidden()

    alice.locator("#sidebar-rooms").get_by_role("link", name=re.compile("Lounge")).click()
    alice.wait_for_url(re.compile("/rooms/lounge/$"))
    wait_live(alice)
    expect(message(alice, "Hello?")).to_have_count(1)
    # The "New" divider marks the first message she had not read.
    expect(alice.locator("#messages > li.is-first-unread")).to_contain_text("Anyone around?")
    wait_until(
        lambda: ReadMarker.objects.filter(
            user=alice_user,
            room=lounge,
            last_read_message_id=lounge.messages.order_by("pk").last().pk,
        ).exists()
    )
    expect(alice.locator('[data-unread-for="lounge"]')).to_be_hidden()

    alice.go_back()
    wait_live(alice)
    expect(alice.locator('[data-unread-for="lounge"]')).to_be_hidden()


def test_embed_widget_at_360_by_600(
    server: Server,
    browser: Any,
    rooms: tuple[Room, Room],
    artifacts: Path,
    console_errors: list[str],
) -> None:
    help_desk, _ = rooms
    make_user("Alice")
    mentor = make_user("Maria", MENTORS)
    actions.send_message(user=mentor, room=help_desk, body="Hi! How can we help you today?")

    page = open_page(
        browser,
        server,
        "Alice",
        console_errors,
        path=f"{ROOM_PATH}embed/",
        viewport={"width": 360, "height": 600},
    )
    expect(page.locator(".site-header")).to_have_count(0)
    expect(page.locator(".sidebar")).to_have_count(0)
    expect(page.locator(".embed-title")).to_have_text("Help desk")
    expect(page.locator("#online-count")).to_have_text("(1)")
    composer = page.get_by_label("Message to Help desk")
    composer.fill("How do I add a picture?")
    composer.press("Enter")
    expect(message(page, "How do I add a picture?")).to_have_count(1)
    # Nothing sticks out sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "embed-360.png"))
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(artifacts / "embed-360-dark.png"))
