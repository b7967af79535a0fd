"""What the chat asks its wiki, as plain typed answers: who a user is (groups, edit count,
registration), the blocks that apply to them (site-wide, or partial with the pages and
namespaces they cover), the block log since a point (to notice new blocks and lifts
quickly), and the mentor list as GrowthExperiments keeps it
(``MediaWiki:GrowthMentors.json``).

Every failure to reach or understand the wiki is one exception, :class:`WikiUnavailable`,
so callers decide in one place what to do without the wiki (docs/wiki.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import mwclient
import requests

# The Action API takes at most 50 names per list=users / list=blocks call.
NAMES_PER_CALL = 50
MENTOR_LIST_PAGE = "MediaWiki:GrowthMentors.json"


class WikiUnavailable(Exception):
    """The wiki could not be reached, refused us, or answered something unexpected.
    Worth trying again later: the wiki down, lagged (``maxlag``), read-only, or limiting
    our rate."""


class WikiRefused(Exception):
    """The wiki will not take this edit, and trying again will not change that: no
    permission, a protected page, an abuse filter, the bot blocked. ``code`` is the API's."""

    def __init__(self, code: str, info: str) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info


class EditConflict(Exception):
    """Someone else edited the page after the revision the edit was based on."""


@dataclass(frozen=True)
class WikiBlock:
    id: int
    reason: str
    by: str
    expires_at: datetime | None  # None: indefinite
    sitewide: bool
    # A partial block's restrictions: page titles and namespace numbers.
    pages: tuple[str, ...] = ()
    namespaces: tuple[int, ...] = ()
    # Placed for every wiki of the farm (Extension:GlobalBlocking), not by this wiki.
    is_global: bool = False

    def covers(self, *, title: str, namespace: int) -> bool:
        """Whether the block stops editing ``title`` (in ``namespace``)."""
        return self.sitewide or title in self.pages or namespace in self.namespaces


@dataclass(frozen=True)
class WikiUser:
    id: int
    name: str
    groups: tuple[str, ...]
    edit_count: int
    registered: datetime | None


@dataclass(frozen=True)
class BlockLogEntry:
    log_id: int
    user: str  # the name, without the "User:" prefix
    action: str  # "block", "reblock" or "unblock"
    at: datetime


@dataclass(frozen=True)
class Mentor:
    user_id: int
    username: str
    message: str
    weight: int
    automatic: bool  # takes new mentees automatically


@dataclass(frozen=True)
class Page:
    title: str  # as the wiki spells it
    exists: bool
    rev_id: int  # 0 when the page does not exist
    text: str
    size: int  # bytes, as the wiki counts them
    timestamp: datetime | None


@dataclass(frozen=True)
class Revision:
    rev_id: int
    parent_id: int
    user: str
    user_id: int  # 0 for an IP edit
    timestamp: datetime
    comment: str


@dataclass(frozen=True)
class Edit:
    title: str
    rev_id: int  # the page's revision after the edit (the old one when nothing changed)
    changed: bool  # False: the text was already what the edit asked for


@dataclass(frozen=True)
class SectionPost:
    heading: str  # the section's heading on the page
    rev_id: int  # the revision that holds it
    posted: bool  # False: it was there already (an earlier try that went through)


@dataclass(frozen=True)
class WikiAbuseFilter:
    """A filter of the wiki's Extension:AbuseFilter, as ``list=abusefilters`` shows it."""

    id: int
    description: str
    pattern: str | None  # None: a private filter, whose rule the wiki does not show
    actions: tuple[str, ...]  # "warn", "disallow", "tag", "block"...
    enabled: bool
    deleted: bool
    private: bool


@dataclass(frozen=True)
class SearchHit:
    title: str
    snippet: str  # plain text: the wiki's highlight markup removed
    namespace: int


# Errors of action=edit worth trying again later (the job queue retries with backoff);
# any other error code refuses for good (WikiRefused).
RETRYABLE_EDIT_ERRORS = frozenset(
    {"ratelimited", "readonly", "maxlag", "badtoken", "assertuserfailed", "assertbotfailed"}
)
# Wikimedia's convention for bots: back off while the database replicas lag by more.
MAXLAG_SECONDS = 5


def _time(value: str | None) -> datetime | None:
    if not value or value in {"infinite", "infinity", "indefinite"}:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def global_block(row: dict[str, Any]) -> WikiBlock:
    """A row of ``list=globalblocks`` as a block: global blocks are site-wide."""
    return WikiBlock(
        id=int(row.get("id", 0)),
        reason=row.get("reason", ""),
        by=row.get("by", ""),
        expires_at=_time(row.get("expiry")),
        sitewide=True,
        is_global=True,
    )


def _chunks(names: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(names), NAMES_PER_CALL):
        yield names[start : start + NAMES_PER_CALL]


class Wiki:
    """One wiki, reached through its ``api.php``; signed in with a bot password when one
    is given (``user`` is then ``"Name@appid"``)."""

    def __init__(
        self, *, api_url: str, user: str = "", password: str = "", timeout: float = 10
    ) -> None:
        parts = urlsplit(api_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"Not an api.php address: {api_url!r}")
        self.api_url = api_url
        self._where = (parts.netloc, parts.path.rsplit("/", 1)[0] + "/", parts.scheme)
        self._login = (user, password)
        self.timeout = timeout
        self._site: mwclient.Site | None = None
        # Whether the wiki has Extension:GlobalBlocking; learnt from its first answer.
        self._global_blocking: bool | None = None

    # -- plumbing ----------------------------------------------------------------------------

    def _connect(self) -> mwclient.Site:
        if self._site is None:
            host, path, scheme = self._where
            try:
                site = mwclient.Site(
                    host,
                    path=path,
                    scheme=scheme,
                    connection_options={"timeout": self.timeout},
                    # The chat answers people: a few quick retries (maxlag, a blip), not
                    # mwclient's default of 25 at 30 s each.
                    max_retries=2,
                    retry_timeout=1,
                    clients_useragent="livechat-helpdesk (wiki/client.py)",
                )
                user, password = self._login
                if user:
                    site.login(user, password)
            except (requests.RequestException, mwclient.errors.MwClientError) as error:
                raise WikiUnavailable(str(error)) from error
            self._site = site
        return self._site

    def _query(self, **params: Any) -> dict[str, Any]:
        site = self._connect()
        try:
            answer = site.api("query", formatversion=2, **params)
        except (requests.RequestException, mwclient.errors.MwClientError) as error:
            raise WikiUnavailable(str(error)) from error
        try:
            return answer["query"]
        except (KeyError, TypeError) as error:
            raise WikiUnavailable(f"unexpected answer: {answer!r:.200}") from error

    # -- questions ---------------------------------------------------------------------------

    def users(self, names: Iterable[str]) -> dict[str, WikiUser]:
        """The accounts among ``names`` (missing ones are left out), by name."""
        found: dict[str, WikiUser] = {}
        for chunk in _chunks(sorted(set(names))):
            query = self._query(
                list="users", ususers="|".join(chunk), usprop="groups|editcount|registration"
            )
            for row in query.get("users", []):
                if row.get("missing") or row.get("invalid"):
                    continue
                found[row["name"]] = WikiUser(
                    id=row["userid"],
                    name=row["name"],
                    groups=tuple(row.get("groups", ())),
                    edit_count=row.get("editcount", 0),
                    registered=_time(row.get("registration")),
                )
        return found

    def blocks(self, names: Iterable[str]) -> dict[str, list[WikiBlock]]:
        """The blocks in force on each of ``names`` (a name with none is left out)."""
        found: dict[str, list[WikiBlock]] = {}
        for chunk in _chunks(sorted(set(names))):
            query = self._query(
                list="blocks",
                bkusers="|".join(chunk),
                bkprop="id|user|by|reason|expiry|restrictions|flags",
                bklimit="max",
            )
            for row in query.get("blocks", []):
                restrictions = row.get("restrictions") or {}
                found.setdefault(row["user"], []).append(
                    WikiBlock(
                        id=row["id"],
                        reason=row.get("reason", ""),
                        by=row.get("by", ""),
                        expires_at=_time(row.get("expiry")),
                        sitewide=not row.get("partial", False),
                        pages=tuple(page["title"] for page in restrictions.get("pages", ())),
                        namespaces=tuple(restrictions.get("namespaces", ())),
                    )
                )
        return found

    def global_blocks(self, names: Iterable[str]) -> dict[str, list[WikiBlock]]:
        """The global account blocks (Extension:GlobalBlocking, on Wikimedia wikis) in force
        on each of ``names``: placed once for every wiki of the farm, so they stop writing
        here too, though ``list=blocks`` does not show them. ``{}`` on a wiki without the
        extension (it answers with a warning, remembered after the first call)."""
        found: dict[str, list[WikiBlock]] = {}
        if self._global_blocking is False:
            return found
        for chunk in _chunks(sorted(set(names))):
            for row in self._global_block_rows(chunk):
                # Older versions name the target "address"; IP and range blocks that an
                # old wiki lists for any query never match an account's name.
                target = row.get("target", row.get("address"))
                if target in chunk:
                    found.setdefault(target, []).append(global_block(row))
        return found

    def _global_block_rows(self, names: list[str]) -> list[dict[str, Any]]:
        site = self._connect()
        try:
            answer = site.api(
                "query",
                formatversion=2,
                list="globalblocks",
                bgtargets="|".join(names),
                bgprop="id|target|by|expiry|reason",
                bglimit="max",
            )
        except mwclient.errors.APIError as error:
            # One name the wiki farm does not know fails the whole call: ask name by name,
            # leaving the unknown one out.
            if error.code == "nosuchuser":
                if len(names) == 1:
                    return []
                return [row for name in names for row in self._global_block_rows([name])]
            raise WikiUnavailable(str(error)) from error
        except (requests.RequestException, mwclient.errors.MwClientError) as error:
            raise WikiUnavailable(str(error)) from error
        query = answer.get("query", {}) if isinstance(answer, dict) else {}
        self._global_blocking = "globalblocks" in query
        return list(query.get("globalblocks", []))

    def block_log(self, *, after_log_id: int = 0, limit: int = 500) -> list[BlockLogEntry]:
        """Block-log entries newer than ``after_log_id``, oldest first, from the newest
        ``limit``: who was blocked, re-blocked or unblocked since the chat last looked. When
        all of them are newer, more may have been missed: the caller re-reads its people's
        blocks instead."""
        query = self._query(
            list="logevents",
            letype="block",
            leprop="ids|title|type|timestamp",
            lelimit=min(limit, 500),
        )
        entries = [
            BlockLogEntry(
                log_id=row["logid"],
                user=row["title"].split(":", 1)[-1],
                action=row["action"],
                at=_time(row["timestamp"]),  # type: ignore[arg-type]
            )
            for row in query.get("logevents", [])
            if row["logid"] > after_log_id
        ]
        return sorted(entries, key=lambda entry: entry.log_id)

    # -- pages ---------------------------------------------------------------------------

    def page(self, title: str) -> Page:
        """The page's latest revision: its text, id, size and time."""
        query = self._query(
            prop="revisions",
            titles=title,
            rvprop="ids|timestamp|size|content",
            rvslots="main",
        )
        pages = query.get("pages") or [{}]
        row = pages[0]
        name = row.get("title", title)
        if row.get("missing") or not row.get("revisions"):
            return Page(title=name, exists=False, rev_id=0, text="", size=0, timestamp=None)
        revision = row["revisions"][0]
        return Page(
            title=name,
            exists=True,
            rev_id=revision["revid"],
            text=revision["slots"]["main"]["content"],
            size=revision.get("size", 0),
            timestamp=_time(revision.get("timestamp")),
        )

    def revisions(self, title: str, *, after_rev_id: int = 0, limit: int = 50) -> list[Revision]:
        """The page's revisions newer than ``after_rev_id``, oldest first (at most
        ``limit``, the oldest of them: call again from the last one for more)."""
        params: dict[str, Any] = {
            "prop": "revisions",
            "titles": title,
            "rvprop": "ids|user|userid|timestamp|comment",
            "rvlimit": min(limit, 500),
            "rvdir": "newer",
        }
        if after_rev_id:
            params["rvstartid"] = after_rev_id
        query = self._query(**params)
        pages = query.get("pages") or [{}]
        return [
            Revision(
                rev_id=row["revid"],
                parent_id=row.get("parentid", 0),
                user=row.get("user", ""),
                user_id=row.get("userid", 0),
                timestamp=_time(row["timestamp"]),  # type: ignore[arg-type]
                comment=row.get("comment", ""),
            )
            for row in pages[0].get("revisions", [])
            if row["revid"] > after_rev_id
        ]

    def revision_text(self, rev_id: int) -> str:
        """The whole text of one revision."""
        query = self._query(prop="revisions", revids=rev_id, rvprop="content", rvslots="main")
        try:
            return query["pages"][0]["revisions"][0]["slots"]["main"]["content"]
        except (KeyError, IndexError, TypeError) as error:
            raise WikiUnavailable(f"no text for revision {rev_id}") from error

    def edit(
        self,
        title: str,
        *,
        summary: str,
        text: str | None = None,
        append: str | None = None,
        new_section: str | None = None,
        base_rev_id: int | None = None,
        create_only: bool = False,
        minor: bool = False,
    ) -> Edit:
        """Edit a page as the bot, the way Wikimedia's tools do (``action=edit`` with a
        CSRF token, ``maxlag``, ``assert=user``): replace its ``text``, ``append`` to it,
        or add a ``new_section`` with that heading and ``text`` as its body.

        ``base_rev_id`` makes a replacement fail with :class:`EditConflict` if the page
        changed since that revision; ``create_only`` fails with it if the page exists.
        Raises :class:`WikiUnavailable` for what is worth retrying later and
        :class:`WikiRefused` for the rest."""
        params: dict[str, Any] = {
            "title": title,
            "summary": summary,
            "assert": "user",
            "maxlag": MAXLAG_SECONDS,
            "formatversion": 2,
        }
        if new_section is not None:
            params.update(section="new", sectiontitle=new_section, text=text or "")
        elif append is not None:
            params["appendtext"] = append
        else:
            params["text"] = text or ""
        if base_rev_id:
            params["baserevid"] = base_rev_id
        if create_only:
            params["createonly"] = 1
        params["minor" if minor else "notminor"] = 1
        site = self._connect()
        try:
            answer = site.api("edit", http_method="POST", token=site.get_token("csrf"), **params)
        except mwclient.errors.APIError as error:
            if error.code in {"editconflict", "articleexists"}:
                raise EditConflict(str(error.info)) from error
            if error.code in RETRYABLE_EDIT_ERRORS:
                self._site = None  # a lost session or token: sign in afresh next time
                raise WikiUnavailable(f"{error.code}: {error.info}") from error
            raise WikiRefused(error.code, str(error.info)) from error
        except (requests.RequestException, mwclient.errors.MwClientError) as error:
            raise WikiUnavailable(str(error)) from error
        result = answer.get("edit", {}) if isinstance(answer, dict) else {}
        if result.get("result") != "Success":
            # An extension stopped the edit without an error code (a captcha, say).
            raise WikiRefused("edit-not-saved", json.dumps(result)[:300])
        name = result.get("title", title)
        if result.get("nochange"):
            # The wiki does not say which revision stands when nothing changed: ask.
            return Edit(title=name, rev_id=self.page(name).rev_id, changed=False)
        return Edit(title=name, rev_id=int(result["newrevid"]), changed=True)

    def add_section_once(
        self,
        title: str,
        *,
        marker: str,
        heading: str,
        text: str,
        summary: str,
        minor: bool = False,
    ) -> SectionPost:
        """Add a section to a page unless one holding ``marker`` (an HTML comment, put at
        the top of ``text`` when it is not in it) is there already: a job retried after an
        edit that went through, whose answer was lost, never posts twice. The edit is based
        on the revision read, so a change in between is an :class:`EditConflict`, and the
        retry reads the page again."""
        from .sections import section_with

        page = self.page(title)
        found = section_with(page.text, marker)
        if found is not None:
            return SectionPost(heading=found.heading, rev_id=page.rev_id, posted=False)
        edit = self.edit(
            title,
            summary=summary,
            new_section=heading,
            text=text if marker in text else f"{marker}\n{text}",
            base_rev_id=page.rev_id or None,
            minor=minor,
        )
        return SectionPost(heading=heading, rev_id=edit.rev_id, posted=True)

    # -- abuse filters -------------------------------------------------------------------

    def abuse_filters(self, *, limit: int = 500) -> list[WikiAbuseFilter]:
        """The wiki's abuse filters that are not deleted, by id (``list=abusefilters``): a
        private one comes without its pattern (the wiki shows it only to those who may see
        private filters)."""
        query = self._query(
            list="abusefilters",
            abfprop="id|description|pattern|actions|status|private",
            abfshow="!deleted",
            abflimit=min(limit, 500),
        )
        return [
            WikiAbuseFilter(
                id=int(row["id"]),
                description=row.get("description", ""),
                pattern=row.get("pattern"),
                actions=tuple(a for a in row.get("actions", "").split(",") if a),
                # formatversion=2 still flags these with "" (present) or leaves them out.
                enabled="enabled" in row,
                deleted="deleted" in row,
                private="private" in row,
            )
            for row in query.get("abusefilters", [])
        ]

    # -- search --------------------------------------------------------------------------

    def search(
        self, text: str, *, namespaces: Iterable[int] = (12, 4), limit: int = 3
    ) -> list[SearchHit]:
        """Pages matching ``text`` in the wiki's own search (``list=search``), by default in
        the Help (12) and Project (4) namespaces."""
        query = self._query(
            list="search",
            srsearch=text,
            srnamespace="|".join(str(number) for number in namespaces),
            srlimit=limit,
            srprop="snippet",
            srwhat="text",
        )
        return [
            SearchHit(
                title=row["title"], snippet=_plain(row.get("snippet", "")), namespace=row["ns"]
            )
            for row in query.get("search", [])
        ]

    def title(self, title: str) -> tuple[str, int]:
        """``title`` as the wiki spells it, with its namespace number: "Project:Help_desk"
        is ("TestWiki:Help desk", 4) on the local wiki. Partial blocks name pages this
        way, so a title from the settings is compared only once normalised."""
        pages = self._query(titles=title).get("pages", [])
        if len(pages) != 1 or pages[0].get("invalid") or "ns" not in pages[0]:
            raise WikiUnavailable(f"{title!r} is not a page title on this wiki")
        return pages[0]["title"], pages[0]["ns"]

    def mentors(self, *, page: str = MENTOR_LIST_PAGE) -> list[Mentor]:
        """The mentor list as GrowthExperiments writes it: ``{"Mentors": {"<user id>":
        {"username", "message", "weight", "automaticallyAssigned"}}}``; [] when the page
        does not exist."""
        query = self._query(prop="revisions", titles=page, rvprop="content", rvslots="main")
        pages = query.get("pages", [])
        if not pages or pages[0].get("missing"):
            return []
        try:
            content = pages[0]["revisions"][0]["slots"]["main"]["content"]
            mentors = json.loads(content)["Mentors"]
            return [
                Mentor(
                    user_id=int(user_id),
                    username=entry["username"],
                    message=entry.get("message", ""),
                    weight=int(entry.get("weight", 2)),
                    automatic=bool(entry.get("automaticallyAssigned", True)),
                )
                for user_id, entry in mentors.items()
            ]
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise WikiUnavailable(f"{page} is not a mentor list: {error}") from error


def _plain(snippet: str) -> str:
    """A search snippet without the wiki's markup (``<span class="searchmatch">``) and
    entities: the chat shows it as text."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", snippet))


def configured_wiki() -> Wiki | None:
    """The wiki of the settings (``LIVECHAT_WIKI_API`` and the bot password), or None when
    no wiki is configured: wiki features are then off."""
    from django.conf import settings

    api_url = getattr(settings, "LIVECHAT_WIKI_API", "")
    if not api_url:
        return None
    return Wiki(
        api_url=api_url,
        user=settings.LIVECHAT_WIKI_BOT_USER,
        password=settings.LIVECHAT_WIKI_BOT_PASSWORD,
    )
