"""Questions handed off to the wiki's help desk, and the replies given there relayed back
(docs/wiki.md "Questions handed off to the wiki").

    the 24 h escalation step (actions.escalate, Question.Step.HANDOFF)
      -> hook, inside its transaction: a WikiHandoff row (pending) and a timer, due now
    the timer ``question:<id>:wiki-handoff`` (:func:`post_handoff`)
      -> reads the help desk page; its marker there already: recorded, nothing posted;
         else a new section, based on the revision read (someone else's edit in between
         is an edit conflict: retried, and the page read again)
      -> the wiki down, lagging, limiting or in conflict: the timer fails and is retried
         with the timers' backoff; parked after too many, the follower arms it again
      -> refused (protected page, abuse filter): recorded, logged, moderators told
    the follower, every LIVECHAT_WIKI_HELP_DESK_FOLLOW_SECONDS (:func:`follow_help_desk`)
      -> each revision of the page since the last one seen, not the bot's: what it added
         inside a handed-off section is posted in the question's thread by its wiki
         author's chat account (made when missing), replying to the question, so the
         asker is notified; the question counts as answered
      -> a revision relayed once (WikiReply), however often the follower runs

Nothing here runs without a wiki configured (LIVECHAT_WIKI_API empty)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import MODERATORS, is_helper
from core.errors import DomainError
from livechat.actions import send_message
from livechat.models import Message, Notification
from livechat.notifications import notify
from timers import api as timers
from wiki import sections
from wiki.client import EditConflict, Revision, Wiki, WikiRefused, WikiUnavailable, configured_wiki

from . import actions
from .models import HelperNotice, Question, WikiHandoff, WikiPageWatch, WikiReply

logger = logging.getLogger(__name__)

POST_KIND = "helpdesk.wiki-handoff"
FOLLOW_KIND = "helpdesk.wiki-help-desk"
FOLLOW_KEY = "wiki-help-desk"
# Revisions read per look at the page (the API's page of them), and looks per run: a
# burst of edits is worked through over a few runs rather than in one long transaction.
REVISIONS_PER_CALL = 50
CALLS_PER_RUN = 4


def enabled() -> bool:
    return bool(settings.LIVECHAT_WIKI_API)


def post_key(question_id: int) -> str:
    return actions.timer_key(question_id, "wiki-handoff")


def marker(question_id: int) -> str:
    return sections.marker_comment(f"question:{question_id}")


# --- the client ------------------------------------------------------------------------------

# One signed-in client per process and wiki: signing in costs a few requests.
_clients: dict[tuple[str, str], Wiki] = {}


def wiki() -> Wiki | None:
    if not enabled():
        return None
    key = (settings.LIVECHAT_WIKI_API, settings.LIVECHAT_WIKI_BOT_USER)
    if key not in _clients:
        client = configured_wiki()
        assert client is not None
        _clients[key] = client
    return _clients[key]


def forget_client() -> None:
    """After a failure: the next call signs in afresh (a session lost in an outage)."""
    _clients.pop((settings.LIVECHAT_WIKI_API, settings.LIVECHAT_WIKI_BOT_USER), None)


def bot_name() -> str:
    """The bot's wiki name: a bot password logs in as "Name@appid"."""
    return wiki_name(settings.LIVECHAT_WIKI_BOT_USER.split("@", 1)[0])


def wiki_name(name: str) -> str:
    """A user name as the wiki writes it: spaces, not underscores; the first letter
    capital."""
    name = " ".join(name.replace("_", " ").split())
    return name[:1].upper() + name[1:]


# --- the hand-off ------------------------------------------------------------------------


def on_handoff(question: Question) -> None:
    """actions.escalate's hand-off hook, inside its transaction: the row and its timer,
    both rolled back with the step. The wiki is called later, by the timer."""
    if not enabled():
        return
    now = question.handoff_at
    handoff, created = WikiHandoff.objects.get_or_create(
        question=question,
        defaults={"page": settings.LIVECHAT_WIKI_HELP_DESK_PAGE, "created_at": now},
    )
    if created:
        timers.schedule(
            key=post_key(question.pk), kind=POST_KIND, due_at=now, payload={"question": question.pk}
        )


def question_lines(question: Question) -> list[str]:
    """The question as asked: its first message and the asker's follow-ups until the
    hand-off, hidden ones left out."""
    bodies = (
        Message.objects.filter(
            question_link__question=question,
            author_id=question.asker_id,
            hidden=False,
            created_at__lte=question.handoff_at or question.updated_at,
        )
        .order_by("pk")
        .values_list("body", flat=True)
    )
    return list(bodies)


def thread_url(question: Question) -> str:
    """The question in the chat: its first message's permalink."""
    path = reverse("helpdesk:archive-message", args=[question.room.slug, question.first_message_id])
    return settings.LIVECHAT_SITE_URL.rstrip("/") + path


def user_link(user: User) -> str:
    """A wiki account's user page link; a chat-only account's name, as text; nobody's name
    for someone who asked not to be named in public (accounts.User.name_in_archives: the
    wiki's help desk is as public as the archive pages). They still get the reply: the
    chat tells them, by email or on their talk page."""
    if not user.name_in_archives:
        return _("Someone")
    if user.wiki_id is not None:
        return f"[[User:{user.username}|{user.username}]]"
    return sections.nowiki(user.username)


def section_for(question: Question) -> tuple[str, str]:
    """The heading and the wikitext of the question's section (docs/wiki.md has the
    format), in the wiki's content language."""
    lines = question_lines(question) or [question.first_message.body]
    with translation.override(settings.LANGUAGE_CODE):
        heading = sections.heading_text(lines[0]) or _("A question from the live help chat")
        asked = formats.date_format(question.asked_at, "j F Y")
        body = [
            marker(question.pk),
            _(
                "%(asker)s asked in the live help chat on %(date)s, and nobody there has "
                "answered yet:"
            )
            % {"asker": user_link(question.asker), "date": asked},
            *(f": {sections.nowiki(line)}" for line in lines),
            _(
                "A reply in this section is posted in [%(url)s the question's thread] in the "
                "chat, and the asker is told."
            )
            % {"url": thread_url(question)},
            "<small>"
            + _("Copied from the live help chat; published under %(licence)s.")
            % {"licence": settings.LIVECHAT_WIKI_LICENCE}
            + "</small> ~~~~",
        ]
    return heading, "\n".join(body)


def post_handoff(*, question_id: int, now: datetime) -> None:
    """The timer: post the question's section, once. Raises WikiUnavailable or
    EditConflict to be retried (the timers' backoff); a refusal is recorded instead."""
    # No row lock: the post below calls the wiki, which must not happen under one; the
    # timer's lease keeps a second worker off this hand-off, and the marker a post single.
    handoff = (
        WikiHandoff.objects.select_related(
            "question__asker", "question__room", "question__first_message"
        )
        .filter(pk=question_id)
        .first()
    )
    if handoff is None or handoff.state != WikiHandoff.State.PENDING:
        return
    question = handoff.question
    if question.state not in (Question.State.WAITING, Question.State.CLAIMED):
        # Answered in the chat while the wiki was out of reach: nothing to hand off.
        handoff.state = WikiHandoff.State.DROPPED
        handoff.save(update_fields=["state"])
        return
    client = wiki()
    if client is None:
        return  # the wiki was switched off since: the row waits for one
    heading, text = section_for(question)
    with translation.override(settings.LANGUAGE_CODE):
        summary = _("A question from the live help chat, unanswered for a day")
    try:
        # Once: a run whose edit went through but whose transaction did not commit finds
        # its section and posts nothing.
        post = client.add_section_once(
            handoff.page, marker=marker(question.pk), heading=heading, text=text, summary=summary
        )
    except WikiRefused as refusal:
        handoff.state = WikiHandoff.State.REFUSED
        handoff.error = str(refusal)[:2000]
        handoff.save(update_fields=["state", "error"])
        logger.error("The wiki refused question %s on %s: %s", question.pk, handoff.page, refusal)
        _tell_moderators(question, now=now)
        return
    except (WikiUnavailable, EditConflict):
        # The timer fails and is retried with backoff; its last_error says why.
        forget_client()
        raise
    _posted(handoff, heading=post.heading, rev_id=post.rev_id, now=now)


def _posted(handoff: WikiHandoff, *, heading: str, rev_id: int, now: datetime) -> None:
    handoff.state = WikiHandoff.State.POSTED
    handoff.heading = heading[:255]
    handoff.rev_id = rev_id
    handoff.posted_at = now
    handoff.error = ""
    handoff.save()
    # Replies come after the section: the page is followed from here on (the revisions
    # before it cannot hold one).
    WikiPageWatch.objects.get_or_create(page=handoff.page, defaults={"last_rev_id": rev_id})
    # The follower runs from now on, even if no worker started it (the wiki configured
    # after the workers started).
    timers.schedule_once(
        key=FOLLOW_KEY,
        kind=FOLLOW_KIND,
        due_at=now + timedelta(seconds=settings.LIVECHAT_WIKI_HELP_DESK_FOLLOW_SECONDS),
    )


def _tell_moderators(question: Question, *, now: datetime) -> None:
    """The wiki will not take the question: moderators hear of it as of a waiting
    question (their bell, and email if they want it), once each."""
    moderators = set(
        User.objects.filter(groups__name=MODERATORS, is_active=True).values_list("pk", flat=True)
    ) - {question.asker_id}
    already = set(
        HelperNotice.objects.filter(
            question=question, step=Question.Step.HANDOFF, helper_id__in=moderators
        ).values_list("helper_id", flat=True)
    )
    targets = moderators - already
    if not targets:
        return
    HelperNotice.objects.bulk_create(
        [
            HelperNotice(helper_id=pk, question=question, step=Question.Step.HANDOFF, sent_at=now)
            for pk in targets
        ]
    )
    notify(
        recipients=dict.fromkeys(targets, Notification.Kind.QUESTION),
        actor=question.asker,
        message=question.first_message,
        now=now,
    )


def _post_timer(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    post_handoff(question_id=int(payload["question"]), now=now)


def rearm_pending(*, now: datetime) -> int:
    """Hand-offs still waiting whose timer is gone or was parked (it failed for an hour,
    say the wiki was down) get it again: a hand-off is never lost, and a parked timer is
    retried after LIVECHAT_TIMERS_RETRY_MAX_SECONDS, the longest backoff."""
    armed = 0
    patience = timedelta(seconds=settings.LIVECHAT_TIMERS_RETRY_MAX_SECONDS)
    for question_id in WikiHandoff.objects.filter(state=WikiHandoff.State.PENDING).values_list(
        "question_id", flat=True
    ):
        timer = timers.pending(key=post_key(question_id))
        if timer is None or (timer.parked_at is not None and timer.parked_at + patience <= now):
            timers.schedule(
                key=post_key(question_id),
                kind=POST_KIND,
                due_at=now,
                payload={"question": question_id},
            )
            armed += 1
    return armed


# --- following the page ---------------------------------------------------------------------


def follow_help_desk(*, now: datetime) -> None:
    """The recurring timer: re-arm pending hand-offs, relay replies on the help desk pages
    the chat posted to, and look again in a while. A wiki out of reach is logged and
    tried again next round; without a wiki configured the timer stops."""
    client = wiki()
    if client is None:
        return
    rearm_pending(now=now)
    since = now - timedelta(days=settings.LIVECHAT_WIKI_HANDOFF_FOLLOW_DAYS)
    pages = sorted(
        set(
            WikiHandoff.objects.filter(
                state=WikiHandoff.State.POSTED, posted_at__gte=since
            ).values_list("page", flat=True)
        )
    )
    try:
        for page in pages:
            follow_page(client, page=page, since=since, now=now)
    except WikiUnavailable as error:
        forget_client()
        logger.warning("The wiki's help desk could not be read (%s); trying again soon.", error)
    timers.schedule(
        key=FOLLOW_KEY,
        kind=FOLLOW_KIND,
        due_at=now + timedelta(seconds=settings.LIVECHAT_WIKI_HELP_DESK_FOLLOW_SECONDS),
    )


def follow_page(client: Wiki, *, page: str, since: datetime, now: datetime) -> int:
    """Relay what the page's new revisions added to handed-off sections; return how many
    messages were posted. The watch moves past each revision once it is dealt with."""
    watch, _created = WikiPageWatch.objects.get_or_create(page=page)
    handoffs = list(
        WikiHandoff.objects.filter(
            page=page, state=WikiHandoff.State.POSTED, posted_at__gte=since
        ).select_related("question__room", "question__first_message")
    )
    bot = bot_name()
    texts: dict[int, str] = {0: ""}

    def text_of(rev_id: int) -> str:
        if rev_id not in texts:
            texts[rev_id] = client.revision_text(rev_id)
        return texts[rev_id]

    relayed = 0
    for _call in range(CALLS_PER_RUN):
        revisions = client.revisions(page, after_rev_id=watch.last_rev_id, limit=REVISIONS_PER_CALL)
        for revision in revisions:
            if wiki_name(revision.user) != bot and revision.user_id:
                relayed += _relay_revision(
                    revision,
                    handoffs,
                    before=text_of(revision.parent_id),
                    after=text_of(revision.rev_id),
                    now=now,
                )
            watch.last_rev_id = revision.rev_id
            watch.checked_at = now
            watch.save(update_fields=["last_rev_id", "checked_at"])
        if len(revisions) < REVISIONS_PER_CALL:
            break
    return relayed


def _relay_revision(
    revision: Revision, handoffs: list[WikiHandoff], *, before: str, after: str, now: datetime
) -> int:
    relayed = 0
    for handoff in handoffs:
        mark = marker(handoff.question_id)
        old = sections.section_with(before, mark)
        new = sections.section_with(after, mark)
        if old is None or new is None:
            continue  # not this section's revision, or the section was moved away
        reply = sections.reply_text(sections.added_lines(old.text(before), new.text(after)))
        if reply and relay(handoff, revision=revision, text=reply, now=now):
            relayed += 1
    return relayed


def relay(handoff: WikiHandoff, *, revision: Revision, text: str, now: datetime) -> bool:
    """Post ``text``, added on the wiki by ``revision``, in the question's thread as its
    author, once; say whether a message was posted."""
    with transaction.atomic():
        if WikiReply.objects.filter(handoff=handoff, rev_id=revision.rev_id).exists():
            return False
        question = handoff.question
        author = wiki_account(wiki_id=revision.user_id, name=revision.user)
        message = None
        if author is None:
            logger.warning(
                "Revision %s of %s is by %s, whose name a chat account holds that is not "
                "theirs; not relayed.",
                revision.rev_id,
                handoff.page,
                revision.user,
            )
        else:
            limit = settings.LIVECHAT_MAX_MESSAGE_LENGTH
            body = text if len(text) <= limit else text[: limit - 1] + "…"
            try:
                change = send_message(
                    user=author,
                    room=question.room,
                    body=body,
                    # The same revision sends the same message, even past this row.
                    client_id=f"wiki:{revision.rev_id}:{question.pk}",
                    reply_to=question.first_message_id,
                )
            except DomainError as refusal:
                # The chat's guard refuses the author (blocked here, say): the wiki has
                # the reply, the asker's link leads there.
                logger.warning(
                    "Revision %s by %s not relayed to question %s: %s",
                    revision.rev_id,
                    revision.user,
                    question.pk,
                    refusal,
                )
            else:
                message = change.message
                if change.created and author.pk != question.asker_id and not is_helper(author):
                    actions.answered_elsewhere(message=message, now=now)
        WikiReply.objects.create(
            handoff=handoff, rev_id=revision.rev_id, message=message, relayed_at=now
        )
        return message is not None


def wiki_account(*, wiki_id: int, name: str) -> User | None:
    """The chat account of a wiki account, made when missing, by the sign-in's rules
    (accounts/wikiauth/adapter.py): the same wiki id is the same account; a local account
    holding the name becomes the wiki account's, unless it is staff or another wiki
    account's (None: not relayed). A new account has no password: its person signs in
    with the wiki."""
    found = User.objects.filter(wiki_id=wiki_id).first()
    if found is not None:
        return found
    holder = User.objects.filter(username=name).first()
    if holder is not None:
        if holder.wiki_id is not None or holder.is_staff or holder.is_superuser:
            return None
        holder.wiki_id = wiki_id
        holder.save(update_fields=["wiki_id"])
        return holder
    return User.objects.create_user(username=name, password=None, wiki_id=wiki_id)


def _follow_timer(*, key: str, payload: dict[str, Any], now: datetime) -> None:
    follow_help_desk(now=now)


def ensure_following(now: datetime) -> bool:
    """Have the help desk followed when a wiki is configured (every starting worker)."""
    if not enabled():
        return False
    return timers.schedule_once(key=FOLLOW_KEY, kind=FOLLOW_KIND, due_at=now)


def register() -> None:
    from . import wiki_talk

    actions.register_handoff_hook(on_handoff)
    timers.register_handler(POST_KIND, _post_timer)
    timers.register_handler(FOLLOW_KIND, _follow_timer)
    timers.register_startup(ensure_following)
    wiki_talk.register()
