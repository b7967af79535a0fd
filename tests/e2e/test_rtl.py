"""Right to left in Chromium: in Arabic the whole layout mirrors (the sidebar on the right,
the message box's Send button at its left, the messages' marks on their right), pointing
icons turn round, an English message in the Arabic page reads left to right on its own
(dir="auto"), and the 360 px widget never scrolls sideways.

The server runs with Arabic among its languages (LIVECHAT_LANGUAGES=en,ar), whether or not
the Arabic catalog has shipped: the direction comes from the language, not the
translation. The browser asks for Arabic through Accept-Language (the context's locale).

Screenshots of the room, the widget and the queue in Arabic go to test-artifacts/, or to
docs/screenshots/ with LIVECHAT_WRITE_SCREENSHOTS=1 (run them once the Arabic catalog is
compiled, so the words are Arabic too):

    LIVECHAT_WRITE_SCREENSHOTS=1 .venv/bin/pytest -p no:cacheprovider tests/e2e/test_rtl.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connections
from playwright.sync_api import expect

from accounts.roles import MENTORS
from livechat import actions
from livechat.models import Room
from tests.conftest import fresh, make_user
from tests.e2e.conftest import ROOM_PATH, require_browser, wait_live, watch
from tests.helpdesk.helpers import ask
from tests.servers import Server, asgi_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ENGLISH = "How do I add a citation to the Eiffel Tower article?"
ARABIC = "كيف أضيف مرجعًا إلى مقالة برج إيفل؟"


@pytest.fixture(scope="module")
def chat_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """conftest's server, with Arabic among the languages it offers."""
    require_browser()
    env = {"LIVECHAT_LANGUAGES": "en,ar"}
    with asgi_server(tmp_path_factory.mktemp("e2e-rtl-server"), env=env) as server:
        yield server


@pytest.fixture
def shots(artifacts: Path) -> Path:
    if os.environ.get("LIVECHAT_WRITE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return artifacts


@pytest.fixture
def desk(e2e_db: None, settings: Any) -> dict[str, Any]:
    """The help desk with a question in Arabic, an answer in English and a thank-you."""
    # A help room in this process too, so that the message seeded here opens a question.
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]

    def work() -> dict[str, Any]:
        # In a thread of its own, away from Playwright's event loop: the actions publish
        # after commit (see test_helpdesk_journeys.off_loop).
        try:
            room = Room.objects.create(slug="help-desk", name="مكتب المساعدة")
            asker, mentor = make_user("Alice"), make_user("Mia", MENTORS)
            question = ask(asker, room, ARABIC)
            answer = actions.send_message(
                user=fresh(mentor),
                room=room,
                body=f"{ENGLISH} Use the **Cite** button.",
                reply_to=question.first_message_id,
            ).message
            actions.send_message(user=fresh(asker), room=room, body="شكرًا جزيلًا!")
            return {"room": room, "question": question, "answer": answer}
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def arabic_page(browser: Any, server: Server, username: str, path: str, errors: list[str], **kw):
    """A browser that asks for Arabic, signed in as ``username`` on ``path``. The login form
    is found by its fields, not its (translated) labels."""
    page = browser.new_context(locale="ar", **kw).new_page()
    watch(page, errors)
    page.goto(f"{server.http}/accounts/login/?{urlencode({'next': path})}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(f"pw-{username}")
    page.locator("form.stacked-form [type=submit]").click()
    page.wait_for_url(f"{server.http}{path}")
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    return page


def box(locator: Any) -> dict[str, float]:
    result = locator.bounding_box()
    assert result, "the element is not shown"
    return result


def direction(locator: Any) -> str:
    return locator.evaluate("node => getComputedStyle(node).direction")


def mirrored(locator: Any) -> bool:
    return (
        locator.evaluate("node => getComputedStyle(node).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    )


def no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def test_the_room_mirrors_in_arabic(
    server: Server, browser: Any, desk: dict[str, Any], shots: Path, console_errors: list[str]
) -> None:
    page = arabic_page(
        browser, server, "Alice", ROOM_PATH, console_errors, viewport={"width": 1100, "height": 720}
    )
    wait_live(page)

    # The sidebar on the right of the conversation.
    assert box(page.locator(".sidebar"))["x"] > box(page.locator(".chat"))["x"]
    # Send at the inline end of the message box: its left.
    send, text = box(page.locator("#composer [type=submit]")), box(page.locator("#composer-input"))
    assert send["x"] + send["width"] <= text["x"]
    assert page.locator("#composer-input").get_attribute("dir") == "auto"
    # A message's mark (mentions, links) on its start side: the right.
    first = page.locator("#messages > li.msg").first
    borders = first.evaluate(
        "node => [getComputedStyle(node).borderRightWidth, getComputedStyle(node).borderLeftWidth]"
    )
    assert borders == ["3px", "0px"]
    # The header's tools at the inline end: the left, the site's name on the right.
    assert box(page.locator(".site-name"))["x"] > box(page.locator(".header-tools"))["x"]

    # An English message reads left to right in the Arabic page, an Arabic one right to left.
    english = page.locator("#messages > li.msg", has_text=ENGLISH)
    body = english.locator(".msg-body")
    expect(body).to_have_attribute("dir", "auto")
    assert direction(body) == "ltr"
    arabic = page.locator("#messages > li.msg", has_text="شكرًا").locator(".msg-body")
    assert direction(arabic) == "rtl"
    # Names isolated; the reply's arrow turned round.
    expect(english.locator("bdi.msg-author")).to_have_text("Mia")
    assert mirrored(english.locator(".msg-reply-to .icon-mirror"))
    expect(english.locator(".msg-reply-to bdi.msg-reply-author")).to_have_text("Alice")

    # The message box: typing English in it runs left to right.
    page.locator("#composer-input").fill("Hello")
    assert direction(page.locator("#composer-input")) == "ltr"
    page.locator("#composer-input").fill("")
    no_sideways_scroll(page)
    page.screenshot(path=str(shots / "room-ar.png"))


def test_an_arabic_message_reads_right_to_left_in_an_english_page(
    server: Server, browser: Any, desk: dict[str, Any], console_errors: list[str]
) -> None:
    page = browser.new_context(locale="en-US").new_page()
    watch(page, console_errors)
    page.goto(f"{server.http}/accounts/login/?{urlencode({'next': ROOM_PATH})}")
    page.locator("#id_username").fill("Mia")
    page.locator("#id_password").fill("pw-Mia")
    page.locator("form.stacked-form [type=submit]").click()
    page.wait_for_url(f"{server.http}{ROOM_PATH}")
    wait_live(page)

    assert page.evaluate("document.documentElement.dir") == "ltr"
    first = desk["question"].first_message_id
    question = page.locator(f"#m-{first} .msg-body")
    expect(question).to_have_text(ARABIC)
    assert direction(question) == "rtl"
    # Pointing icons only turn round in right-to-left text.
    english = page.locator("#messages > li.msg", has_text=ENGLISH)
    assert not mirrored(english.locator(".msg-reply-to .icon-mirror"))


def test_the_widget_mirrors_and_fits_360_pixels(
    server: Server, browser: Any, desk: dict[str, Any], shots: Path, console_errors: list[str]
) -> None:
    path = "/rooms/help-desk/embed/"
    page = arabic_page(
        browser, server, "Alice", path, console_errors, viewport={"width": 360, "height": 600}
    )
    wait_live(page)

    no_sideways_scroll(page)
    scroller = page.locator("#scroller")
    assert scroller.evaluate("node => node.scrollWidth <= node.clientWidth")
    send, text = box(page.locator("#composer [type=submit]")), box(page.locator("#composer-input"))
    assert send["x"] + send["width"] <= text["x"]
    # "Open ↗" at the bar's inline end (the left), its arrow pointing up and to the left.
    assert box(page.locator(".embed-open"))["x"] < box(page.locator(".embed-title"))["x"]
    assert mirrored(page.locator(".embed-open .icon-mirror"))
    english = page.locator("#messages > li.msg", has_text=ENGLISH).locator(".msg-body")
    assert direction(english) == "ltr"
    page.screenshot(path=str(shots / "widget-ar.png"))


def test_the_queue_mirrors_in_arabic(
    server: Server, browser: Any, desk: dict[str, Any], shots: Path, console_errors: list[str]
) -> None:
    page = arabic_page(
        browser,
        server,
        "Mia",
        "/helpdesk/",
        console_errors,
        viewport={"width": 1100, "height": 720},
    )
    expect(page.locator("#queue-list")).to_have_attribute("aria-busy", "false")
    row = page.locator("#queue-list > li.q").first
    expect(row).to_be_visible()

    # The wait on the row's start side (the right), the question after it.
    assert box(row.locator(".q-wait"))["x"] > box(row.locator(".q-main"))["x"]
    expect(row.locator("bdi.q-asker")).to_have_text("Alice")
    expect(row.locator(".q-text")).to_have_attribute("dir", "auto")
    assert direction(row.locator(".q-text")) == "rtl"
    no_sideways_scroll(page)
    page.screenshot(path=str(shots / "queue-ar.png"))

    page.set_viewport_size({"width": 360, "height": 640})
    no_sideways_scroll(page)
