"""The room page in a real browser, against the real ASGI server.

Kept to three tests (the suite runs twice in CI on two cores): two people chatting live,
a dropped connection catching up exactly once, and the sign-in flow with screenshots.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MENTORS
from livechat import actions
from livechat.models import Message, ReadMarker, Room
from tests.conftest import make_user
from tests.e2e.conftest import ROOM_PATH, message, open_room, wait_live, wait_until, watch
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def room(e2e_db: None) -> Room:
    return Room.objects.create(
        slug="help-desk",
        name="Help desk",
        description="Ask anything about editing the wiki; mentors answer.",
    )


def test_two_people_see_each_others_messages_reactions_and_edits_live(
    server: Server, browser: Any, room: Room, console_errors: list[str]
) -> None:
    make_user("Alice")
    make_user("Bob", MENTORS)
    alice = open_room(browser, server, "Alice", console_errors)
    bob = open_room(browser, server, "Bob", console_errors)

    # Presence: each sees the other, and Bob is marked as a mentor.
    expect(alice.locator("#online-list")).to_contain_text("Bob")
    expect(
        alice.locator("#online-list .online-user", has_text="Bob").locator(".badge-mentor")
    ).to_be_visible()
    expect(bob.locator("#online-list")).to_contain_text("Alice")

    # Alice types (Bob sees it) and sends with Enter.
    alice.get_by_label("Message to Help desk").fill("How do I cite a source?")
    expect(bob.locator("#typing")).to_have_text("Alice is typing…")
    alice.get_by_label("Message to Help desk").press("Enter")
    expect(alice.get_by_label("Message to Help desk")).to_have_value("")

    on_bob = message(bob, "How do I cite a source?")
    expect(on_bob).to_have_count(1)
    expect(on_bob.locator(".msg-author")).to_have_text("Alice")
    expect(bob.locator("#typing")).to_have_text("")  # her message ends her typing
    on_alice = message(alice, "How do I cite a source?")
    expect(on_alice).to_have_count(1)
    expect(alice.locator("#outgoing > li")).to_have_count(0)  # confirmed, no longer pending
    message_id = on_alice.get_attribute("data-id")
    on_alice = alice.locator(f"#m-{message_id}")  # by id: its text is about to change
    on_bob = bob.locator(f"#m-{message_id}")
    expect(on_bob.locator(".msg-edit")).to_have_count(0)  # only the author may edit

    # Bob answers; Shift+Enter makes a new line inside the message.
    composer = bob.get_by_label("Message to Help desk")
    composer.fill("Use the")
    composer.press("Shift+Enter")
    composer.type("**cite** button")
    composer.press("Enter")
    answer = message(alice, "button")
    expect(answer).to_have_count(1)
    expect(answer.locator(".badge-mentor")).to_have_text("Mentor")
    expect(answer.locator(".msg-body strong")).to_have_text("cite")

    # Bob reacts to Alice's question; Alice sees the count and who reacted.
    on_bob.hover()
    on_bob.get_by_label("Add a reaction").click()
    on_bob.get_by_role("button", name="React with 👍").click()
    reaction = on_alice.locator('.reaction[data-emoji="👍"]')
    expect(reaction.locator(".reaction-count")).to_have_text("1")
    expect(reaction).to_have_attribute("title", "Bob")
    expect(reaction).to_have_attribute("aria-pressed", "false")
    expect(on_bob.locator('.reaction[data-emoji="👍"]')).to_have_attribute("aria-pressed", "true")
    # Alice adds hers by clicking the existing reaction.
    reaction.click()
    expect(on_bob.locator('.reaction[data-emoji="👍"] .reaction-count')).to_have_text("2")

    # Alice edits her question; Bob sees the new text and "(edited)".
    on_alice.hover()
    on_alice.get_by_role("button", name="Edit your message").click()
    editor = on_alice.get_by_label("Text of your message")
    expect(editor).to_be_focused()
    editor.fill("How do I cite a book?")
    editor.press("Enter")
    edited = on_bob
    expect(edited.locator(".msg-body")).to_have_text("How do I cite a book?")
    expect(edited.locator(".msg-edited")).to_have_text("(edited)")
    expect(on_alice.locator(".edit-form")).to_have_count(0)  # the editor closed
    expect(on_alice.locator(".msg-edited")).to_be_visible()

    # A conflicting edit: the message changes elsewhere while Alice's editor is open.
    on_alice.hover()
    on_alice.get_by_role("button", name="Edit your message").click()
    actions.edit_message(
        user=Message.objects.get(pk=message_id).author,
        message_id=int(message_id),
        body="How do I cite a journal?",
        base_revision=2,
    )
    editor = on_alice.get_by_label("Text of your message")
    editor.fill("How do I cite a website?")
    editor.press("Enter")
    expect(on_alice.locator(".edit-current")).to_contain_text("How do I cite a journal?")
    expect(on_alice.locator(".edit-notice")).to_contain_text("revision 3")
    expect(editor).to_have_value("How do I cite a website?")  # the draft is kept
    editor.press("Enter")  # saving again replaces the newer version
    expect(edited.locator(".msg-body")).to_have_text("How do I cite a website?")
    assert Message.objects.get(pk=message_id).revision == 4

    # Each message is on each page exactly once.
    for page in (alice, bob):
        expect(page.locator("#messages > li.msg")).to_have_count(2)


def test_a_dropped_connection_catches_up_once_and_sends_what_was_typed_offline(
    server: Server, browser: Any, room: Room, console_errors: list[str]
) -> None:
    alice_user = make_user("Alice")
    bob_user = make_user("Bob")
    actions.send_message(user=bob_user, room=room, body="Before the drop")
    page = open_room(browser, server, "Alice", console_errors)
    expect(message(page, "Before the drop")).to_have_count(1)

    # The network goes away and the socket with it.
    page.context.set_offline(True)
    page.evaluate("window.__chat.socket.close()")
    status = page.locator("#connection-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("Reconnecting")

    # Meanwhile Bob writes, and Alice writes too: hers waits in the queue.
    actions.send_message(user=bob_user, room=room, body="Sent while Alice was away")
    composer = page.get_by_label("Message to Help desk")
    composer.fill("Typed while offline")
    composer.press("Enter")
    queued = page.locator("#outgoing > li", has_text="Typed while offline")
    expect(queued.locator(".pending-state")).to_have_text("Waiting for the connection…")
    expect(status).to_contain_text("1 message will be sent then.")
    stored = page.evaluate("sessionStorage.getItem(Object.keys(sessionStorage)[0])")
    assert "Typed while offline" in stored  # survives a reload of the tab

    # Back online: the page reconnects, replays what it missed and sends its queue.
    page.context.set_offline(False)
    expect(status).to_be_hidden(timeout=20_000)
    expect(message(page, "Sent while Alice was away")).to_have_count(1)
    expect(message(page, "Typed while offline")).to_have_count(1)
    expect(page.locator("#outgoing > li")).to_have_count(0)

    # Drop it again without going offline: the reconnect must not duplicate anything.
    page.evaluate("window.__chat.socket.close()")
    page.wait_for_function("() => !window.__chat.live")
    page.wait_for_function("() => window.__chat.live", timeout=20_000)
    composer.fill("After the second drop")
    composer.press("Enter")
    expect(message(page, "After the second drop")).to_have_count(1)

    bodies = page.locator("#messages > li.msg .msg-body").all_inner_texts()
    assert bodies == [
        "Before the drop",
        "Sent while Alice was away",
        "Typed while offline",
        "After the second drop",
    ]
    assert Message.objects.filter(author=alice_user, body="Typed while offline").count() == 1
    assert page.evaluate("sessionStorage.getItem(Object.keys(sessionStorage)[0])") == "[]"


def test_signing_in_listing_rooms_and_the_room_page_on_desktop_and_phone(
    server: Server, browser: Any, room: Room, artifacts: Path, console_errors: list[str]
) -> None:
    alice = make_user("Alice")
    mentor = make_user("Maria", MENTORS)
    Room.objects.create(slug="newcomers", name="Newcomers' lounge", description="Say hello.")
    lounge = Room.objects.get(slug="newcomers")
    question = actions.send_message(
        user=alice, room=room, body="Hi! How do I add a picture to an article?"
    ).message
    answer = actions.send_message(
        user=mentor,
        room=room,
        body="Welcome! Upload it first, then use the *File* syntax.\nSee [[Help:Pictures]].",
    ).message
    actions.toggle_reaction(user=alice, message_id=answer.pk, emoji="🙏")
    actions.edit_message(
        user=alice,
        message_id=question.pk,
        body="Hi! How do I add a picture to an article about a town?",
        base_revision=1,
    )
    actions.send_message(user=mentor, room=lounge, body="Welcome, everyone!")

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    watch(page, console_errors)

    # Signed out, the room sends us to the login page; a wrong password says so.
    page.goto(f"{server.http}{ROOM_PATH}")
    expect(page).to_have_url(f"{server.http}/accounts/login/?next={ROOM_PATH}")
    page.get_by_label("Username").fill("Alice")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    page.screenshot(path=str(artifacts / "login-error.png"))

    # The right password lands on the room she asked for.
    page.get_by_label("Password").fill("pw-Alice")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.http}{ROOM_PATH}")
    wait_live(page)
    expect(page.locator(".site-header")).to_contain_text("Alice")
    expect(page.locator("#messages > li.msg")).to_have_count(2)
    expect(message(page, "about a town").locator(".msg-edited")).to_be_visible()
    expect(message(page, "Upload it first").locator(".badge-mentor")).to_be_visible()
    expect(message(page, "Upload it first").locator(".reaction")).to_have_attribute(
        "aria-pressed", "true"
    )
    time_element = message(page, "Upload it first").locator("time")
    expect(time_element).to_have_attribute(
        "title", answer.created_at.isoformat().replace("+00:00", "Z")
    )
    page.screenshot(path=str(artifacts / "room-desktop.png"))
    # Having seen the room, she has read it (the page sends `read` for the newest).
    wait_until(
        lambda: ReadMarker.objects.filter(
            user=alice, room=room, last_read_message_id=answer.pk
        ).exists()
    )

    # The room list: descriptions, and unread counts for the room she has not seen yet.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rooms").click()
    expect(page).to_have_url(f"{server.http}/")
    expect(page.locator(".room-card", has_text="Help desk").locator(".unread-badge")).to_have_count(
        0
    )
    lounge_card = page.locator(".room-card", has_text="Newcomers' lounge")
    expect(lounge_card).to_contain_text("Say hello.")
    expect(lounge_card.locator(".unread-badge")).to_contain_text("1")
    page.screenshot(path=str(artifacts / "room-list.png"))
    lounge_card.get_by_role("link").click()
    expect(page).to_have_url(f"{server.http}/rooms/newcomers/")
    wait_live(page)
    expect(message(page, "Welcome, everyone!")).to_have_count(1)

    # A phone, 360 px wide: nothing overflows sideways and sending works.
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        storage_state=context.storage_state(),
        has_touch=True,
        is_mobile=True,
    ).new_page()
    watch(phone, console_errors)
    phone.goto(f"{server.http}{ROOM_PATH}")
    wait_live(phone)
    composer = phone.get_by_label("Message to Help desk")
    expect(composer).to_be_visible()
    composer.fill("Sent from my phone")
    phone.get_by_role("button", name="Send").click()
    expect(message(phone, "Sent from my phone")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "room-phone.png"))
    phone.goto(f"{server.http}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "room-list-phone.png"))

    # Logging out is a POST from the header.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{server.http}/accounts/login/")
