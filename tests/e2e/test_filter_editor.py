"""The abuse-filter editor and Import from the wiki in real Chromium, against the real ASGI
server (and, for the import, the real local MediaWiki): a broken rule's error shown in place
with its line and column as you type, completions accepted from the keyboard, and a wiki
filter imported through the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import MODERATORS
from livechat import actions
from livechat.models import Room
from moderation.models import AbuseFilter
from tests.conftest import make_user
from tests.e2e.axe import AXE, inject_axe
from tests.e2e.conftest import require_browser, sign_in, watch
from tests.moderation.test_filter_import import PILLS, PILLS_RULE, ensure
from tests.servers import Server, asgi_server
from tests.wiki.conftest import LocalWiki, local_wiki  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADD_PATH = "/admin/moderation/abusefilter/add/"


@pytest.fixture(scope="module")
def chat_server(
    django_db_setup: None,
    tmp_path_factory: pytest.TempPathFactory,
    local_wiki: LocalWiki,  # noqa: F811
) -> Iterator[Server]:
    """The server, reading the local wiki's filters as the chat's bot."""
    require_browser()
    env = {
        "LIVECHAT_WIKI_API": local_wiki.api,
        "LIVECHAT_WIKI_BOT_USER": local_wiki.bot_user,
        "LIVECHAT_WIKI_BOT_PASSWORD": local_wiki.bot_password,
    }
    with asgi_server(tmp_path_factory.mktemp("filter-editor"), env=env) as server:
        yield server


def moderator_page(browser: Any, server: Server, errors: list[str], path: str) -> Any:
    make_user("Maya", MODERATORS)
    # bypass_csp for axe-core, whose colour checks set style attributes the pages' policy
    # refuses; tests/e2e/test_csp.py proves the policy on this editor while typing.
    page = browser.new_context(viewport={"width": 1100, "height": 800}, bypass_csp=True).new_page()
    watch(page, errors)
    sign_in(page, server.http, "Maya", "pw-Maya", path)
    return page


def test_errors_show_in_place_as_you_type_and_names_complete_from_the_keyboard(
    server: Server, browser: Any, e2e_db: None, console_errors: list[str]
) -> None:
    page = moderator_page(browser, server, console_errors, ADD_PATH)
    rule = page.get_by_label("Rule")
    expect(rule).to_have_attribute("aria-autocomplete", "list")
    status = page.locator(".rule-status")
    expect(status).to_have_attribute("aria-live", "polite")

    # A broken rule: the error, with its line and column, under the box; its place marked.
    rule.click()
    page.keyboard.type('new_wikitext contains "x" &\n  (user_age')
    expect(status).to_contain_text(re.compile(r"Line 2, column \d+:"))
    expect(page.locator(".rule-highlight .rule-error-here")).to_have_count(1)
    # "Go to the error" puts the caret there, from the keyboard.
    go_to = page.get_by_role("button", name="Go to the error")
    go_to.focus()
    page.keyboard.press("Enter")
    expect(rule).to_be_focused()
    caret = rule.evaluate("node => node.selectionStart")
    column = int(re.search(r"column (\d+)", status.inner_text())[1])
    value = rule.input_value()
    assert caret == value.index("\n") + column  # line 2, column N: just past the newline

    # Completion: a variable with Tab.
    page.keyboard.press("Control+End")
    page.keyboard.type(" > 5) & user_gr")
    listbox = page.get_by_role("listbox", name="Variables and functions")
    expect(listbox).to_be_visible()
    option = listbox.get_by_role("option", selected=True)
    expect(option).to_contain_text("user_groups")
    expect(rule).to_have_attribute("aria-activedescendant", re.compile(r".+"))
    page.keyboard.press("Tab")
    expect(listbox).to_be_hidden()
    expect(rule).to_be_focused()
    assert rule.input_value().endswith("& user_groups")
    # A function with Enter, its parenthesis added; Down chooses the next one.
    page.keyboard.type(" | lc")
    expect(listbox.get_by_role("option", selected=True)).to_contain_text("lcase(")
    page.keyboard.press("Enter")
    assert rule.input_value().endswith("| lcase(")
    # Escape closes the list and leaves the text alone.
    page.keyboard.type('new_wikitext) contains "a" & new_w')
    expect(listbox).to_be_visible()
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    assert rule.input_value().endswith("& new_w")
    page.keyboard.type("ikitext")
    expect(status.locator(".rule-status-text")).to_have_text("No syntax errors.")
    expect(go_to).to_be_hidden()
    expect(page.locator(".rule-highlight .rule-error-here")).to_have_count(0)

    # The rule coloured behind the textarea, left to right.
    highlight = page.locator(".rule-highlight")
    expect(highlight.locator(".tok-keyword", has_text="contains").first).to_be_visible()
    expect(highlight.locator(".tok-function", has_text="lcase")).to_have_count(1)
    expect(highlight.locator(".tok-variable", has_text="user_groups")).to_have_count(1)
    expect(highlight.locator(".tok-string").first).to_have_text('"x"')
    assert page.locator(".rule-editor").get_attribute("dir") == "ltr"

    # axe-core on the editor as it stands (colours of the tokens included), when installed.
    if AXE.exists():
        inject_axe(page)
        violations = page.evaluate(
            "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
            ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
        )
        assert violations == []

    # Saved as typed: the editor is the same form underneath.
    page.get_by_label("Name").fill("Typed in the browser")
    page.get_by_label("Description").fill("Typed")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("is saved")
    # (A form sends a textarea's line breaks as CRLF.)
    assert AbuseFilter.objects.get().rule.replace("\r\n", "\n") == rule.input_value()


@pytest.fixture
def sent(e2e_db: None) -> None:
    """A message the wiki's filter matches, sent before the browser starts (its broadcast
    needs no running event loop in this thread)."""
    room = Room.objects.create(slug="help-desk", name="Help desk")
    actions.send_message(user=make_user("Bob"), room=room, body="cheap pills, anyone?")


def test_a_wiki_filter_is_imported_after_its_check_and_dry_run(
    sent: None,
    server: Server,
    browser: Any,
    local_wiki: LocalWiki,  # noqa: F811
    console_errors: list[str],
) -> None:
    wiki_id = ensure(local_wiki, description=PILLS, rules=PILLS_RULE, tag="chat-import-test")
    page = moderator_page(browser, server, console_errors, "/admin/moderation/abusefilter/")

    page.get_by_role("link", name="Import from the wiki").click()
    row = page.locator(f"#wiki-filter-{wiki_id}")
    expect(row).to_contain_text(PILLS)
    row.get_by_role("button", name=f"Import filter {wiki_id}").click()

    expect(page.locator("#rule-check")).to_have_text("The rule parses.")
    expect(page.locator("#trial-heading")).to_contain_text("matched 1 of the last 1 message")
    variables = page.locator(".trial-vars")
    variables.locator("summary").click()
    expect(variables.locator("dd").first).to_contain_text('"cheap pills, anyone?"')
    page.get_by_role("button", name="Import as a disabled filter").click()

    expect(page.locator(".messagelist")).to_contain_text("imported from the wiki, disabled")
    original = page.locator(f'#content-main a[href$="Special:AbuseFilter/{wiki_id}"]')
    expect(original).to_be_visible()
    imported = AbuseFilter.objects.get()
    assert not imported.enabled and imported.rule == PILLS_RULE
    assert page.get_by_label("Rule").input_value() == PILLS_RULE
