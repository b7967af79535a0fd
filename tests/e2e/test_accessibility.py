"""axe-core over every page, in real Chromium: English and Arabic (right to left), light
and dark themes. No serious or critical violation may remain (docs/accessibility.md).

axe-core is the npm package (package.json; `make setup` runs `npm ci`); it is injected
into each page and run with the WCAG 2.0/2.1 A and AA rules and axe's best practices.
Each page is loaded once per language and checked in both themes (the theme follows
prefers-color-scheme, which Playwright switches without a reload).

Arabic needs ``ar`` in the server's LANGUAGES. The server here is started with
LIVECHAT_LANGUAGES=en,ar, so the right-to-left layout is checked even while the Arabic
catalog is still being translated (untranslated strings show in English); if the server
does not offer Arabic anyway, the Arabic half skips and says why.

Also here: the room with the keyboard alone (send a message, open and close a message's
menu) with a visible focus, and reduced motion.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from accounts.roles import MENTORS, MODERATORS
from livechat import actions
from livechat.models import Room
from tests.conftest import make_user
from tests.e2e.axe import AXE, inject_axe
from tests.e2e.conftest import require_browser, wait_live, watch
from tests.servers import Server, asgi_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
ROOM = "/rooms/help-desk/"


@pytest.fixture(scope="module")
def chat_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """This module's server offers Arabic, translated or not, to check the mirrored
    layout (tests/e2e/conftest.py's chat_server, with LIVECHAT_LANGUAGES)."""
    require_browser()
    with asgi_server(
        tmp_path_factory.mktemp("a11y-server"), env={"LIVECHAT_LANGUAGES": "en,ar"}
    ) as server:
        yield server


def require_axe() -> None:
    if AXE.exists():
        return
    reason = f"axe-core is not installed ({AXE.relative_to(ROOT)}: run make setup)"
    if os.environ.get("LIVECHAT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and LIVECHAT_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


@pytest.fixture
def desk(e2e_db: None) -> dict[str, Any]:
    """A help room with a conversation (a question, an answer, a reply), a quieter room,
    a newcomer, and a helper who also moderates."""
    from notifications import tokens
    from notifications.kinds import EMAIL_KINDS
    from notifications.models import EmailSettings

    room = Room.objects.create(
        slug="help-desk", name="Help desk", description="Ask anything about editing the wiki."
    )
    Room.objects.create(slug="lounge", name="Lounge", description="Chat.")
    alice = make_user("Alice")
    helper = make_user("Mod", MENTORS, MODERATORS)
    question = actions.send_message(
        user=alice, room=room, body="How do I add a **citation** to an article?"
    ).message
    answer = actions.send_message(
        user=helper,
        room=room,
        body="@Alice put the link between <ref> and </ref>:\n\n> like this\n\n- one\n- two",
        reply_to=question.pk,
    ).message
    actions.send_message(user=alice, room=room, body="Thank you, it works!", reply_to=answer.pk)
    address = "alice@example.org"
    EmailSettings.objects.create(user=alice, address=address)
    return {
        "question": question,
        "answer": answer,
        "verify": tokens.make(tokens.VERIFY_SALT, {"u": alice.pk, "a": address}),
        "unsubscribe": tokens.make(
            tokens.UNSUBSCRIBE_SALT, {"u": alice.pk, "k": list(EMAIL_KINDS)[:1]}
        ),
    }


def axe_violations(page: Any) -> list[dict[str, Any]]:
    inject_axe(page)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: tags}).then(r => r.violations.map(v => ({"
        "  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
        "  nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))"
        "})))",
        AXE_TAGS,
    )
    return [v for v in result if v["impact"] in BLOCKING]


def describe(where: str, violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            summary = " ".join(node["summary"].split())[:300]
            lines.append(f"    {node['target']}  {summary}")
    return lines


def check(page: Any, where: str, found: list[str]) -> None:
    """axe on the page as it stands, in the light theme and then in the dark one."""
    page.wait_for_load_state("load")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        # Reduced motion shortens transitions to 0.01 ms, but a transition still starts
        # from the old colour and moves only when a frame is rendered: two frames, and
        # every colour is the new scheme's (axe read a stale background now and then).
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        found.extend(describe(f"{where} [{scheme}]", axe_violations(page)))
    page.emulate_media(color_scheme="light")


def sign_in_any_language(page: Any, base: str, username: str, path: str) -> None:
    """The login form by its fields, whatever language its labels are in."""
    page.goto(f"{base}/accounts/login/?{urlencode({'next': path})}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(f"pw-{username}")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{base}{path}")


def new_page(browser: Any, language: str, errors: list[str]) -> Any:
    # bypass_csp: axe-core's colour checks set style attributes on the page, which the
    # pages' Content-Security-Policy refuses (rightly); the policy itself is proven by
    # tests/e2e/test_csp.py, with no test tool in the page.
    page = browser.new_context(
        locale=language,
        viewport={"width": 1100, "height": 800},
        reduced_motion="reduce",
        bypass_csp=True,
    ).new_page()
    watch(page, errors)
    return page


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_serious_or_critical_violation_on_any_page(
    language: str, desk: dict[str, Any], server: Server, browser: Any, console_errors: list[str]
) -> None:
    require_axe()
    base = server.http
    found: list[str] = []
    today = datetime.date.today().isoformat()

    # Signed out: the sign-in page, the widget's sign-in, the mailed links' pages.
    visitor = new_page(browser, language, console_errors)
    visitor.goto(f"{base}/accounts/login/")
    if language != "en":
        lang = visitor.locator("html").get_attribute("lang")
        if lang != language:
            pytest.skip(
                f"the server does not offer {language!r} (LANGUAGES lacks it: <html lang="
                f"{lang!r}>); it joins when its translation is complete (docs/translating.md)"
            )
        assert visitor.locator("html").get_attribute("dir") == "rtl"
    check(visitor, "sign-in page", found)
    visitor.goto(f"{base}{ROOM}embed/")
    check(visitor, "widget, signed out", found)
    visitor.goto(f"{base}/notifications/unsubscribe/{desk['unsubscribe']}/")
    check(visitor, "unsubscribe page", found)
    visitor.get_by_role("button").last.click()
    visitor.wait_for_load_state("load")
    check(visitor, "unsubscribed page", found)
    visitor.goto(f"{base}/notifications/verify/{desk['verify']}/")
    check(visitor, "verified page", found)
    # A 400 page, which Chromium logs as an error: on a page not watched for errors.
    invalid = visitor.context.new_page()
    invalid.goto(f"{base}/notifications/verify/not-a-token/")
    check(invalid, "invalid link page", found)

    # A newcomer: the room list, the room, the widget, the archive, settings.
    alice = new_page(browser, language, console_errors)
    sign_in_any_language(alice, base, "Alice", "/")
    check(alice, "room list", found)
    alice.goto(f"{base}{ROOM}")
    wait_live(alice)
    check(alice, "room (newcomer)", found)
    alice.goto(f"{base}{ROOM}embed/")
    wait_live(alice)
    check(alice, "widget, signed in", found)
    alice.goto(f"{base}/notifications/settings/")
    check(alice, "notification settings", found)
    alice.goto(f"{base}{ROOM}archive/")
    check(alice, "archive index", found)
    alice.goto(f"{base}{ROOM}archive/{today}/")
    check(alice, "archive day", found)
    alice.goto(f"{base}{ROOM}archive/search/?{urlencode({'q': 'citation'})}")
    check(alice, "archive search", found)

    # A helper who moderates: the room, the queue, coverage, the moderation admin.
    helper = new_page(browser, language, console_errors)
    sign_in_any_language(helper, base, "Mod", ROOM)
    wait_live(helper)
    check(helper, "room (helper, moderator)", found)
    helper.goto(f"{base}/helpdesk/")
    expect(helper.locator("#queue-list")).to_have_attribute("aria-busy", "false")
    check(helper, "helpers' queue", found)
    helper.goto(f"{base}/helpdesk/coverage/")
    check(helper, "coverage", found)
    for path in [
        "/admin/",
        "/admin/livechat/message/",
        f"/admin/livechat/message/{desk['question'].pk}/change/",
        "/admin/moderation/abusefilter/",
        "/admin/moderation/abusefilter/add/",
        "/admin/moderation/abusefilter/wiki/",  # import from the wiki (or: no wiki here)
        "/admin/moderation/block/",
        "/admin/moderation/block/add/",
        "/admin/moderation/report/",
        "/admin/moderation/moderationlog/",
        "/admin/moderation/abuselog/",
    ]:
        response = helper.goto(f"{base}{path}")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        check(helper, f"admin {path}", found)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_serious_or_critical_violation_in_the_rooms_dialogs(
    language: str, desk: dict[str, Any], server: Server, browser: Any, console_errors: list[str]
) -> None:
    """The room's dialogs and forms, each open: the edit history, the emoji picker, the
    report and hide reasons, and the notice a blocked person gets. By their classes, not
    their words, so the same steps run in every language."""
    require_axe()
    from accounts.models import User
    from moderation.actions import place_block

    base = server.http
    found: list[str] = []
    question = desk["question"]
    actions.edit_message(
        user=question.author,
        message_id=question.pk,
        body="How do I add a **citation** to a new article?",
        base_revision=1,
    )

    alice = new_page(browser, language, console_errors)
    sign_in_any_language(alice, base, "Alice", ROOM)
    wait_live(alice)
    if language != "en" and alice.locator("html").get_attribute("lang") != language:
        pytest.skip(f"the server does not offer {language!r}")
    mine = alice.locator(f"#m-{question.pk}")
    mine.locator(".msg-edited").click()
    expect(alice.get_by_role("dialog").locator(".revision")).to_have_count(2)
    check(alice, "room: edit history", found)
    alice.keyboard.press("Escape")

    alice.locator(".composer-emoji").click()
    expect(alice.locator(".emoji-picker .emoji-choice").first).to_be_visible()
    check(alice, "room: emoji picker", found)
    alice.keyboard.press("Escape")

    answer = alice.locator(f"#m-{desk['answer'].pk}")
    answer.hover()
    answer.locator(".msg-report").click()
    expect(answer.locator(".prompt-form textarea, .prompt-form input").first).to_be_focused()
    check(alice, "room: report form", found)
    alice.keyboard.press("Escape")

    helper = new_page(browser, language, console_errors)
    sign_in_any_language(helper, base, "Mod", ROOM)
    wait_live(helper)
    theirs = helper.locator(f"#m-{question.pk}")
    theirs.hover()
    theirs.locator(".msg-hide").click()
    expect(theirs.locator(".prompt-form textarea, .prompt-form input").first).to_be_focused()
    check(helper, "room: hide form", found)
    helper.keyboard.press("Escape")

    # A blocked person's refusal notice above the message box.
    place_block(
        moderator=User.objects.get(username="Mod"),
        user=User.objects.get(username="Alice"),
        reason="Test block",
        duration=datetime.timedelta(days=1),
    )
    alice.locator("#composer-input").fill("Still there?")
    alice.locator("#composer-input").press("Enter")
    expect(alice.locator("#composer-refusal")).to_be_visible()
    check(alice, "room: block notice", found)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


FOCUS_SEEN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    what: el.outerHTML.slice(0, 120),
    visible: outline || style.boxShadow !== "none",
    id: el.id,
    classes: el.className,
  };
}"""


def tab_to(page: Any, predicate: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (Shift+Tab) until ``predicate`` (a function of the focused element) holds,
    checking on the way that every focused control shows where the focus is."""
    unseen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUS_SEEN)
        if focused is None:
            continue
        if not focused["visible"]:
            unseen.append(focused["what"])
        if page.evaluate(f"() => ({predicate})(document.activeElement)"):
            assert not unseen, "focus not visible on:\n" + "\n".join(unseen)
            return
    raise AssertionError(f"{predicate} never took the focus in {limit} presses")


def test_the_room_with_the_keyboard_alone(
    desk: dict[str, Any], server: Server, browser: Any, console_errors: list[str]
) -> None:
    """Send a message, open a message's reaction menu and close it with Escape: Tab,
    Enter and Escape only, the focus visible at every step."""
    page = new_page(browser, "en", console_errors)
    sign_in_any_language(page, server.http, "Alice", ROOM)
    wait_live(page)
    page.locator("body").focus()

    tab_to(page, "el => el.id === 'composer-input'")
    page.keyboard.type("Sent with the keyboard alone")
    page.keyboard.press("Enter")
    expect(
        page.locator("#messages > li.msg", has_text="Sent with the keyboard alone")
    ).to_be_visible()
    expect(page.locator("#composer-input")).to_be_focused()
    expect(page.locator("#composer-input")).to_have_value("")

    # Back into the conversation: the reaction menu of the helper's answer.
    answer_id = desk["answer"].pk
    tab_to(
        page,
        f"el => el.matches('.react-picker summary') && el.closest('li.msg').dataset.id === "
        f"'{answer_id}'",
        backwards=True,
    )
    answer = page.locator(f'#messages > li.msg[data-id="{answer_id}"]')
    picker = answer.locator(".react-picker")
    page.keyboard.press("Enter")
    expect(picker).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(picker.locator(".react-choice").first).to_be_focused()
    assert page.evaluate(FOCUS_SEEN)["visible"], "the first reaction shows no focus"
    page.keyboard.press("Escape")
    expect(picker).not_to_have_attribute("open", "")
    expect(picker.locator("summary")).to_be_focused()
    # Open again, and Enter on the first reaction reacts.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(answer.locator(".reaction")).to_have_count(1)


def test_reduced_motion_stops_animations_and_transitions(
    desk: dict[str, Any], server: Server, browser: Any, console_errors: list[str]
) -> None:
    page = new_page(browser, "en", console_errors)  # reduced_motion="reduce"
    sign_in_any_language(page, server.http, "Alice", ROOM)
    wait_live(page)
    page.locator("#messages > li.msg").first.evaluate("el => el.classList.add('is-linked')")
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(el => {
          const s = getComputedStyle(el);
          const ms = t => parseFloat(t) * (t.trim().endsWith('ms') ? 1 : 1000);
          const longest = v => Math.max(...v.split(',').map(ms));
          const t = longest(s.transitionDuration), a = longest(s.animationDuration);
          return t > 1 || a > 1 ? [`${el.tagName}.${el.className}: ${t} ms / ${a} ms`] : [];
        })"""
    )
    assert not moving, "still moving with reduced motion:\n" + "\n".join(moving)
    # Without the preference, the highlight still fades (the check above can see it).
    page.emulate_media(reduced_motion="no-preference")
    assert (
        page.locator("li.msg.is-linked").evaluate(
            "el => parseFloat(getComputedStyle(el).transitionDuration)"
        )
        > 0.1
    )
