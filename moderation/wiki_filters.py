"""Abuse filters imported from the wiki: its public filters (Extension:AbuseFilter's
``list=abusefilters``), each imported here as a disabled filter with its description and a
link to the original, after a syntax check and a dry run against recent messages.

The wiki is read afresh at every step (listing, preview, import): what is imported is what
the wiki shows now, never a pattern posted back by the browser. A filter is imported once:
its original's address (``AbuseFilter.source_url``) is unique, so a second import finds the
first and changes nothing. Private filters are listed but never imported: the wiki does not
show their rules, and keeping them private is the point.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db import IntegrityError, transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError, Invalid
from wiki.client import Wiki, WikiAbuseFilter, WikiUnavailable, configured_wiki

from . import filters
from .actions import require_moderator
from .models import AbuseFilter

# The wiki's actions that mean the same here; the others (blockautopromote, degroup,
# rangeblock, throttle's options...) have no counterpart in the chat and are left out.
ACTIONS = {
    "tag": AbuseFilter.Action.TAG,
    "warn": AbuseFilter.Action.WARN,
    "disallow": AbuseFilter.Action.DISALLOW,
    "block": AbuseFilter.Action.BLOCK,
}


class WikiOff(DomainError, code="not_found", status=404):
    """No wiki is configured (``LIVECHAT_WIKI_API`` empty): nothing to import from."""


class WikiDown(DomainError, code="unavailable", status=503):
    """The wiki could not be reached or answered something unexpected."""


@dataclass(frozen=True)
class Listing:
    """One of the wiki's filters as the import page shows it."""

    original: WikiAbuseFilter
    url: str  # Special:AbuseFilter/<id> on the wiki
    imported: AbuseFilter | None  # the filter it became here, if imported already

    @property
    def importable(self) -> bool:
        return not self.original.private and self.original.pattern is not None

    @property
    def actions(self) -> list[str]:
        return [ACTIONS[a] for a in self.original.actions if a in ACTIONS]

    @property
    def fingerprint(self) -> str:
        """The rule as previewed: an import confirms only what the moderator saw."""
        return hashlib.sha256((self.original.pattern or "").encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Preview:
    listing: Listing
    syntax_errors: list[str]
    trial: list[filters.TrialResult]  # [] when the rule does not parse


@dataclass(frozen=True)
class Imported:
    abuse_filter: AbuseFilter
    created: bool  # False: it had been imported before, and nothing changed


def configured() -> bool:
    return configured_wiki() is not None


def _wiki() -> Wiki:
    wiki = configured_wiki()
    if wiki is None:
        raise WikiOff(
            _("No wiki is configured (LIVECHAT_WIKI_API), so there is nothing to import.")
        )
    return wiki


def _down(error: WikiUnavailable) -> WikiDown:
    return WikiDown(
        _("The wiki could not be reached, so its filters cannot be listed now: %(error)s")
        % {"error": Truncator(str(error)).chars(200)}
    )


def original_url(wiki: Wiki, filter_id: int) -> str:
    """The original's page on the wiki. Built from the ``api.php`` the filters were read
    from (its ``index.php`` beside it), so the link always leads to that wiki, whatever
    its article path."""
    base = wiki.api_url.rsplit("/", 1)[0]
    return f"{base}/index.php?title={quote(f'Special:AbuseFilter/{filter_id}', safe=':/')}"


def listing() -> list[Listing]:
    """The wiki's filters that are not deleted, by id, each with what it became here."""
    wiki = _wiki()
    try:
        originals = wiki.abuse_filters()
    except WikiUnavailable as error:
        raise _down(error) from error
    urls = {original.id: original_url(wiki, original.id) for original in originals}
    imported = {f.source_url: f for f in AbuseFilter.objects.filter(source_url__in=urls.values())}
    return [
        Listing(original=original, url=urls[original.id], imported=imported.get(urls[original.id]))
        for original in originals
    ]


def find(filter_id: int) -> Listing:
    for entry in listing():
        if entry.original.id == filter_id:
            return entry
    raise Invalid(
        _("The wiki has no public filter %(id)s (any more).") % {"id": filter_id},
        field="filter",
    )


def preview(filter_id: int, *, limit: int = 100) -> Preview:
    """What importing would do: the syntax check, and the dry run over the last ``limit``
    messages when the rule parses. Saves nothing."""
    entry = find(filter_id)
    if not entry.importable:
        return Preview(listing=entry, syntax_errors=[], trial=[])
    source = entry.original.pattern or ""
    errors = filters.syntax_errors(source)
    trial = [] if errors else filters.try_rule(source, limit=limit)
    return Preview(listing=entry, syntax_errors=errors, trial=trial)


def import_filter(*, moderator: User, filter_id: int, fingerprint: str = "") -> Imported:
    """Import the wiki's filter ``filter_id`` as a disabled filter here (or find the one
    imported before: nothing changes then). ``fingerprint``, when given, is the preview's:
    a rule changed on the wiki since is refused, to be looked at again. Raises Invalid
    for a private filter or a rule that does not parse (nothing saved), WikiDown/WikiOff
    when the wiki cannot answer."""
    require_moderator(moderator)
    entry = find(filter_id)
    if entry.imported is not None:
        return Imported(abuse_filter=entry.imported, created=False)
    if not entry.importable:
        raise Invalid(_("This filter is private on the wiki: its rule cannot be imported."))
    if fingerprint and fingerprint != entry.fingerprint:
        raise Invalid(_("The filter changed on the wiki since you looked at it: check it again."))
    original = entry.original
    number = {"id": original.id}
    description = original.description.strip() or _("Wiki filter %(id)s") % number
    try:
        with transaction.atomic():
            abuse_filter = filters.save_filter(
                moderator=moderator,
                abuse_filter=None,
                name=Truncator(description).chars(_max("name")),
                description=Truncator(description).chars(_max("description")),
                rule=original.pattern or "",
                enabled=False,
                actions=entry.actions,
            )
            AbuseFilter.objects.filter(pk=abuse_filter.pk).update(source_url=entry.url)
    except IntegrityError:
        # Another moderator imported it at the same moment: theirs stands.
        return Imported(abuse_filter=AbuseFilter.objects.get(source_url=entry.url), created=False)
    abuse_filter.source_url = entry.url
    return Imported(abuse_filter=abuse_filter, created=True)


def _max(field: str) -> int:
    length: Any = AbuseFilter._meta.get_field(field).max_length
    return int(length)
