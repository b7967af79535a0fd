"""Monthly transcript pages of the help desk on the wiki (docs/wiki.md "Monthly archive
pages"): each month's questions with their threads, written by the chat's bot to
``LIVECHAT_WIKI_ARCHIVE_PREFIX + "2026-12"`` (then ``…/2026-12/2``… past
``LIVECHAT_WIKI_ARCHIVE_MAX_BYTES``).

- Hidden messages are left out, and so is a question whose first message is hidden.
- People who chose not to be named in the public archives (``User.name_in_archives``,
  accounts.privacy) are "Anonymous 1", "Anonymous 2"… numbered in order of appearance on
  each page, with no link to their user page; their @mentions in others' messages too.
- Chat text is escaped inside ``<nowiki>``: it cannot add templates, links, headings or
  signatures.
- The text depends only on the database (no "generated at"), so a run that finds the page
  already saying it edits nothing.

A daily timer (00:15 UTC) rewrites the current month's pages, and the previous month's
until ``LIVECHAT_WIKI_ARCHIVE_LATE_DAYS`` into the new month so that late answers land.
"""

from __future__ import annotations

import html
import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from accounts.models import User
from livechat.models import Room
from timers import api as timers
from wiki.client import Wiki, WikiRefused, configured_wiki

from .models import Question, QuestionMessage

logger = logging.getLogger(__name__)

KIND = "helpdesk.wiki_archive"
KEY = "helpdesk:wiki-archive"
# The daily run: a quarter past midnight UTC, so the 1st's run sees the whole last month.
RUN_AT = time(0, 15)
# ModerationLog's action (moderation.models.ModerationLog.Action.WIKI_REFUSED) for an edit
# the wiki refused; the moderation index shows it with the sentence saying what happened.
REFUSED_ACTION = "wiki_refused"


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    # A wiki account: its user page exists to link to (local accounts have none).
    from_wiki: bool
    # False: shown as "Anonymous N" (User.name_in_archives).
    named: bool


@dataclass(frozen=True)
class Entry:
    """One visible message of a question's thread."""

    id: int
    author_id: int
    created_at: datetime
    body: str
    # Written by a helper other than the asker (QuestionMessage.from_helper).
    answer: bool


@dataclass(frozen=True)
class Thread:
    question_id: int
    room_slug: str
    asker_id: int
    asked_at: datetime
    first_message_id: int
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Month:
    month: date  # its first day
    threads: list[Thread]
    people: dict[int, Person]
    # The help rooms that exist, slug -> name (the header links to their archives).
    rooms: dict[str, str]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in UTC: the wiki's pages are in UTC whatever the chat's time zone."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=UTC)


def month_threads(*, month: date) -> Month:
    """The questions asked in ``month`` (UTC) whose first message is visible, oldest first,
    each with its visible messages in order (answers given later included), and the people
    who wrote them. Four queries whatever the month's size."""
    start, end = month_bounds(month)
    questions = list(
        Question.objects.filter(asked_at__gte=start, asked_at__lt=end, first_message__hidden=False)
        # Erased at the author's request (docs/privacy.md): left out like hidden ones.
        .exclude(first_message__body="")
        .order_by("asked_at", "pk")
        .values("pk", "room__slug", "asker_id", "asked_at", "first_message_id")
    )
    threads = {
        row["pk"]: Thread(
            question_id=row["pk"],
            room_slug=row["room__slug"],
            asker_id=row["asker_id"],
            asked_at=row["asked_at"],
            first_message_id=row["first_message_id"],
        )
        for row in questions
    }
    links = (
        QuestionMessage.objects.filter(question_id__in=list(threads), message__hidden=False)
        .exclude(message__body="")
        .order_by("message__created_at", "message_id")
        .values_list(
            "question_id",
            "message_id",
            "message__author_id",
            "message__created_at",
            "message__body",
            "from_helper",
        )
    )
    for question_id, message_id, author_id, created_at, body, from_helper in links:
        threads[question_id].entries.append(
            Entry(
                id=message_id,
                author_id=author_id,
                created_at=created_at,
                body=body,
                answer=from_helper,
            )
        )
    author_ids = {entry.author_id for thread in threads.values() for entry in thread.entries}
    author_ids |= {thread.asker_id for thread in threads.values()}
    people = {
        pk: Person(id=pk, name=name, from_wiki=wiki_id is not None, named=named)
        for pk, name, wiki_id, named in User.objects.filter(pk__in=author_ids).values_list(
            "pk", "username", "wiki_id", "name_in_archives"
        )
    }
    rooms = dict(
        Room.objects.filter(slug__in=settings.LIVECHAT_HELP_ROOMS)
        .order_by("name", "slug")
        .values_list("slug", "name")
    )
    return Month(month=month, threads=list(threads.values()), people=people, rooms=rooms)


# --- wikitext -----------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text shown as written, inside or outside ``<nowiki>``: the characters that could
    start markup become entities, which MediaWiki shows as the characters. ``~`` too, so
    that ``~~~~`` is never turned into a signature."""
    return "".join(f"&#{ord(char)};" if char in _MARKUP else char for char in text)


# Characters that start wikitext or HTML markup somewhere on a line.
_MARKUP = frozenset("&<>'~[]{}|=*#:;_!")


def chat_text(body: str) -> str:
    """A chat message as wikitext on one line (it sits in a list item): each line in
    ``<nowiki>``, escaped (``</nowiki>`` in the text cannot close it), lines joined with
    ``<br />``."""
    lines = [html.escape(line, quote=False).replace("~", "&#126;") for line in body.splitlines()]
    return "<br />".join(f"<nowiki>{line}</nowiki>" if line.strip() else "" for line in lines)


def page_title(month: date, number: int = 1) -> str:
    base = f"{settings.LIVECHAT_WIKI_ARCHIVE_PREFIX}{month:%Y-%m}"
    return base if number == 1 else f"{base}/{number}"


def size(text: str) -> int:
    """A page's size as MediaWiki counts it: UTF-8 bytes."""
    return len(text.encode("utf-8"))


class Names:
    """Who people are on one page: "[[User:Name|Name]]" for the named, "Anonymous 1",
    "Anonymous 2"… in order of first appearance for the others (the same number for the
    same person throughout the page)."""

    def __init__(self, people: dict[int, Person]) -> None:
        self.people = people
        self.numbers: dict[int, int] = {}

    def copy(self) -> Names:
        other = Names(self.people)
        other.numbers = dict(self.numbers)
        return other

    def anonymous(self, person_id: int) -> str:
        number = self.numbers.setdefault(person_id, len(self.numbers) + 1)
        return _("Anonymous %(number)d") % {"number": number}

    def named(self, person_id: int) -> bool:
        person = self.people.get(person_id)
        return person is not None and person.named

    def label(self, person_id: int) -> str:
        person = self.people.get(person_id)
        if person is None or not person.named:
            return self.anonymous(person_id)
        if person.from_wiki:
            return f"[[User:{person.name}|{escape(person.name)}]]"
        return escape(person.name)  # a local account: no user page on the wiki

    def scrub(self, body: str) -> str:
        """``body`` with @mentions of anonymous people replaced by their labels."""
        for person in sorted(self.people.values(), key=lambda p: -len(p.name)):
            if not person.named and f"@{person.name}" in body:
                body = body.replace(f"@{person.name}", f"@{self.anonymous(person.id)}")
        return body


def _moment(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def render_thread(thread: Thread, names: Names) -> str:
    """One question: a level-3 heading (when, who asked), a marker with its id, its
    messages in order, and a link to it in the chat's archive."""
    lines = [
        "=== {} ===".format(
            _("%(time)s, asked by %(asker)s")
            % {"time": _moment(thread.asked_at), "asker": names.label(thread.asker_id)}
        ),
        f"<!-- livechat:question:{thread.question_id} -->",
    ]
    asked_on = thread.asked_at.astimezone(UTC).date()
    for entry in thread.entries:
        moment = entry.created_at.astimezone(UTC)
        when = f"{moment:%H:%M}" if moment.date() == asked_on else _moment(entry.created_at)
        values = {
            "author": f"'''{names.label(entry.author_id)}'''",
            "time": when,
            "text": chat_text(names.scrub(entry.body)),
        }
        if entry.answer:
            lines.append("* " + _("Answer by %(author)s (%(time)s): %(text)s") % values)
        else:
            lines.append("* " + _("%(author)s (%(time)s): %(text)s") % values)
    people = {thread.asker_id, *(entry.author_id for entry in thread.entries)}
    if not all(names.named(pk) for pk in people):
        # The chat's archive names everyone to its signed-in readers: no way there from a
        # public page for a conversation with someone who asked not to be named.
        return "\n".join(lines)
    url = settings.LIVECHAT_SITE_URL.rstrip("/") + reverse(
        "helpdesk:archive-message", args=[thread.room_slug, thread.first_message_id]
    )
    label = _("This conversation in the chat’s archive")
    lines.append(f": [{url} {label}]")
    return "\n".join(lines)


def _header(month: Month, number: int) -> str:
    start = month.month
    until = month_bounds(start)[1].date() + timedelta(days=settings.LIVECHAT_WIKI_ARCHIVE_LATE_DAYS)
    site = settings.LIVECHAT_SITE_URL.rstrip("/")
    archives = ", ".join(
        f"[{site}{reverse('helpdesk:archive', args=[slug])}?month={start:%Y-%m} {escape(name)}]"
        for slug, name in month.rooms.items()
    )
    intro = _(
        "Questions asked in the live help chat in %(month)s, with their answers, oldest "
        "first; times in UTC. A bot writes this page from the chat: edits made here before "
        "%(until)s are replaced at its next update. The text is published under "
        "%(licence)s. People who asked not to be named are shown as “Anonymous 1”, "
        "“Anonymous 2”… numbered on each page."
    ) % {
        "month": formats.date_format(start, "YEAR_MONTH_FORMAT"),
        "until": until.isoformat(),
        "licence": settings.LIVECHAT_WIKI_LICENCE,
    }
    lines = [f"<!-- livechat:archive:{start:%Y-%m} -->", f"''{intro}''"]
    if archives:
        lines.append(": " + _("The chat’s own archive: %(links)s") % {"links": archives})
    if number > 1:
        lines.append(
            ": "
            + _("Continued from [[%(title)s|page %(number)d]].")
            % {"title": page_title(start, number - 1), "number": number - 1}
        )
    return "\n".join(lines)


def _footer(month: date, number: int, *, last: bool) -> str:
    if last:
        return ""
    return _("Continued on [[%(title)s|page %(number)d]].") % {
        "title": page_title(month, number + 1),
        "number": number + 1,
    }


def _page(header: str, sections: list[str], footer: str) -> str:
    text = "\n\n".join([header, *sections, *([footer] if footer else [])])
    # MediaWiki keeps text in NFC and drops trailing whitespace: the same here, so the
    # text read back is the text rendered.
    return unicodedata.normalize("NFC", text).rstrip()


def render_month(month: Month, *, max_bytes: int) -> list[str]:
    """The month's pages, in order. Page 1 takes the questions in order until the next one
    would take it past ``max_bytes`` (UTF-8, the "continued on" line counted), then page 2
    and so on; a question bigger than the cap on its own gets a page to itself. Empty
    month: one page saying so (written only where a page exists already)."""
    pages: list[tuple[str, list[str]]] = []
    names = Names(month.people)
    header = _header(month, 1)
    sections: list[str] = []
    for thread in month.threads:
        trial = names.copy()
        section = render_thread(thread, trial)
        number = len(pages) + 1
        footer = _footer(month.month, number, last=False)
        if sections and size(_page(header, [*sections, section], footer)) > max_bytes:
            pages.append((header, sections))
            number += 1
            names = Names(month.people)
            header = _header(month, number)
            trial = names.copy()
            section = render_thread(thread, trial)
            sections = []
        names = trial
        sections.append(section)
    if not sections:
        sections = [_("No questions were asked in the chat this month.")]
    pages.append((header, sections))
    return [
        _page(header, body, _footer(month.month, number, last=number == len(pages)))
        for number, (header, body) in enumerate(pages, start=1)
    ]


def _moved(month: date) -> str:
    return _page(
        f"<!-- livechat:archive:{month:%Y-%m} -->",
        [
            _("The questions of %(month)s now fit on fewer pages: see [[%(title)s|page 1]].")
            % {
                "month": formats.date_format(month, "YEAR_MONTH_FORMAT"),
                "title": page_title(month),
            }
        ],
        "",
    )


# --- writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    title: str
    rev_id: int
    changed: bool


def _marker(month: date) -> str:
    return f"<!-- livechat:archive:{month:%Y-%m} -->"


def write_month(wiki: Wiki, *, month: date) -> list[Written]:
    """Render the month and bring its pages on the wiki to that text: a page that already
    says it is not edited. Raises the client's exceptions: EditConflict (someone edited
    between the read and the write) and WikiUnavailable are worth retrying; WikiRefused
    (including a page at one of the titles that the bot did not write) is not."""
    data = month_threads(month=month)
    with translation.override(settings.LANGUAGE_CODE):
        texts = render_month(data, max_bytes=settings.LIVECHAT_WIKI_ARCHIVE_MAX_BYTES)
        summary = _("Live help chat: questions and answers of %(month)s") % {
            "month": f"{month:%Y-%m}"
        }
        moved = _moved(month)
    written = []
    for number, text in enumerate(texts, start=1):
        title = page_title(month, number)
        page = wiki.page(title)
        if not page.exists and not data.threads:
            break  # an empty month gets no page
        result = _bring(wiki, page=page, title=title, text=text, summary=summary, month=month)
        written.append(result)
    # A page past the last one that the bot wrote (the month shrank: messages hidden since)
    # says where its questions went, instead of lingering with stale text.
    surplus = page_title(month, len(texts) + 1)
    page = wiki.page(surplus)
    if page.exists and _marker(month) in page.text:
        written.append(
            _bring(wiki, page=page, title=surplus, text=moved, summary=summary, month=month)
        )
    return written


def _bring(wiki: Wiki, *, page: Any, title: str, text: str, summary: str, month: date) -> Written:
    if page.exists and page.text.rstrip() == text:
        return Written(title=page.title, rev_id=page.rev_id, changed=False)
    if page.exists and _marker(month) not in page.text:
        raise WikiRefused(
            "not-the-bots-page",
            f"{page.title} exists and was not written by the chat's bot; it is left alone.",
        )
    edit = wiki.edit(
        title,
        text=text,
        summary=summary,
        base_rev_id=page.rev_id if page.exists else None,
        create_only=not page.exists,
    )
    return Written(title=edit.title, rev_id=edit.rev_id, changed=edit.changed)


# --- the job ------------------------------------------------------------------------------


def months_due(now: datetime) -> list[date]:
    """The months whose pages a run at ``now`` rewrites: this one, and the last one until
    LIVECHAT_WIKI_ARCHIVE_LATE_DAYS days into this one."""
    today = now.astimezone(UTC).date()
    current = today.replace(day=1)
    months = [current]
    if today.day <= settings.LIVECHAT_WIKI_ARCHIVE_LATE_DAYS:
        months.insert(0, (current - timedelta(days=1)).replace(day=1))
    return months


def next_run(now: datetime) -> datetime:
    """The next RUN_AT (UTC) after ``now``."""
    moment = now.astimezone(UTC)
    due = datetime.combine(moment.date(), RUN_AT, tzinfo=UTC)
    return due if due > moment else due + timedelta(days=1)


def run(*, now: datetime) -> list[Written]:
    """Rewrite the months due and re-arm for the next day. The wiki unreachable or an edit
    conflict raises: the timer retries with backoff (nothing is re-armed, the retry is
    the next run). A refused edit is logged and told to moderators, and the job goes on."""
    wiki = configured_wiki()
    if wiki is None:
        return []  # no wiki configured: the timer stops
    written: list[Written] = []
    for month in months_due(now):
        try:
            written.extend(write_month(wiki, month=month))
        except WikiRefused as error:
            _refused(error, month=month)
    # Scheduled after the HTTP work: a write here would hold SQLite's lock meanwhile.
    timers.schedule(key=KEY, kind=KIND, due_at=next_run(now))
    return written


def _refused(error: WikiRefused, *, month: date) -> None:
    from moderation.actions import log

    logger.error("The wiki refused the archive pages of %s: %s", f"{month:%Y-%m}", error)
    with translation.override(settings.LANGUAGE_CODE):
        sentence = _(
            "The wiki refused to save the chat’s archive pages of %(month)s (%(code)s: "
            "%(info)s). They are tried again at the next daily run."
        ) % {"month": f"{month:%Y-%m}", "code": error.code, "info": error.info[:300]}
    log(actor=None, action=REFUSED_ACTION, reason=sentence, month=f"{month:%Y-%m}")


def _timer(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    run(now=now)


def ensure_scheduled(*, now: datetime) -> bool:
    """Have the daily run scheduled when a wiki is configured (a fresh deployment runs at
    once); say whether this call scheduled it."""
    if not settings.LIVECHAT_WIKI_API:
        return False
    return timers.schedule_once(key=KEY, kind=KIND, due_at=now)


def register() -> None:
    timers.register_handler(KIND, _timer)
    timers.register_startup(lambda now: ensure_scheduled(now=now))
