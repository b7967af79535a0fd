"""The moderation admin in a real browser: a moderator signs in on the site's login page,
reads a message's revision diff, tries an abuse filter on recent messages, and reads the
abuse log. Screenshots go to test-artifacts/, or to docs/screenshots/ with
LIVECHAT_WRITE_SCREENSHOTS=1 (to refresh the ones in the docs)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import MENTORS, MODERATORS
from livechat import actions
from livechat.models import Message, Room
from moderation import filters
from moderation.errors import Filtered
from moderation.models import AbuseFilter
from tests.conftest import make_user
from tests.e2e.conftest import sign_in, watch
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

REVISIONS = [
    "How do I add a citation to the Eiffel Tower article? I tried putting the link in "
    "brackets but it shows up as plain text.",
    "How do I add a citation to the Eiffel Tower article? I tried putting the link in "
    "<ref> tags but it shows up as plain text at the bottom.",
    "How do I add a citation to the Eiffel Tower article? I put the link between <ref> and "
    "</ref> tags, but it shows up as plain text at the bottom of the page.\n\n"
    "Do I need a {{reflist}} somewhere?",
]

SPAM_RULE = """/* Pill adverts from accounts younger than a day */
action == "send" & user_age < 86400
  & (text irlike "buy\\s+cheap" | count("http", text) > 3)"""


@pytest.fixture
def shots(artifacts: Path) -> Path:
    if os.environ.get("LIVECHAT_WRITE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return artifacts


@pytest.fixture
def desk(e2e_db: None, settings: Any) -> dict[str, Any]:
    """A help desk with a question edited twice, chatter, spam, and filters that caught
    some of it."""
    # The filters here match most of what is sent, on purpose.
    settings.LIVECHAT_FILTER_EMERGENCY_COUNT = 10_000
    room = Room.objects.create(slug="help-desk", name="Help desk")
    make_user("Mod", MODERATORS)
    alice, bob = make_user("Alice"), make_user("Bob", MENTORS)
    spammer, rude = make_user("PillSeller"), make_user("Grumpy")

    question = send(alice, room, REVISIONS[0])
    for number, body in enumerate(REVISIONS[1:], start=1):
        actions.edit_message(user=alice, message_id=question.pk, body=body, base_revision=number)

    moderator = User.objects.get(username="Mod")
    spam = filters.save_filter(
        moderator=moderator,
        abuse_filter=None,
        name="Cheap pills",
        description="Advertising is not allowed here.",
        rule=SPAM_RULE,
        actions=["tag"],
    )
    filters.save_filter(
        moderator=moderator,
        abuse_filter=None,
        name="Insults",
        description="Please keep it friendly.",
        rule='text irlike "\\b(idiot|stupid|moron)s?\\b"',
        actions=["disallow"],
    )
    filters.save_filter(
        moderator=moderator,
        abuse_filter=None,
        name="Link flood",
        description="Many links at once look like spam.",
        rule='count("http", text) > 3',
        actions=["warn"],
        warn_message="That is a lot of links. Are they all needed?",
    )
    chatter = [
        (bob, "Put the link between <ref> and </ref> right after the sentence it supports."),
        (spammer, "BUY CHEAP pills today, best prices http://pills.example"),
        (alice, "Thanks! And the {{reflist}} template goes under a References heading?"),
        (bob, "Yes, exactly: == References == then {{reflist}} on the next line."),
        (rude, "Only an idiot would not know that."),
        (spammer, "buy  cheap watches http://a.example http://b.example http://c.example"),
        (rude, "Sorry, that was rude. The citation templates help too: {{cite web}}."),
        (
            spammer,
            "Buy cheap followers: http://w.example http://x.example http://y.example http://z.example",
        ),
        (alice, "It works now, thank you both!"),
    ]
    for author, text in chatter:
        with contextlib.suppress(Filtered):  # refused, and in the abuse log
            send(author, room, text)
    return {"question": question, "spam_filter": spam}


def send(user: User, room: Room, body: str) -> Message:
    return actions.send_message(user=user, room=room, body=body).message


def test_a_moderator_reads_a_revision_diff_tries_a_filter_and_reads_the_abuse_log(
    desk: dict[str, Any], server: Server, browser: Any, shots: Path, console_errors: list[str]
) -> None:
    # A narrow window: the diff wraps instead of scrolling sideways.
    page = browser.new_context(viewport={"width": 720, "height": 900}).new_page()
    watch(page, console_errors)
    question = desk["question"]
    sign_in(page, server.http, "Mod", "pw-Mod", f"/admin/livechat/message/{question.pk}/change/")

    diffs = page.locator(".word-diff")
    expect(diffs).to_have_count(2)
    expect(diffs.first.locator(".diff-body ins").first).to_contain_text("between <ref> and </ref>")
    expect(diffs.last.locator(".diff-body del")).to_have_text(["brackets"])
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    page.screenshot(path=str(shots / "revision-diff.png"), full_page=True)

    # Any two revisions, chosen with the radio buttons.
    page.locator('input[name="from"][value="1"]').check()
    page.locator('input[name="to"][value="3"]').check()
    page.get_by_role("button", name="Compare the two chosen").click()
    expect(page.locator(".word-diff")).to_have_count(1)
    expect(page.locator("#diff-heading")).to_have_text("Revision 1 → 3")

    # The filter editor: test the rule on recent messages, then the page shows the matches.
    page.set_viewport_size({"width": 1280, "height": 900})
    spam_filter: AbuseFilter = desk["spam_filter"]
    page.goto(f"{server.http}/admin/moderation/abusefilter/{spam_filter.pk}/change/")
    page.locator("#id_limit").fill("200")
    page.get_by_role("button", name="Test against the last").click()
    trial = page.locator("#trial")
    expect(trial.locator("h2")).to_contain_text("matched 2 of the last 8 messages")
    expect(trial.locator("tbody tr")).to_have_count(2)
    expect(trial).to_contain_text("BUY CHEAP pills today")
    spam_filter.refresh_from_db()
    assert spam_filter.version == 1, "a test run saves nothing"
    page.screenshot(path=str(shots / "filter-editor-test-run.png"), full_page=True)

    # The abuse log: what each filter saw and did.
    page.goto(f"{server.http}/admin/moderation/abuselog/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("#result_list")).to_contain_text("disallow")
    expect(page.locator("#result_list")).to_contain_text("warn")
    page.screenshot(path=str(shots / "abuse-log.png"), full_page=True)
