"""Help while waiting (docs/helpdesk.md "Help while waiting"): while an asker types in a
help room, help pages from the wiki's search and similar questions the help desk already
answered, so that some find their answer before anyone has to.

Both halves are best effort and never an error for the asker: without a wiki (or with the
wiki down) there are no help pages, and the box stays theirs to send at any moment.

Both searches look for the draft's *key words*, not the whole sentence: MediaWiki's own
search (and the archive's, helpdesk.search) wants every word it is given, and a question
is mostly words no help page contains ("how do I …"). Key words are the longer words that
are not common question words, the longest first.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Invalid
from livechat.models import Room
from livechat.payloads import iso

from . import search as backends
from .models import Question, QuestionMessage

logger = logging.getLogger(__name__)

# A draft longer than this is not a search any more (a pasted page): refused, saying so.
MAX_QUERY_CHARS = 500
# Up to this many of each kind are suggested.
LIMIT = 3
# The wiki's Help (12) and Project (4) namespaces.
WIKI_NAMESPACES = (12, 4)
# At most this many key words go to a search: every one must match there.
WIKI_KEY_WORDS = 3
# The newest archive messages containing any key word that are looked at.
CANDIDATES = 200
SNIPPET_CHARS = 200
EXCERPT_CHARS = 160
# Words shorter than this are rarely what a question is about ("how", "do", "I", "a").
KEY_WORD_MIN_LETTERS = 4
# Common longer words of questions in English, the default language of the help desk.
# Other languages' short words are mostly left out by length already.
COMMON_WORDS = frozenset(
    # A block of words reads better than a list of 75 strings.
    """
    about after again also anyone anything been before being cannot could does doing done
    each even ever from have having help hello here into just know like made make many more
    most much need only other please should since some someone something sure than thank
    thanks that their them then there these they thing this those through tried trying very
    want wanted what when where which while will with would your yours
    """.split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W_]+")


# --- reading a draft ------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    text: str  # normalised: NFC, whitespace collapsed
    words: tuple[str, ...]  # every word, casefolded, in order
    key_words: tuple[str, ...]  # the ones to search for, most telling first

    @property
    def long_enough(self) -> bool:
        return len(self.words) >= settings.LIVECHAT_SUGGEST_MIN_WORDS and bool(self.key_words)


def read_draft(text: object) -> Draft:
    """The draft as the searches read it. Raises :class:`Invalid` for a draft that is not
    text or longer than MAX_QUERY_CHARS."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise Invalid(_("Send the draft's text as q."), field="q")
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(
            _("q is %(length)d characters long; suggestions look at %(limit)d at most.")
            % {"length": len(text), "limit": MAX_QUERY_CHARS},
            field="q",
        )
    text = " ".join(unicodedata.normalize("NFC", text).split())
    words = tuple(word.casefold() for word in _WORD.findall(text))
    seen = dict.fromkeys(
        word
        for word in words
        if len(word) >= KEY_WORD_MIN_LETTERS and word not in COMMON_WORDS and not word.isdigit()
    )
    # Longest first (a stable sort keeps the draft's order among equals): longer words
    # tend to be the subject ("citation", "upload"), shorter ones the grammar.
    key_words = tuple(sorted(seen, key=len, reverse=True))
    return Draft(text=text, words=words, key_words=key_words)


# --- help pages from the wiki ---------------------------------------------------------------


def page_url(title: str) -> str:
    """The page's address on the wiki: LIVECHAT_WIKI_URL + the title, spaces as
    underscores, URL-encoded (":" and "/" kept, as the wiki writes its own links)."""
    return settings.LIVECHAT_WIKI_URL + quote(title.replace(" ", "_"), safe="/:")


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " …"


def _cache_key(kind: str, text: str) -> str:
    digest = hashlib.sha256(f"{settings.LIVECHAT_WIKI_API}\n{text}".encode()).hexdigest()[:32]
    return f"helpdesk:suggest:{kind}:{digest}"


def help_pages(draft: Draft) -> list[dict[str, str]]:
    """Up to LIMIT pages of the wiki's Help and Project namespaces for the draft, cached
    per key words; [] without a wiki, or while it does not answer."""
    api = settings.LIVECHAT_WIKI_API
    if not api or not draft.key_words:
        return []
    key = _cache_key("wiki", " ".join(draft.key_words[:WIKI_KEY_WORDS]))
    cached = cache.get(key)
    if cached is not None:
        return cached
    down = _cache_key("wiki-down", "")
    if cache.get(down):
        return []
    try:
        pages = _search_wiki(api, draft.key_words)
    except Exception as error:  # noqa: BLE001 - the wiki is an extra: never the asker's error
        # Every keystroke of every asker would otherwise wait for the wiki's timeout.
        logger.warning("help-page suggestions: the wiki did not answer: %s", error)
        cache.set(down, True, settings.LIVECHAT_SUGGEST_WIKI_RETRY_SECONDS)
        return []
    cache.set(key, pages, settings.LIVECHAT_SUGGEST_CACHE_SECONDS)
    return pages


def _search_wiki(api: str, key_words: tuple[str, ...]) -> list[dict[str, str]]:
    from wiki.client import Wiki

    # Anonymous and with a short timeout: search needs no sign-in (the bot's login would
    # cost three more requests), and a person is waiting for the answer.
    wiki = Wiki(api_url=api, timeout=settings.LIVECHAT_SUGGEST_WIKI_TIMEOUT)
    words = list(key_words[:WIKI_KEY_WORDS])
    hits = wiki.search(" ".join(words), namespaces=WIKI_NAMESPACES, limit=LIMIT)
    # The wiki wants every word; with none found, the two most telling alone.
    if not hits and len(words) > 2:
        hits = wiki.search(" ".join(words[:2]), namespaces=WIKI_NAMESPACES, limit=LIMIT)
    return [
        {
            "title": hit.title,
            "url": page_url(hit.title),
            "snippet": _cut(hit.snippet, SNIPPET_CHARS),
        }
        for hit in hits[:LIMIT]
    ]


# --- similar answered questions from the archive --------------------------------------------

# A question counts as answered once a helper replied, whatever happened next.
ANSWERED_STATES = (Question.State.ANSWERED, Question.State.RESOLVED, Question.State.STALE)


def answered_questions(*, room: Room, viewer: User, draft: Draft) -> list[dict[str, Any]]:
    """Up to LIMIT answered questions of the room whose asker's words share most of the
    draft's key words, best first (then newest). Two queries: the archive's full-text
    search for messages with any key word, then the answered questions they belong to."""
    if not draft.key_words:
        return []
    # One group of alternatives: any key word; the scoring below wants most of them.
    anyone = tuple(backends.Term((word,)) for word in draft.key_words)
    query = backends.SearchQuery(text=" or ".join(draft.key_words), groups=(anyone,))
    ids = backends.matching_ids(room_id=room.pk, query=query, before=None, limit=CANDIDATES)
    if not ids:
        return []
    links = (
        QuestionMessage.objects.filter(
            message_id__in=ids,
            from_helper=False,
            question__state__in=ANSWERED_STATES,
            question__first_reply_at__isnull=False,
            question__first_message__hidden=False,
        )
        # The viewer's own question still open is the one they are writing about.
        .exclude(question__asker=viewer, question__state__in=Question.OPEN_STATES)
        .select_related("message", "question__first_message")
    )
    wanted = set(draft.key_words)
    needed = max(1, math.ceil(len(wanted) / 2))
    best: dict[int, tuple[int, QuestionMessage]] = {}
    for link in links:
        found = wanted & {word.casefold() for word in _WORD.findall(link.message.body)}
        held = best.get(link.question_id)
        if len(found) >= needed and (held is None or len(found) > held[0]):
            best[link.question_id] = (len(found), link)
    ranked = sorted(
        best.values(), key=lambda pair: (pair[0], pair[1].question.asked_at), reverse=True
    )
    return [_answered_payload(room, link.question) for _score, link in ranked[:LIMIT]]


def _answered_payload(room: Room, question: Question) -> dict[str, Any]:
    first = question.first_message
    return {
        "question_id": question.pk,
        "excerpt": _cut(backends.plain_text(first.html) or first.body, EXCERPT_CHARS),
        # The thread in the archive: the question, then its answers.
        "url": reverse("helpdesk:archive-message", args=[room.slug, first.pk]),
        "answered_at": iso(question.first_reply_at),
    }


# --- together -------------------------------------------------------------------------------


def suggestions(*, room: Room, viewer: User, text: object) -> dict[str, Any]:
    """What the help room's suggestion panel shows for this draft (docs/api.md)."""
    draft = read_draft(text)
    if not draft.long_enough:
        return {"help_pages": [], "answered": []}
    return {
        "help_pages": help_pages(draft),
        "answered": answered_questions(room=room, viewer=viewer, draft=draft),
    }


def count_helped(*, room: Room, today: date) -> int:
    """ "Yes, this answered it": counted per room and day in the cache (and logged), which
    is all the help desk needs to know whether suggestions help. Kept for 40 days."""
    key = f"helpdesk:suggest:helped:{room.slug}:{today.isoformat()}"
    cache.add(key, 0, timeout=40 * 24 * 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=40 * 24 * 3600)
        count = 1
    logger.info("help-while-waiting: a suggestion answered a question in %s", room.slug)
    return count


def helped_count(*, room: Room, today: date) -> int:
    return cache.get(f"helpdesk:suggest:helped:{room.slug}:{today.isoformat()}", 0)
