"""Help while waiting in a real browser, without a wiki (answered questions alone still
show): typing a question shows similar answered ones; "Yes" clears the draft with a kind
word; "No, I'll ask a person" sends it; Send works throughout; the widget shows them too."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import expect

from accounts.roles import MENTORS
from livechat.models import Room
from tests.conftest import make_user
from tests.e2e.conftest import message, open_room, wait_live
from tests.helpdesk.helpers import ask, reply
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _help_room(settings: Any) -> None:
    # A help room in this process too, so that the question seeded here is a question.
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]


def answered_earlier(room: Room) -> Any:
    """Bob asked, a mentor answered: in a thread of its own, away from Playwright's event
    loop (the actions publish after commit; see test_helpdesk_journeys.off_loop)."""

    def work() -> Any:
        try:
            bob, mentor = make_user("Bob"), make_user("Mia", MENTORS)
            question = ask(bob, room, "How can I upload a picture to my article?")
            reply(mentor, question, "Use Special:Upload, then add [[File:…]] to the article.")
            return question
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def test_an_asker_sees_answered_questions_while_typing_and_can_always_send(
    server: Server, browser: Any, room: Room, console_errors: list[str]
) -> None:
    make_user("Alice")
    earlier = answered_earlier(room)

    alice = open_room(browser, server, "Alice", console_errors)
    box = alice.get_by_label("Message to Help desk")
    send = alice.get_by_role("button", name="Send")
    panel = alice.get_by_role("region", name="These might answer your question")

    # A few words: nothing yet; a few more: the answered question, announced once.
    box.press_sequentially("upload a")
    expect(panel).to_be_hidden()
    box.press_sequentially(" picture to the article")
    expect(panel).to_be_visible()
    found = panel.get_by_role("link", name="How can I upload a picture to my article?")
    expect(found).to_have_attribute(
        "href", f"/rooms/help-desk/archive/messages/{earlier.first_message_id}/"
    )
    expect(alice.locator("#helpdesk-suggestions-announce")).to_have_text(
        "1 help page might answer this"
    )
    expect(send).to_be_enabled()

    # "Yes": the draft goes, with a kind word; nothing is sent.
    panel.get_by_role("button", name="Yes").click()
    expect(box).to_have_value("")
    expect(panel).to_be_hidden()
    expect(alice.get_by_role("status").filter(has_text="Glad that helped")).to_be_visible()
    expect(box).to_be_focused()

    # "No, I'll ask a person": the draft is sent as Send would, focus stays in the box.
    box.fill("")
    box.press_sequentially("Uploading my picture for an article fails")
    expect(panel).to_be_visible()
    panel.get_by_role("button", name="No, I'll ask a person").click()
    expect(message(alice, "Uploading my picture for an article fails")).to_be_visible()
    expect(box).to_have_value("")
    expect(panel).to_be_hidden()
    expect(box).to_be_focused()

    # Send never waits for suggestions: a draft sent before they come is simply sent, and
    # shows none. (That an answer arriving after the send shows nothing is the planner's
    # rule, tested with injected timers in tests/js/suggest-model.test.mjs.)
    box.fill("Where does the picture upload go in an article")
    send.click()
    expect(message(alice, "Where does the picture upload go in an article")).to_be_visible()
    expect(panel).to_be_hidden()

    # The widget (embed) shows them too.
    alice.goto(f"{server.http}/rooms/help-desk/embed/")
    wait_live(alice)
    alice.get_by_label("Message to Help desk").press_sequentially("upload a picture article")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link")).to_have_count(1)


def test_helpers_get_no_suggestions(
    server: Server, browser: Any, room: Room, console_errors: list[str]
) -> None:
    make_user("Mia", MENTORS)
    mia = open_room(browser, server, "Mia", console_errors)
    expect(mia.locator("#helpdesk-suggestions")).to_have_count(0)
