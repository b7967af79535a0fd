"""The helpers' queue in a real browser: a newcomer's question shows up live with its
asker and first line, the badge counts it, "I'm on it" and "Mark answered" work, and the
settings form answers with the server's sentence next to the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MENTORS
from helpdesk.models import Question
from tests.conftest import make_user
from tests.e2e.conftest import open_room, sign_in, wait_until, watch
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_queue(browser: Any, server: Server, username: str, errors: list[str]) -> Any:
    page = browser.new_context().new_page()
    watch(page, errors)
    sign_in(page, server.http, username, f"pw-{username}", "/helpdesk/")
    expect(page.locator("#queue-list")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#queue-connection")).to_be_hidden()
    return page


def test_a_question_arrives_live_and_is_claimed_and_answered(
    server: Server, browser: Any, room: Any, artifacts: Path, console_errors: list[str]
) -> None:
    make_user("Mentor", MENTORS)
    make_user("Alice")
    queue = open_queue(browser, server, "Mentor", console_errors)
    expect(queue.locator("#queue-empty")).to_have_text("No open questions.")
    badge = queue.locator("#helpdesk-badge")
    expect(badge.locator(".helpdesk-badge-count")).to_have_text("0")

    asker = open_room(browser, server, "Alice", console_errors)
    asker.locator("#composer-input").fill("How do I add a picture to an article?")
    asker.locator("#composer-input").press("Enter")

    row = queue.locator("#queue-list > li.q")
    expect(row).to_have_count(1, timeout=2_000)
    expect(row.locator(".q-asker")).to_have_text("Alice")
    expect(row.locator(".q-text")).to_have_text("How do I add a picture to an article?")
    expect(row.locator(".q-facts")).to_contain_text("1 message sent")
    expect(row.locator(".q-state-text")).to_have_text("Waiting for a helper")
    expect(badge.locator(".helpdesk-badge-count")).to_have_text("1", timeout=2_000)
    expect(badge.locator(".helpdesk-badge-text")).to_contain_text("1 question waiting, for")
    expect(queue.locator("#queue-live")).to_have_text("New question from Alice")
    question = Question.objects.get()
    expect(row.get_by_role("link", name="Open in room")).to_have_attribute(
        "href", f"/rooms/help-desk/#message-{question.first_message_id}"
    )

    # Keyboard: the claim button takes the focus and Enter presses it.
    row.get_by_role("button", name="I'm on it").focus()
    queue.keyboard.press("Enter")
    expect(row.locator(".q-state-text")).to_have_text("You are on it")
    expect(row.locator(".q-claim-left")).to_have_text("(10 min left)")
    expect(row.get_by_role("button", name="Release")).to_be_visible()
    wait_until(lambda: Question.objects.get().state == "claimed")
    expect(badge.locator(".helpdesk-badge-count")).to_have_text("0", timeout=2_000)
    queue.screenshot(path=str(artifacts / "queue-claimed.png"), full_page=True)

    row.get_by_role("button", name="Mark answered").click()
    expect(row).to_have_count(0)
    wait_until(lambda: Question.objects.get().state == "resolved")
    queue.locator("button[data-filter='all']").click()
    expect(queue.locator("#queue-list > li.q .q-state-text")).to_have_text("Resolved")
    assert queue.url.endswith("/helpdesk/?state=all")


def test_the_settings_form_shows_a_refusal_next_to_its_field(
    server: Server, browser: Any, room: Any, console_errors: list[str]
) -> None:
    make_user("Mentor", MENTORS)
    make_user("Backup", MENTORS)
    queue = open_queue(browser, server, "Mentor", console_errors)
    form = queue.locator("#helper-settings")
    form.get_by_label("Backup mentor while I am away").select_option(label="Backup")
    form.get_by_label("New mentees").select_option("4")
    form.get_by_label("Mute escalation notices").select_option("60")
    form.get_by_role("button", name="Save settings").click()
    expect(form.locator("#settings-status")).to_have_text("Settings saved.")
    expect(form.locator("#settings-mute-status")).to_contain_text("muted until")

    # The browser's date picker keeps to the limits; a typed-in date past them is the
    # server's to refuse.
    away = form.get_by_label("Back on")
    away.evaluate("input => { input.removeAttribute('max'); input.value = '2099-01-01'; }")
    form.get_by_role("button", name="Save settings").click()
    expect(form.locator("#settings-away-error")).to_contain_text("Away lasts at most a year")
    expect(away).to_have_attribute("aria-invalid", "true")
    # Chromium logs the refused request itself; the page handled it.
    console_errors[:] = [e for e in console_errors if "status of 400" not in e]
