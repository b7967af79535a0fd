"""A help room in a real browser: what an asker is told before asking, and a question's
state on its first message, live for the asker and the helper, and from history.

One test (the suite runs twice in CI on two cores)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MENTORS
from livechat.models import Room
from tests.conftest import make_user
from tests.e2e.conftest import message, open_room, wait_live
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_asker_sees_who_can_help_and_follows_the_question_to_resolved(
    server: Server, browser: Any, room: Room, console_errors: list[str]
) -> None:
    make_user("Alice")
    make_user("Bob", MENTORS)

    # Before any helper: nobody online, no data, "you can leave".
    alice = open_room(browser, server, "Alice", console_errors)
    availability = alice.locator("#helpdesk-availability")
    expect(availability).to_have_text(
        "No helpers online right now. Questions asked now are usually answered within a day"
        " — you can leave, we'll let you know."
    )
    expect(availability).to_have_attribute("role", "status")

    # A mentor opens the room and uses it (the activity ping): one helper online.
    bob = open_room(browser, server, "Bob", console_errors)
    bob.get_by_label("Message to Help desk").press("a")
    bob.get_by_label("Message to Help desk").fill("")
    alice.reload()
    wait_live(alice)
    expect(availability).to_have_text("1 helper online · usually answered in a few minutes")
    expect(alice.locator("#helpdesk-people")).to_have_text("2 people have the help desk open")

    # Alice asks: her first message shows the state, to her and to the mentor.
    alice.get_by_label("Message to Help desk").fill("How do I cite a source?")
    alice.get_by_label("Message to Help desk").press("Enter")
    asked = message(alice, "How do I cite a source?")
    on_bob = message(bob, "How do I cite a source?")
    expect(asked.locator(".question-chip")).to_have_text("Waiting for a helper")
    expect(asked.get_by_role("button", name="This answered my question")).to_be_visible()
    expect(on_bob.locator(".question-chip")).to_have_text("Waiting for a helper")
    expect(alice.locator("#helpdesk-asker")).to_contain_text("You can leave")

    # The mentor takes it: the asker is told who is looking.
    on_bob.get_by_role("button", name="I'm on Alice's question").click()
    expect(on_bob.locator(".question-chip")).to_have_text("You are on it")
    expect(on_bob.get_by_role("button", name="Release Alice's question")).to_be_focused()
    expect(asked.locator(".question-chip")).to_have_text("Bob is looking at your question")
    expect(alice.locator("#helpdesk-asker-status")).to_have_text("Bob is looking at your question")

    # The mentor answers in the thread; the asker says it helped.
    on_bob.hover()
    on_bob.get_by_role("button", name="Reply to Alice").click()
    bob.get_by_label("Message to Help desk").fill("Use the cite button.")
    bob.get_by_label("Message to Help desk").press("Enter")
    expect(asked.locator(".question-chip")).to_have_text("Answered")
    asked.get_by_role("button", name="This answered my question").click()
    expect(asked.locator(".question-chip")).to_have_text("Resolved")
    expect(asked.get_by_role("button", name="Reopen")).to_be_visible()
    expect(on_bob.locator(".question-chip")).to_have_text("Resolved")
    expect(alice.locator("#helpdesk-asker")).to_be_hidden()

    # The room's menu turns on desktop notifications (the browser grants the permission).
    alice.context.grant_permissions(["notifications"])
    alice.get_by_text("Options").click()
    expect(alice.locator("#desktop-notify-status")).to_have_text(
        "Desktop notifications are off in this browser."
    )
    alice.get_by_role("button", name="Turn on desktop notifications").click()
    expect(alice.locator("#desktop-notify-status")).to_have_text(
        "Desktop notifications are on in this browser."
    )

    # Someone who comes later sees the state on the history.
    make_user("Carol")
    carol = open_room(browser, server, "Carol", console_errors)
    from_history = message(carol, "How do I cite a source?")
    expect(from_history.locator(".question-chip")).to_have_text("Resolved")
    expect(from_history.locator(".question-action")).to_have_count(0)
