"""The Content-Security-Policy in real Chromium (docs/security.md): the room, the widget,
the helpers' queue, the settings page, the sign-in and lock-out pages, and every admin
list and form of the moderation, used (a message sent, the filter editor typed in) with
zero policy violations. The socket ('self' covering ws:) and every script and style load."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MENTORS
from tests.conftest import make_user
from tests.e2e.conftest import ROOM_PATH, sign_in, wait_live, watch
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every violation the page sees (its own, its frames' are theirs), kept on window.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""


def _context(browser: Any, errors: list[str], csp_console: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.add_init_script(RECORD_VIOLATIONS)

    def on_page(page: Any) -> None:
        watch(page, errors)
        page.on(
            "console",
            lambda message: (
                csp_console.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )

    context.on("page", on_page)
    return context


def _assert_clean(page: Any, csp_console: list[str], where: str) -> None:
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], f"{where}: {violations}"
    assert csp_console == [], f"{where}: {csp_console}"


@pytest.fixture
def csp_console() -> list[str]:
    return []


def test_the_chat_pages_run_under_the_policy(
    server: Server, browser: Any, room: Any, console_errors: list[str], csp_console: list[str]
) -> None:
    make_user("Alice")
    make_user("Mentor", MENTORS)
    page = _context(browser, console_errors, csp_console).new_page()
    sign_in(page, server.http, "Alice", "pw-Alice", ROOM_PATH)
    wait_live(page)  # the socket: connect-src 'self' covers ws: on the page's own origin
    composer = page.get_by_label("Message to Help desk")
    composer.fill("Does **this** work under the _policy_? :smile: https://example.org")
    composer.press("Enter")
    expect(page.locator("#messages > li.msg", has_text="Does this work")).to_be_visible()
    _assert_clean(page, csp_console, "room")

    # The widget, opened as its own page (its frame-ancestors only matter in a frame).
    page.goto(f"{server.http}{ROOM_PATH}embed/")
    wait_live(page)
    composer = page.get_by_label("Message to Help desk")
    composer.fill("And from the widget")
    composer.press("Enter")
    expect(page.locator("#messages > li.msg", has_text="And from the widget")).to_be_visible()
    _assert_clean(page, csp_console, "widget")

    page.goto(f"{server.http}/notifications/settings/")
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    _assert_clean(page, csp_console, "settings")

    # The helpers' queue, with Alice's question in it.
    mentor = _context(browser, console_errors, csp_console).new_page()
    sign_in(mentor, server.http, "Mentor", "pw-Mentor", "/helpdesk/")
    expect(mentor.locator("#helpdesk-badge .helpdesk-badge-count")).to_have_text("1")
    _assert_clean(mentor, csp_console, "queue")
    mentor.goto(f"{server.http}{ROOM_PATH}")
    wait_live(mentor)
    _assert_clean(mentor, csp_console, "the room as a mentor")


def test_the_sign_in_and_lock_out_pages(
    server: Server, browser: Any, e2e_db: None, console_errors: list[str], csp_console: list[str]
) -> None:
    page = _context(browser, [], csp_console).new_page()
    page.goto(f"{server.http}/accounts/login/")
    _assert_clean(page, csp_console, "sign-in")
    for _ in range(5):
        page.get_by_label("Username").fill("Nobody")
        page.get_by_label("Password").fill("guess")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Too many sign-in attempts")).to_be_visible()
    _assert_clean(page, csp_console, "lock-out")


def test_every_admin_list_and_form_and_the_filter_editor(
    server: Server, browser: Any, room: Any, console_errors: list[str], csp_console: list[str]
) -> None:
    from django.contrib import admin
    from django.urls import reverse

    from livechat import actions
    from moderation.models import AbuseFilter

    root = make_user("Root", is_staff=True, is_superuser=True)
    alice = make_user("Alice")
    # Off Playwright's thread, whose event loop the publish after commit would trip on.
    with ThreadPoolExecutor(1) as pool:
        message = pool.submit(
            lambda: actions.send_message(user=alice, room=room, body="hello").message
        ).result()
    page = _context(browser, console_errors, csp_console).new_page()
    sign_in(page, server.http, "Root", "pw-Root", "/admin/")
    _assert_clean(page, csp_console, "admin index")
    paths = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        paths.append(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        if model_admin.has_add_permission(_Request(root)):
            paths.append(reverse(f"admin:{info[0]}_{info[1]}_add"))
    paths.append(reverse("admin:livechat_message_change", args=[message.pk]))
    for path in paths:
        response = page.goto(f"{server.http}{path}")
        assert response.status == 200, path
        _assert_clean(page, csp_console, path)

    # The filter editor, typed in: its highlighting and completion build styles by script.
    page.goto(f"{server.http}/admin/moderation/abusefilter/add/")
    rule = page.get_by_label("Rule")
    rule.click()
    page.keyboard.type('new_wikitext contains "x" &\n  (user_a')
    expect(page.locator(".rule-status")).to_contain_text("Line 2")
    _assert_clean(page, csp_console, "filter editor")
    assert AbuseFilter.objects.count() == 0


class _Request:
    def __init__(self, user: Any) -> None:
        self.user = user
