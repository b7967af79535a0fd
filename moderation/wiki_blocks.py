"""The wiki's blocks, applied here (docs/wiki.md "Blocks").

A wiki account (``user.wiki_id`` set; its username is its wiki name) blocked on the wiki
site-wide, or partially from the help desk's page or namespace
(LIVECHAT_WIKI_HELP_DESK_PAGE), may read but not write: the guard refuses it as it refuses
a local block, saying the block is the wiki's.

When the chat asks the wiki:
- at sign-in (:func:`refresh`, on accounts' ``wiki_signed_in`` signal), and when a room socket
  connects (:func:`warm`), so that the first write finds the answer cached;
- on a write whose cached answer is older than LIVECHAT_WIKI_BLOCK_CACHE_SECONDS;
- every minute, the block log (:func:`follow_block_log`, a timer): the people blocked,
  re-blocked or unblocked since the last look are read again at once, so a block or a
  lift takes effect within a minute without waiting for the cache to age.

Each answer is kept twice: in the cache (what writes read, no query and no HTTP) and in
the database (:class:`KnownWikiBlocks`), which outlives the cache and restarts. When the
wiki cannot be reached the chat goes on with what it last knew plus local blocks, logs
the outage once, and tells moderators once in the moderation log (and again when the wiki
answers). Someone of whom nothing is known may write, with local blocks only: failing
closed would silence the whole help desk whenever the wiki is down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils.translation import gettext as _

from core import clock
from timers import api as timers
from wiki.client import Wiki, WikiBlock, WikiUnavailable, configured_wiki

from .models import KnownWikiBlocks, ModerationLog, WikiBlockWatch

if TYPE_CHECKING:
    from accounts.models import User
    from livechat.frames import FrameContext

logger = logging.getLogger(__name__)

FOLLOW_KIND = "moderation.wiki_block_log"
FOLLOW_KEY = "moderation:wiki-block-log"
FOLLOW_SECONDS = 60
# The cached copy outlives its freshness: once stale it is still what the chat last knew,
# which the help desk's availability and an outage go on.
KNOWN_SECONDS = 24 * 3600
# While the wiki does not answer, writes ask it again at most this often.
RETRY_SECONDS = 60
# With the in-process cache (no Redis) the timers' worker refreshes its own copy only:
# other processes check the database this often, so its news reaches them within
# FOLLOW_SECONDS + this. A shared cache (Redis) receives the worker's news directly.
UNSHARED_TRUST_SECONDS = 30
DOWN_KEY = "moderation:wiki-down-until"
NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class WikiBlockHere:
    """A wiki block that stops writing here: site-wide on the wiki, or a partial block
    covering the help desk's page or namespace."""

    id: int
    site_wide: bool
    reason: str
    expires_at: datetime | None  # None: indefinite

    def applies(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now

    def as_json(self) -> dict[str, Any]:
        expires = self.expires_at.isoformat() if self.expires_at else None
        return {
            "id": self.id,
            "site_wide": self.site_wide,
            "reason": self.reason,
            "expires_at": expires,
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> WikiBlockHere:
        expires = row.get("expires_at")
        return cls(
            id=row["id"],
            site_wide=row["site_wide"],
            reason=row["reason"],
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )


@dataclass(frozen=True)
class Known:
    """One person's wiki blocks as cached. ``checked_at``: when the wiki said so (NEVER:
    nothing known). ``use_until``: until when writes go on this copy without looking
    further (the database, then the wiki)."""

    blocks: tuple[WikiBlockHere, ...]
    checked_at: datetime
    use_until: datetime

    def fresh(self, now: datetime) -> bool:
        return now < self.use_until


NOTHING_KNOWN = Known(blocks=(), checked_at=NEVER, use_until=NEVER)


def _fresh(blocks: tuple[WikiBlockHere, ...], *, checked_at: datetime, now: datetime) -> Known:
    return Known(
        blocks=blocks, checked_at=checked_at, use_until=min(checked_at + _max_age(), now + _trust())
    )


def _key(user_id: int) -> str:
    return f"moderation:wiki-blocks:{user_id}"


def _max_age() -> timedelta:
    return timedelta(seconds=settings.LIVECHAT_WIKI_BLOCK_CACHE_SECONDS)


def _trust() -> timedelta:
    if isinstance(caches["default"], LocMemCache):
        seconds = min(UNSHARED_TRUST_SECONDS, settings.LIVECHAT_WIKI_BLOCK_CACHE_SECONDS)
        return timedelta(seconds=seconds)
    return _max_age()


def enabled() -> bool:
    return bool(settings.LIVECHAT_WIKI_API)


def _from_wiki(user: User) -> bool:
    return enabled() and getattr(user, "wiki_id", None) is not None


# --- the client ------------------------------------------------------------------------------

# One client per process and wiki: signing in with the bot password costs a few requests,
# which a write should not pay each time the cache ages.
_clients: dict[tuple[str, str], Wiki] = {}
# The help desk page as the wiki spells it, with its namespace, per wiki and setting.
_titles: dict[tuple[str, str], tuple[str, int]] = {}


def _wiki() -> Wiki | None:
    if not enabled():
        return None
    key = (settings.LIVECHAT_WIKI_API, settings.LIVECHAT_WIKI_BOT_USER)
    client = _clients.get(key)
    if client is None:
        client = configured_wiki()
        assert client is not None
        _clients[key] = client
    return client


def _forget_client(wiki: Wiki) -> None:
    # The next call signs in afresh: a session the wiki dropped during an outage is gone.
    for key, client in list(_clients.items()):
        if client is wiki:
            del _clients[key]


def _help_desk(wiki: Wiki) -> tuple[str, int]:
    key = (wiki.api_url, settings.LIVECHAT_WIKI_HELP_DESK_PAGE)
    if key not in _titles:
        _titles[key] = wiki.title(settings.LIVECHAT_WIKI_HELP_DESK_PAGE)
    return _titles[key]


def _here(block: WikiBlock) -> WikiBlockHere:
    return WikiBlockHere(
        id=block.id, site_wide=block.sitewide, reason=block.reason, expires_at=block.expires_at
    )


# --- reading and keeping -------------------------------------------------------------------


def _ask(wiki: Wiki, users: list[User], *, now: datetime) -> dict[int, Known]:
    """The blocks that apply here to each of ``users``, from the wiki (raises
    WikiUnavailable). Partial blocks elsewhere on the wiki are left out."""
    names = [user.username for user in users]
    try:
        title, namespace = _help_desk(wiki)
        found = wiki.blocks(names)
        # A global block (Wikimedia's farm) stops writing on every wiki, so here too.
        for name, blocks in wiki.global_blocks(names).items():
            found.setdefault(name, []).extend(blocks)
    except WikiUnavailable:
        _forget_client(wiki)
        raise
    return {
        user.pk: _fresh(
            tuple(
                _here(block)
                for block in found.get(user.username, [])
                if block.covers(title=title, namespace=namespace)
            ),
            checked_at=now,
            now=now,
        )
        for user in users
    }


def _keep(known: dict[int, Known]) -> None:
    """Cache and store fresh answers: the cache for writes, the database for outages."""
    if not known:
        return
    cache.set_many({_key(pk): value for pk, value in known.items()}, KNOWN_SECONDS)
    KnownWikiBlocks.objects.bulk_create(
        [
            KnownWikiBlocks(
                user_id=pk,
                blocks=[block.as_json() for block in value.blocks],
                checked_at=value.checked_at,
            )
            for pk, value in known.items()
        ],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["blocks", "checked_at"],
    )


def _stored(user_id: int, *, now: datetime) -> Known:
    row = KnownWikiBlocks.objects.filter(user_id=user_id).first()
    if row is None:
        return NOTHING_KNOWN
    blocks = tuple(WikiBlockHere.from_json(block) for block in row.blocks)
    return _fresh(blocks, checked_at=row.checked_at, now=now)


def _down(now: datetime) -> bool:
    until = cache.get(DOWN_KEY)
    return until is not None and now < until


def _known(user: User, *, now: datetime, ask: bool = False) -> Known:
    """What applies to ``user``: the cached copy while fresh (no query, no HTTP); else
    the stored one if still fresh (another process asked lately); else the wiki's answer;
    else, the wiki not answering, what was last known. ``ask`` goes to the wiki first,
    even during an outage (signing in)."""
    cached = cache.get(_key(user.pk))
    if not ask and cached is not None and cached.fresh(now):
        return cached
    stored = _stored(user.pk, now=now)
    if not ask and stored.fresh(now):
        cache.set(_key(user.pk), stored, KNOWN_SECONDS)
        return stored
    wiki = _wiki()
    if wiki is not None and (ask or not _down(now)):
        try:
            answer = _ask(wiki, [user], now=now)
        except WikiUnavailable as error:
            _unreachable(error, now=now)
        else:
            _keep(answer)
            _reachable(now=now)
            return answer[user.pk]
    # The wiki did not answer (or is not asked during an outage): what was last known,
    # used until the wiki is worth asking again.
    last = max([stored, cached or NOTHING_KNOWN], key=lambda known: known.checked_at)
    last = Known(last.blocks, last.checked_at, use_until=now + timedelta(seconds=RETRY_SECONDS))
    cache.set(_key(user.pk), last, KNOWN_SECONDS)
    return last


def _longest(blocks: Iterable[WikiBlockHere], now: datetime) -> WikiBlockHere | None:
    applying = [block for block in blocks if block.applies(now)]
    if not applying:
        return None
    return max(applying, key=lambda block: block.expires_at or datetime.max.replace(tzinfo=UTC))


# --- what the rest of the chat calls -------------------------------------------------------


def block_for(user: User) -> WikiBlockHere | None:
    """The wiki block that stops ``user`` writing here now, if any (the guard, on every
    write). Cached: no query and no request while the answer is fresh."""
    if not _from_wiki(user):
        return None
    now = clock.now()
    return _longest(_known(user, now=now).blocks, now)


def refresh(user: User) -> WikiBlockHere | None:
    """Ask the wiki now about ``user``'s blocks and keep the answer; the sign-in adapter
    calls this after every sign-in with the wiki. Returns the block that applies, if any.
    Never raises for the wiki: when it cannot be reached, what was last known stands."""
    if not _from_wiki(user):
        return None
    now = clock.now()
    return _longest(_known(user, now=now, ask=True).blocks, now)


def signed_in(sender: object, *, user: User, **kwargs: Any) -> None:
    """accounts.signals.wiki_signed_in: read the person's wiki blocks afresh."""
    refresh(user)


def warm(context: FrameContext) -> None:
    """A room socket opened (livechat's connect hook): have this person's wiki blocks
    cached, so their first write is as quick as the rest."""
    block_for(context.user)


def blocked_among(user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` a wiki block stops writing now, as last known, from the cache
    alone (the help desk asks this of every available helper: no query, no request)."""
    if not enabled() or not user_ids:
        return set()
    now = clock.now()
    cached = cache.get_many([_key(pk) for pk in user_ids])
    return {
        pk
        for pk in user_ids
        if (known := cached.get(_key(pk))) is not None and _longest(known.blocks, now)
    }


# --- the outage ------------------------------------------------------------------------------


def _unreachable(error: WikiUnavailable, *, now: datetime) -> None:
    """The wiki did not answer: ask it again in RETRY_SECONDS at the earliest, and, at the
    start of an outage only, log it and tell moderators (the moderation log)."""
    cache.set(DOWN_KEY, now + timedelta(seconds=RETRY_SECONDS), KNOWN_SECONDS)
    WikiBlockWatch.objects.get_or_create(pk=1)
    # One conditional update decides which process reports the outage: exactly one.
    started = WikiBlockWatch.objects.filter(pk=1, unreachable_since__isnull=True).update(
        unreachable_since=now, last_error=str(error)[:1000]
    )
    if not started:
        return
    logger.warning(
        "The wiki cannot be reached (%s); its blocks apply as last known until it answers.",
        error,
    )
    _tell_moderators(
        ModerationLog.Action.WIKI_UNREACHABLE,
        _(
            "The wiki cannot be reached. Its blocks apply as last known, together with the "
            "chat's own blocks, until it answers again; people the chat knows nothing about "
            "may write. Error: %(error)s"
        )
        % {"error": str(error)[:500]},
        since=now,
    )


def _reachable(*, now: datetime) -> None:
    """The wiki answered: end the outage, if one was under way, and say so."""
    cache.delete(DOWN_KEY)
    rows = WikiBlockWatch.objects.filter(pk=1, unreachable_since__isnull=False)
    since = rows.values_list("unreachable_since", flat=True).first()
    # The update decides which process reports the wiki's return when several notice it.
    if since is None or not rows.update(unreachable_since=None, last_error=""):
        return
    logger.warning("The wiki answers again (it did not since %s).", since.isoformat())
    _tell_moderators(
        ModerationLog.Action.WIKI_REACHABLE,
        _("The wiki answers again; its blocks are read afresh."),
        since=since,
    )


def _tell_moderators(action: str, sentence: str, *, since: datetime) -> None:
    # The moderation log is where moderators read what happened without them (an abuse
    # filter suspending itself writes there too); the moderation index shows it.
    from .actions import log

    log(actor=None, action=action, reason=sentence, since=since.isoformat())


def unreachable_since() -> datetime | None:
    """Since when the wiki has not answered, or None (the moderation index says so)."""
    if not enabled():
        return None
    return WikiBlockWatch.objects.filter(pk=1).values_list("unreachable_since", flat=True).first()


# --- following the block log ---------------------------------------------------------------

# Block log entries read per look; when all of them are new, some may have been missed.
LOG_LIMIT = 500


def follow_block_log(*, now: datetime) -> None:
    """Read the wiki's block log since the last look and ask again about the chat's people
    who appear in it (blocked, re-blocked, unblocked), then look again in a minute. All
    of the last LOG_LIMIT entries new: more may have been missed, so everyone known is
    asked again."""
    from accounts.models import User

    wiki = _wiki()
    if wiki is None:
        return  # no wiki configured: the timer stops
    watch, _created = WikiBlockWatch.objects.get_or_create(pk=1)
    try:
        try:
            entries = wiki.block_log(after_log_id=watch.last_log_id or 0, limit=LOG_LIMIT)
        except WikiUnavailable:
            _forget_client(wiki)
            raise
        wiki_users = User.objects.filter(wiki_id__isnull=False)
        if watch.last_log_id is not None and len(entries) >= LOG_LIMIT:
            people = list(wiki_users.filter(pk__in=KnownWikiBlocks.objects.values("user_id")))
        else:
            names = sorted({entry.user for entry in entries})
            people = list(wiki_users.filter(username__in=names)) if names else []
        if people:
            _keep(_ask(wiki, people, now=now))
    except WikiUnavailable as error:
        _unreachable(error, now=now)
    else:
        if entries:
            WikiBlockWatch.objects.filter(pk=1).update(last_log_id=entries[-1].log_id)
        _reachable(now=now)
    timers.schedule(
        key=FOLLOW_KEY, kind=FOLLOW_KIND, due_at=now + timedelta(seconds=FOLLOW_SECONDS)
    )


def _follow_timer(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    follow_block_log(now=now)


def ensure_following(*, now: datetime) -> bool:
    """Have the block log followed (a timer re-arming itself every minute) when a wiki is
    configured; say whether this call started it. Idempotent: one statement."""
    if not enabled():
        return False
    return timers.schedule_once(key=FOLLOW_KEY, kind=FOLLOW_KIND, due_at=now)


def register() -> None:
    timers.register_handler(FOLLOW_KIND, _follow_timer)
    # Every timers' worker that starts makes sure the block log is followed.
    timers.register_startup(lambda now: ensure_following(now=now))
