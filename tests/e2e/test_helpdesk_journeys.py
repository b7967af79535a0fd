"""The help desk's journeys across pages, in a real browser: what a newcomer is told when
nobody can help, a question followed from the widget to the helpers' queue and back until
it is resolved, the email an asker gets after closing the tab, and the pages a help desk
is judged by (coverage, a day of the archive).

Time-based state is never waited for: what happened earlier is written through the
project's own actions under a clock set in the past (the server reads the real time), and
timers are fired from this process with a ``now`` ahead. Screenshots go to
test-artifacts/, or to docs/screenshots/ with LIVECHAT_WRITE_SCREENSHOTS=1 (to refresh
the ones docs/helpdesk.md lists).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import MENTORS
from core import clock as project_clock
from core.isolate import text as isolated
from helpdesk import actions as helpdesk_actions
from helpdesk.models import HelperSample, Question
from livechat import actions as chat
from livechat.models import Message, Notification, Room
from livechat.presence import user_online
from notifications.models import PendingEmail
from tests.conftest import fresh, make_user
from tests.e2e.conftest import (
    message,
    open_room,
    require_browser,
    sign_in,
    wait_live,
    wait_until,
    watch,
)

# The notification tests' real SMTP server (aiosmtpd on loopback); its `inbox` fixture is
# autouse, so nothing in this module mails anywhere else.
from tests.notifications.conftest import Inbox, inbox, smtp_server, verify  # noqa: F401
from tests.servers import Server, asgi_server
from timers.api import fire_due_timers
from timers.models import Timer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
WIDGET = {"viewport": {"width": 400, "height": 700}}
EMBED_PATH = "/rooms/help-desk/embed/"


@pytest.fixture(autouse=True)
def _help_room(settings: Any) -> None:
    """ "help-desk" is a help room in this process too (tests/conftest.py turns help rooms
    off for the chat's own tests), so the questions seeded here are real questions; the
    server process has it by default."""
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]


@pytest.fixture
def shots(artifacts: Path) -> Path:
    if os.environ.get("LIVECHAT_WRITE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return artifacts


@pytest.fixture
def own_server(
    django_db_setup: None, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """A server process for one test: its caches have seen no earlier test (the typical
    waits are cached for a minute, helpdesk.selectors.WAIT_CACHE_SECONDS, in the
    process's memory when REDIS_URL is unset)."""
    require_browser()
    with asgi_server(tmp_path) as server:
        yield server
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(f"\n----- daphne log during {request.node.name} -----\n{server.output()}")


# --- the past, through the project's own actions ----------------------------------------------


def off_loop(work: Callable[[], T]) -> T:
    """Run ``work`` (actions of this process) in a thread of its own. Playwright's sync API
    runs an event loop in the test's thread, where the actions' after-commit publishing
    (``async_to_sync``) refuses to run; there it goes out as in production (through Redis
    to the server when REDIS_URL is set)."""

    def run() -> T:
        try:
            return work()
        finally:
            # The thread's own connections, or PostgreSQL keeps the test database busy.
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@contextlib.contextmanager
def clock_at(moment: datetime) -> Iterator[project_clock.ManualClock]:
    """The project's clock standing at ``moment`` in this process, back to real time after."""
    manual = project_clock.ManualClock(moment)
    project_clock.set_source(manual)
    try:
        yield manual
    finally:
        project_clock.set_source(None)


def ask_at(asker: User, room: Room, body: str, *, at: datetime) -> Question:
    """``asker`` asked ``body`` at ``at`` (nobody was available in this process then)."""

    def work() -> Question:
        with clock_at(at):
            sent = chat.send_message(user=fresh(asker), room=room, body=body).message
        return Question.objects.get(links__message=sent)

    return off_loop(work)


def answered_at(
    asker: User,
    helper: User,
    room: Room,
    *,
    at: datetime,
    wait: timedelta,
    body: str,
    answer: str,
    thanks: str | None = None,
) -> Question:
    """A question asked at ``at``, answered in its thread ``wait`` later, and marked
    resolved by its asker (after a word of thanks, when given)."""

    def work() -> Question:
        with clock_at(at) as clock:
            first = chat.send_message(user=fresh(asker), room=room, body=body).message
            question = Question.objects.get(links__message=first)
            clock.set(at + wait)
            chat.send_message(user=fresh(helper), room=room, body=answer, reply_to=first.pk)
            clock.advance(minutes=2)
            if thanks:
                chat.send_message(user=fresh(asker), room=room, body=thanks, reply_to=first.pk)
            helpdesk_actions.resolve_question(user=fresh(asker), question_id=question.pk)
        return Question.objects.get(pk=question.pk)

    return off_loop(work)


# --- pages ------------------------------------------------------------------------------------


def open_page(
    browser: Any, server: Server, username: str, path: str, errors: list[str], **context: Any
) -> Any:
    page = browser.new_context(**context).new_page()
    watch(page, errors)
    sign_in(page, server.http, username, f"pw-{username}", path)
    return page


def open_queue(browser: Any, server: Server, username: str, errors: list[str]) -> Any:
    page = open_page(browser, server, username, "/helpdesk/", errors, **DESKTOP)
    expect(page.locator("#queue-list")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#queue-connection")).to_be_hidden()
    return page


def queue_row(queue: Any, asker: str) -> Any:
    """The queue's row of ``asker``'s question (by the asker's name, whole)."""
    name = queue.locator(".q-asker", has_text=re.compile(rf"^{re.escape(asker)}$"))
    return queue.locator("#queue-list > li.q", has=name)


def at_bottom(page: Any) -> None:
    """Until the message list rests at its newest message (for a screenshot)."""
    page.wait_for_function(
        "() => { const s = document.getElementById('scroller');"
        " return s.scrollHeight - s.scrollTop - s.clientHeight < 2; }",
        timeout=5_000,
    )


def css_colour(page: Any, token: str) -> str:
    """A design token (``--color-warning``) as the browser computes it: rgb(…)."""
    return page.evaluate(
        """(token) => {
            const probe = document.createElement("span");
            probe.style.color = `var(${token})`;
            document.body.append(probe);
            const colour = getComputedStyle(probe).color;
            probe.remove();
            return colour;
        }""",
        token,
    )


def send(page: Any, room_name: str, text: str) -> None:
    composer = page.get_by_label(f"Message to {room_name}")
    composer.fill(text)
    composer.press("Enter")


# --- 1. nobody online -------------------------------------------------------------------------


def test_a_newcomer_asking_in_the_widget_with_nobody_online_is_told_when_to_expect_an_answer(
    own_server: Server,
    browser: Any,
    room: Room,
    shots: Path,
    console_errors: list[str],
) -> None:
    """With no helper online the widget says so and gives the median wait of questions
    asked while nobody was available (here 2 h 10 min, said as "about 3 hours"); the
    newcomer asks anyway, sees their question waiting and is told they may leave.
    (test_help_room.py covers the "within a day" sentence without data.)"""
    mia = make_user("Mia", MENTORS)
    askers = [make_user(name) for name in ("Ben", "Chloe", "Dev")]
    now = timezone.now()
    waits = [
        timedelta(hours=1, minutes=40),
        timedelta(hours=2, minutes=10),
        timedelta(hours=2, minutes=20),
    ]
    past = [
        ("How do I cite a book?", "Use {{cite book}}; the Cite button fills it in for you."),
        ("Why was my edit reverted?", "Its summary says it had no source: add one, try again."),
        ("Can I upload a photo I took myself?", "Yes: upload it to Commons under a free licence."),
    ]
    seeded = [
        answered_at(
            asker,
            mia,
            room,
            at=now - timedelta(days=days),
            wait=wait,
            body=body,
            answer=answer,
        )
        for asker, days, wait, (body, answer) in zip(askers, (3, 2, 1), waits, past, strict=True)
    ]
    # Asked while nobody was available: these make the "offline" median.
    assert [q.helpers_available for q in seeded] == [0, 0, 0]
    assert all(q.first_reply_at is not None for q in seeded)
    make_user("Ana")

    page = open_page(browser, own_server, "Ana", EMBED_PATH, console_errors, **WIDGET)
    wait_live(page)
    banner = page.locator("#helpdesk-banner")
    expect(page.locator("#helpdesk-availability")).to_have_text(
        "No helpers online right now. Questions asked now are usually answered in about"
        " 3 hours — you can leave, we'll let you know."
    )
    expect(banner).to_have_attribute("data-basis", "offline")

    send(page, "Help desk", "How do I add a picture to an article?")
    asked = message(page, "How do I add a picture to an article?")
    chip = asked.locator(".question-chip")
    expect(chip).to_have_attribute("data-state", "waiting")
    expect(chip).to_have_text("Waiting for a helper")
    expect(asked.get_by_role("button", name="This answered my question")).to_be_visible()
    leave = page.locator("#helpdesk-asker .helpdesk-leave")
    expect(leave).to_be_visible()
    expect(leave).to_contain_text("You can leave — we'll let you know.")
    expect(leave.get_by_role("link", name="Choose how we tell you")).to_have_attribute(
        "target", "_blank"
    )
    # Nobody is on it yet: no escalation step to speak of, only the chip.
    expect(page.locator("#helpdesk-asker-status")).to_be_hidden()
    # Counted among the people who have the help desk open (after the socket's presence).
    expect(page.locator("#helpdesk-people")).to_have_text("1 person has the help desk open")
    question = Question.objects.get(asker__username="Ana")
    assert (question.state, question.helpers_available) == ("waiting", 0)
    at_bottom(page)
    page.screenshot(path=str(shots / "helpdesk-widget-offline.png"))
    page.context.close()


# --- 2. the queue and the asker, live ---------------------------------------------------------


def test_a_mentor_claims_from_the_queue_and_the_newcomer_follows_it_live_to_resolved(
    server: Server, browser: Any, room: Room, shots: Path, console_errors: list[str]
) -> None:
    """Two people, two pages: the mentor's queue (its badge counting waiting questions,
    amber once the oldest has waited over 5 minutes) and the newcomer's room page. The
    claim, the threaded reply and the resolution each show up live on the other side.
    test_queue_page.py and test_help_room.py cover each page alone."""
    mia = make_user("Mia", MENTORS)
    now = timezone.now()
    ask_at(
        make_user("Carlos"), room, "Where do I find the sandbox?", at=now - timedelta(minutes=12)
    )
    ask_at(make_user("Dana"), room, "What is a reliable source?", at=now - timedelta(minutes=7))
    make_user("Ana")

    queue = open_queue(browser, server, "Mia", console_errors)
    badge = queue.locator("#helpdesk-badge")
    rows = queue.locator("#queue-list > li.q")
    expect(rows).to_have_count(2)
    expect(badge.locator(".helpdesk-badge-count")).to_have_text("2")
    expect(badge.locator(".helpdesk-badge-wait")).to_have_text("12 min")
    expect(badge.locator(".helpdesk-badge-text")).to_have_text(
        "2 questions waiting, the oldest for 12 minutes"
    )
    # 12 minutes is past 5: the badge is amber, in the page's warning colour, not only
    # by its attribute.
    expect(badge).to_have_attribute("data-level", "warn")
    warning = css_colour(queue, "--color-warning")
    assert badge.evaluate("el => getComputedStyle(el).borderTopColor") == warning
    assert (
        badge.locator(".helpdesk-badge-count").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        == warning
    )
    expect(queue_row(queue, "Carlos")).to_have_attribute("data-level", "warn")

    # The newcomer asks from the room page; the queue and its badge count it at once.
    asker = open_room(browser, server, "Ana", console_errors, **DESKTOP)
    send(asker, "Help desk", "How do I add a picture to an article?")
    asked = message(asker, "How do I add a picture to an article?")
    expect(asked.locator(".question-chip")).to_have_text("Waiting for a helper")
    # What the newcomer was told before anyone acted (the banner also re-reads it after
    # presence changes, here the newcomer's own arrival).
    expect(asker.locator("#helpdesk-people")).to_have_text("1 person has the help desk open")
    expect(asker.locator("#helpdesk-availability")).to_have_text(
        "No helpers online right now. Questions asked now are usually answered within a day"
        " — you can leave, we'll let you know."
    )
    row = queue_row(queue, "Ana")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-level", "ok")
    expect(row.locator(".q-text")).to_have_text("How do I add a picture to an article?")
    expect(badge.locator(".helpdesk-badge-count")).to_have_text("3")
    expect(badge).to_have_attribute("data-level", "warn")
    queue.screenshot(path=str(shots / "helpdesk-queue.png"))

    # The mentor takes it from the queue; the newcomer is told who, live.
    row.get_by_role("button", name="I'm on it").click()
    expect(row.locator(".q-state-text")).to_have_text("You are on it")
    expect(badge.locator(".helpdesk-badge-count")).to_have_text("2")
    expect(asked.locator(".question-chip")).to_have_text("Mia is looking at your question")
    expect(asker.locator("#helpdesk-asker-status")).to_have_text("Mia is looking at your question")
    # Mia counts as available now (her queue is open and she just acted): the banner says
    # so rather than "No helpers online" beside her claim.
    expect(asker.locator("#helpdesk-availability")).to_have_text(
        "1 helper online · usually answered in a few minutes"
    )
    at_bottom(asker)
    asker.screenshot(path=str(shots / "helpdesk-room-claimed.png"))

    # "Open in room", in a tab of the mentor's own: the question is highlighted there, and
    # the mentor answers in its thread.
    href = row.get_by_role("link", name="Open in room").get_attribute("href")
    room_tab = queue.context.new_page()
    watch(room_tab, console_errors)
    room_tab.goto(f"{server.http}{href}")
    wait_live(room_tab)
    on_mia = message(room_tab, "How do I add a picture to an article?")
    expect(on_mia).to_have_class(re.compile(r"\bis-linked\b"))
    expect(on_mia.locator(".question-chip")).to_have_text("You are on it")
    on_mia.hover()
    on_mia.get_by_role("button", name="Reply to Ana").click()
    send(room_tab, "Help desk", "Upload it on the wiki first, then add [[File:Name.jpg]].")

    # The newcomer sees the answer arrive, and the question answered, without reloading.
    expect(message(asker, "Upload it on the wiki first")).to_be_visible()
    expect(asked.locator(".question-chip")).to_have_text("Answered")
    expect(asker.locator("#helpdesk-asker")).to_be_hidden()
    expect(row.locator(".q-state-text")).to_have_text("Answered; waiting for the asker")
    asked.get_by_role("button", name="This answered my question").click()
    expect(asked.locator(".question-chip")).to_have_text("Resolved")

    # The queue drops it (it shows unresolved questions); the other two still wait.
    expect(row).to_have_count(0)
    expect(rows).to_have_count(2)
    expect(badge.locator(".helpdesk-badge-count")).to_have_text("2")
    question = Question.objects.get(asker__username="Ana")
    assert (question.state, question.resolved_by_id) == ("resolved", question.asker_id)
    assert question.claimed_by_id == mia.pk and question.first_reply_at is not None


# --- 3. the asker who left --------------------------------------------------------------------


def test_an_asker_who_closed_the_tab_gets_the_reply_by_email(
    server: Server,
    browser: Any,
    room: Room,
    settings: Any,
    request: pytest.FixtureRequest,
    console_errors: list[str],
) -> None:
    """End to end, with each decision taken where production takes it. The asker asks in
    a browser and closes the tab; the mentor's page sees them leave (the server broadcasts
    presence only after it dropped the closed socket from the person's sockets). The
    mentor then replies in a browser, so the server process creates the notification and
    its listener asks *that* process's presence whether the asker has a socket open —
    presence is per process without REDIS_URL, so a reply written from this process would
    not prove it. The notification is queued (a PendingEmail row and the email timer,
    committed by the server). The timer is fired here with a ``now`` three minutes ahead
    (the email waits two quiet minutes); the mail goes through the real SMTP server, and
    its signed link brings the asker back to the reply."""
    mail_inbox: Inbox = request.getfixturevalue("inbox")
    # Links in the email point at the server under test, so the browser can follow them.
    settings.LIVECHAT_SITE_URL = server.http
    make_user("Mia", MENTORS)
    ana = make_user("Ana", email="ana@example.org")
    verify(ana)

    mentor = open_room(browser, server, "Mia", console_errors, **DESKTOP)
    asker = open_room(browser, server, "Ana", console_errors, **DESKTOP)
    online = mentor.locator("#online-list .online-name")
    expect(online.filter(has_text="Ana")).to_have_count(1)
    send(asker, "Help desk", "How do I rename an article?")
    on_mia = message(mentor, "How do I rename an article?")
    expect(on_mia.locator(".question-chip")).to_have_text("Waiting for a helper")
    expect(message(asker, "How do I rename an article?").locator(".question-chip")).to_have_text(
        "Waiting for a helper"
    )

    asker.context.close()
    expect(online.filter(has_text="Ana")).to_have_count(0)
    if django_settings.REDIS_URL:
        # Presence is shared through Redis: this process sees what the server sees.
        assert not user_online(ana.pk)
    assert not PendingEmail.objects.exists()

    on_mia.hover()
    on_mia.get_by_role("button", name="Reply to Ana").click()
    send(mentor, "Help desk", "Use the Move tab at the top of the article.")
    reply = message(mentor, "Use the Move tab at the top of the article.")
    expect(reply).to_be_visible()

    # Queued by the server process, in the reply's transaction.
    wait_until(lambda: PendingEmail.objects.filter(recipient=ana).exists())
    pending = PendingEmail.objects.select_related("notification").get(recipient=ana)
    question = Question.objects.get(asker=ana)
    answer = Message.objects.get(body="Use the Move tab at the top of the article.")
    assert pending.notification.kind == Notification.Kind.REPLY
    assert pending.notification.message_id == answer.pk
    assert pending.group == f"question:{question.pk}"
    timer = Timer.objects.get(key=f"email:{ana.pk}:{pending.group}")
    assert timezone.now() < timer.due_at <= timezone.now() + timedelta(minutes=2)
    assert mail_inbox.messages == []

    fire_due_timers(now=timezone.now() + timedelta(minutes=3))
    mail = mail_inbox.only()
    assert mail.rcpt_tos == ["ana@example.org"]
    # Names isolated (core.isolate), so an Arabic sentence keeps its order around them.
    assert mail.subject == f"{isolated('Mia')} replied in {isolated('Help desk')}"
    assert f"{isolated('Mia')} replied in {isolated('Help desk')}" in mail.text
    assert '"Use the Move tab at the top of the article."' in mail.text
    assert "Use the Move tab at the top of the article." in mail.html
    [link] = re.findall(rf"{re.escape(server.http)}/notifications/go/\S+/", mail.text)
    assert not PendingEmail.objects.exists()

    # The link, opened signed in, marks the notification read and lands on the reply.
    back = open_page(browser, server, "Ana", "/rooms/help-desk/", console_errors, **DESKTOP)
    wait_live(back)
    back.goto(link)
    back.wait_for_url(f"{server.http}/rooms/help-desk/#message-{answer.pk}")
    wait_live(back)
    expect(back.locator(f"#m-{answer.pk}")).to_have_class(re.compile(r"\bis-linked\b"))
    expect(back.locator(f"#m-{answer.pk}")).to_be_focused()
    assert Notification.objects.get(pk=pending.notification_id).read_at is not None


# --- 4. the pages a help desk is judged by ----------------------------------------------------

# (days ago, UTC hour, questions asked, helpers available on average then, or None: the
# sampler was not running). Over 30 days each hour of the week comes 4 or 5 times, so one
# question against half a helper is a light hour and three against none an uncovered one.
WEEK = [
    (1, 9, 1, 2.0),
    (1, 14, 2, 0.5),
    (1, 20, 3, 0.0),
    (2, 10, 1, 1.0),
    (2, 16, 3, 0.5),
    (3, 8, 2, 0.0),
    (3, 13, 1, 0.25),
    (4, 11, 4, 0.25),
    (4, 18, 1, None),
    (5, 15, 2, 1.5),
    (6, 12, 1, 0.5),
]
QUESTIONS = [
    "How do I cite a book?",
    "Why was my edit reverted?",
    "Can I upload a photo I took myself?",
    "How do I make a table?",
    "What does 'notability' mean?",
]
WAITS = [timedelta(minutes=m) for m in (3, 8, 25, 50, 140, 6, 12, 1500)]


def seed_week(room: Room, helper: User, now: datetime) -> int:
    """Questions over the last six days, answered after various waits, and the helper
    samples for their hours (site-wide, as the sampler keeps them); returns how many."""
    askers = [make_user(name) for name in ("Ben", "Chloe", "Dev")]
    asked = 0
    # Oldest first, so that ids follow time as they do in a real room.
    for days, hour, count, helpers in sorted(WEEK, key=lambda row: (-row[0], row[1])):
        start = (now - timedelta(days=days)).astimezone(UTC)
        start = start.replace(hour=hour, minute=0, second=0, microsecond=0)
        for n in range(count):
            at = start + timedelta(minutes=5 + 12 * n)
            answered_at(
                askers[asked % len(askers)],
                helper,
                room,
                at=at,
                # "1 day ago at 20:00" may be an hour ago: no reply from the future.
                wait=min(WAITS[asked % len(WAITS)], now - at - timedelta(minutes=5)),
                body=QUESTIONS[asked % len(QUESTIONS)],
                answer="Here is how.",
            )
            asked += 1
        if helpers is not None:
            HelperSample.objects.create(
                room=None,
                hour=start,
                samples=6,
                helpers_total=round(helpers * 6),
                helpers_max=max(1, round(helpers)) if helpers else 0,
                sampled_at=start + timedelta(minutes=50),
            )
    return asked


def test_the_coverage_page_draws_the_weeks_questions_against_the_helpers(
    server: Server, browser: Any, room: Room, shots: Path, console_errors: list[str]
) -> None:
    mia = make_user("Mia", MENTORS)
    asked = seed_week(room, mia, timezone.now())
    page = open_page(browser, server, "Mia", "/helpdesk/coverage/", console_errors, **DESKTOP)
    figures = page.locator(".coverage-figures")
    expect(figures.locator("div", has_text="Questions asked").locator("dd")).to_have_text(
        str(asked)
    )
    expect(figures.locator("div", has_text="Got a helper's reply").locator("dd")).to_have_text(
        str(asked)
    )
    heatmap = page.locator("#coverage-heatmap table.heatmap")
    expect(heatmap).to_be_visible()
    coloured = heatmap.locator("td.heat:not(.heat-0)")
    # One coloured cell per seeded hour: loads 1–5, uncovered, and the unsampled one.
    expect(coloured).to_have_count(len(WEEK))
    expect(heatmap.locator("td.heat-uncovered")).to_have_count(2)
    expect(heatmap.locator("td.heat-unknown")).to_have_count(1)
    expect(page.locator("#heatmap-needs li").first).to_be_visible()
    page.screenshot(path=str(shots / "helpdesk-coverage.png"), full_page=True)


def test_a_day_of_the_archive_reads_as_a_transcript(
    server: Server, browser: Any, room: Room, shots: Path, console_errors: list[str]
) -> None:
    try:
        reverse("helpdesk:archive-day", args=["help-desk", "2026-01-01"])
    except NoReverseMatch:
        pytest.skip("the archive's pages are not in this tree yet (docs/archives.md)")
    mia = make_user("Mia", MENTORS)
    ben, chloe = make_user("Ben"), make_user("Chloe")
    day = (timezone.now() - timedelta(days=2)).astimezone(UTC)
    morning = day.replace(hour=9, minute=12, second=0, microsecond=0)
    answered_at(
        ben,
        mia,
        room,
        at=morning,
        wait=timedelta(minutes=4),
        body="How do I cite a book? I have the ISBN.",
        answer="Use {{cite book}} with the isbn= parameter, or paste the ISBN into the"
        " citation tool.",
        thanks="That worked, thank you!",
    )
    answered_at(
        chloe,
        mia,
        room,
        at=morning + timedelta(hours=2),
        wait=timedelta(minutes=18),
        body="Why was my edit to *Eiffel Tower* reverted?",
        answer="The summary says it had no source. Add a reference and try again.",
    )
    path = f"/rooms/help-desk/archive/{day.date().isoformat()}/"
    page = open_page(browser, server, "Ben", path, console_errors, **DESKTOP)
    transcript = page.locator(".archive-transcript > li.msg")
    expect(transcript).to_have_count(5)
    expect(page.locator(".archive-question")).to_have_count(2)
    expect(page.locator(".archive-question .archive-state").first).to_have_text(
        "Question: resolved"
    )
    page.screenshot(path=str(shots / "helpdesk-archive-day.png"), full_page=True)
