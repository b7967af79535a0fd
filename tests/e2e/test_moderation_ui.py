"""Moderation on the room page, in a real browser against the real ASGI server: hiding and
unhiding (moderators), reporting (everyone), and refusals that say why (a filter's
warning, slow mode, a block).

Two tests. Without REDIS_URL the server process keeps its own cache, so moderation set up
from the test body (a filter, a block) must be in the database before the server first
reads it for that user: the filter is created before anyone writes, and the blocked
newcomer has not written yet when the block is placed (the server caches a user's blocks
on their first write; the block actions clear only this process's copy).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MODERATORS
from livechat import actions
from livechat.models import Message, Room
from moderation.actions import place_block
from moderation.filters import save_filter
from moderation.models import ModerationLog, Report
from tests.conftest import make_user
from tests.e2e.conftest import message, open_room, wait_live
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLACEHOLDER = "This message was hidden by a moderator."


def open_room_page(browser: Any, server: Server, username: str, errors: list[str]) -> Any:
    return open_room(browser, server, username, errors, viewport={"width": 1100, "height": 760})


def send(page: Any, text: str) -> None:
    composer = page.get_by_label("Message to Help desk")
    composer.fill(text)
    composer.press("Enter")


def opacity(locator: Any) -> float:
    return float(locator.evaluate("node => getComputedStyle(node).opacity"))


def test_moderators_hide_and_unhide_live_and_everyone_reports_and_is_told_why(
    server: Server, browser: Any, room: Room, artifacts: Path, console_errors: list[str]
) -> None:
    maya = make_user("Maya", MODERATORS)
    nico = make_user("Nico")
    save_filter(
        moderator=maya,
        abuse_filter=None,
        name="money",
        description="Sounds like spam",
        rule='text irlike "free\\s+money"',
        actions=["warn"],
        warn_message="This looks like spam.",
    )
    moderator = open_room_page(browser, server, "Maya", console_errors)
    newcomer = open_room_page(browser, server, "Nico", console_errors)

    send(newcomer, "My first edit was reverted, why?")
    expect(message(moderator, "My first edit")).to_have_count(1)
    message_id = message(moderator, "My first edit").get_attribute("data-id")
    on_mod = moderator.locator(f"#m-{message_id}")
    on_new = newcomer.locator(f"#m-{message_id}")
    # Nobody reports their own message, and only moderators hide.
    expect(on_new.locator(".msg-report, .msg-hide")).to_have_count(0)

    # The moderator hides it from the keyboard: focus reveals the hover-only tools.
    hide = on_mod.get_by_role("button", name="Hide Nico's message")
    hide.focus()
    assert opacity(on_mod.locator(".msg-tools")) == 1
    hide.press("Enter")
    reason = on_mod.get_by_label("Why hide this message?")
    expect(reason).to_be_focused()
    expect(hide).to_have_attribute("aria-expanded", "true")
    reason.fill("half-typed")
    reason.press("Escape")  # cancels, back to the button
    expect(on_mod.locator(".prompt-form")).to_have_count(0)
    expect(hide).to_be_focused()
    hide.press("Enter")
    expect(reason).to_have_value("")
    on_mod.get_by_role("button", name="Hide message", exact=True).click()
    expect(on_mod.locator(".prompt-notice")).to_have_text("Give a reason.")  # required
    reason.fill("Off-topic test")
    moderator.screenshot(path=str(artifacts / "moderation-hide-form.png"))
    reason.press("Enter")

    # Live for both: the newcomer sees the placeholder, the moderator the dimmed text.
    expect(on_new.locator(".msg-placeholder")).to_have_text(PLACEHOLDER)
    expect(on_new.locator(".badge-hidden")).to_have_text("Hidden")
    expect(on_new).not_to_contain_text("My first edit")
    expect(on_new.locator(".msg-report")).to_have_count(0)
    expect(on_mod).to_have_class(re.compile(r"\bis-hidden\b"))
    expect(on_mod.locator(".msg-body")).to_have_text("My first edit was reverted, why?")
    expect(on_mod.locator(".badge-hidden")).to_have_text("Hidden")
    assert opacity(on_mod.locator(".msg-body")) < 1
    unhide = on_mod.get_by_role("button", name="Unhide Nico's message")
    expect(unhide).to_be_focused()  # the control that replaced the closed form
    log = ModerationLog.objects.get(action=ModerationLog.Action.HIDE)
    assert (log.reason, log.message_id) == ("Off-topic test", int(message_id))
    on_mod.hover()
    moderator.screenshot(path=str(artifacts / "moderation-hidden-moderator.png"))
    newcomer.screenshot(path=str(artifacts / "moderation-hidden-newcomer.png"))

    # Unhiding brings the text back for everyone.
    unhide.press("Enter")
    on_mod.get_by_label("Why show this message again?").fill("Hidden by mistake")
    on_mod.get_by_role("button", name="Unhide message", exact=True).click()
    expect(on_new.locator(".msg-body")).to_have_text("My first edit was reverted, why?")
    expect(on_new.locator(".badge-hidden")).to_have_count(0)
    expect(on_mod).not_to_have_class(re.compile(r"\bis-hidden\b"))
    expect(on_mod.get_by_role("button", name="Hide Nico's message")).to_be_focused()
    assert not Message.objects.get(pk=message_id).hidden

    # The newcomer reports the moderator's answer: a confirmation, then "already reported".
    send(moderator, "Please read the talk page first.")
    answer = message(newcomer, "Please read the talk page first.")
    expect(answer).to_have_count(1)
    expect(message(moderator, "Please read the talk").locator(".msg-report")).to_have_count(0)
    for attempt in ("Unfriendly", "Still unfriendly"):
        answer.hover()
        answer.get_by_role("button", name="Report Maya's message").click()
        answer.get_by_label("What is wrong with this message?").fill(attempt)
        answer.get_by_role("button", name="Send report").click()
        expect(answer.locator(".prompt-form")).to_have_count(0)
        if attempt == "Unfriendly":
            expect(answer.locator(".msg-notice")).to_have_text(
                "Reported — moderators will look at it."
            )
    expect(answer.locator(".msg-error")).to_have_text(
        "You have already reported this message; moderators will look at it."
    )
    expect(answer.locator(".msg-notice")).to_have_text("")
    report = Report.objects.get()
    assert (report.reporter, report.reason) == (nico, "Unfriendly")

    # A filter's warning: the text is refused once, with the warning, and "Send anyway"
    # sends it again (as a new attempt) and it goes through.
    send(newcomer, "Is there free money for editors?")
    warned = newcomer.locator("#outgoing > li")
    expect(warned.locator(".msg-error")).to_contain_text("This looks like spam.")
    expect(warned.get_by_role("button", name="Try again")).to_have_count(0)
    refused_id = warned.get_attribute("data-client-id")
    newcomer.screenshot(path=str(artifacts / "moderation-warning.png"))
    warned.get_by_role("button", name="Send anyway").click()
    expect(message(newcomer, "free money")).to_have_count(1)
    expect(newcomer.locator("#outgoing > li")).to_have_count(0)
    assert Message.objects.get(body="Is there free money for editors?").client_id != refused_id

    # Slow mode: the second message waits out the count-down, then goes on "Try again".
    Room.objects.filter(pk=room.pk).update(slow_mode_seconds=2)
    newcomer.reload()  # the socket reads the room's settings when it connects
    wait_live(newcomer)
    send(newcomer, "First in slow mode")
    send(newcomer, "Second in slow mode")
    waiting = newcomer.locator("#outgoing > li", has_text="Second in slow mode")
    expect(waiting.locator(".msg-error")).to_contain_text("slow mode")
    retry = waiting.get_by_role("button", name=re.compile("^Try again"))
    expect(retry).to_have_text(re.compile(r"^Try again in [12] s$"))
    expect(retry).to_be_disabled()
    expect(retry).to_have_text("Try again", timeout=5_000)
    retry.click()
    expect(message(newcomer, "Second in slow mode")).to_have_count(1)
    expect(newcomer.locator("#outgoing > li")).to_have_count(0)


def test_a_blocked_newcomer_is_told_why_and_keeps_the_draft(
    server: Server, browser: Any, room: Room, artifacts: Path, console_errors: list[str]
) -> None:
    maya = make_user("Maya", MODERATORS)
    nina = make_user("Nina")
    actions.send_message(user=maya, room=room, body="Welcome! Ask away.")
    page = open_room_page(browser, server, "Nina", console_errors)
    composer = page.get_by_label("Message to Help desk")
    composer.fill("Why was my article deleted?")

    # A moderator blocks her while she is typing.
    place_block(moderator=maya, user=nina, reason="Test block")
    composer.press("Enter")
    refusal = page.locator("#composer-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("You are blocked from writing anywhere in the chat")
    expect(refusal).to_contain_text("Reason: Test block")
    expect(composer).to_have_value("Why was my article deleted?")  # the draft is kept
    expect(page.locator("#outgoing > li")).to_have_count(0)
    assert not Message.objects.filter(author=nina).exists()

    # A reaction is refused the same way, on the message and by the message box.
    welcome = message(page, "Welcome! Ask away.")
    welcome.hover()
    welcome.get_by_label("Add a reaction").click()
    welcome.get_by_role("button", name="React with 👍").click()
    expect(welcome.locator(".msg-error")).to_contain_text("Reason: Test block")
    expect(welcome.locator(".reaction")).to_have_count(0)
    page.screenshot(path=str(artifacts / "moderation-blocked.png"))

    page.get_by_role("button", name="Dismiss").click()
    expect(refusal).to_be_hidden()
    expect(composer).to_be_focused()
