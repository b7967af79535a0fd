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
    """The wiki could not be reached, refused us, or answered something unexpected."""


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
