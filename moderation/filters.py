"""Abuse filters at work: saving them (with versions), running the enabled ones on every
send and edit, and trying a rule against recent messages before saving it.

The rule language itself is ``moderation.rules`` (docs/abuse-filters.md).
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from functools import lru_cache
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import adopt_role_flags, filter_groups, with_role_flags
from accounts.usernames import find_mentions
from accounts.wikiauth.provider import WikiProvider
from core import clock
from core.errors import Invalid
from livechat.guard import Verdict, WriteAttempt
from livechat.models import Message
from moderation.errors import Blocked, Filtered
from notifications.models import EmailSettings

from . import counters
from .actions import log, place_block, require_moderator
from .models import AbuseFilter, AbuseFilterVersion, AbuseLog, ModerationLog
from .rules import Rule, RuleRuntimeError, RuleSyntaxError, compile_rule

logger = logging.getLogger(__name__)

FILTERED_ACTIONS = frozenset({"send", "edit"})
_DEFINITIONS_KEY = "moderation:filters:enabled"
_URL_RE = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)

# Severity of refusals when several filters match: the strongest one answers.
_SEVERITY = {"warn": 1, "disallow": 2, "block": 3}


# --- saving --------------------------------------------------------------------------------


FILTER_FIELDS = (
    "name", "description", "rule", "enabled", "actions", "warn_message",
    "throttle_count", "throttle_period", "block_duration",
)  # fmt: skip


def validate_actions(actions: object) -> list[str]:
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise Invalid(_("The actions must be a list of action names."))
    unknown = sorted(set(actions) - set(AbuseFilter.Action.values))
    if unknown:
        raise Invalid(
            ngettext(
                "Unknown filter action: %(names)s.",
                "Unknown filter actions: %(names)s.",
                len(unknown),
            )
            % {"names": ", ".join(unknown)}
        )
    return sorted(set(actions), key=list(AbuseFilter.Action.values).index)


def save_filter(*, moderator: User, abuse_filter: AbuseFilter | None, **values: Any) -> AbuseFilter:
    """Create or change a filter. The rule must compile; every save keeps a version and is
    in the moderation log. Saving clears the emergency suspension: the editor has seen it."""

    require_moderator(moderator)
    unknown = set(values) - set(FILTER_FIELDS)
    if unknown:
        raise Invalid(
            ngettext(
                "Unknown filter field: %(names)s.",
                "Unknown filter fields: %(names)s.",
                len(unknown),
            )
            % {"names": ", ".join(sorted(unknown))}
        )
    errors = syntax_errors(values.get("rule", abuse_filter.rule if abuse_filter else ""))
    if errors:
        raise Invalid(_("The rule does not parse: %(error)s") % {"error": errors[0]})
    if "actions" in values:
        values["actions"] = validate_actions(values["actions"])
    with transaction.atomic():
        creating = abuse_filter is None
        target = (
            AbuseFilter()
            if creating
            else AbuseFilter.objects.select_for_update().get(pk=abuse_filter.pk)
        )
        for name, value in values.items():
            setattr(target, name, value)
        target.version += 1
        target.updated_at = timezone.now()
        target.updated_by = moderator
        target.suspended = False
        target.needs_attention = False
        target.suspension_note = ""
        try:
            target.full_clean()
        except ValidationError as error:
            raise Invalid(_sentence(error)) from None
        target.save()
        AbuseFilterVersion.objects.create(
            filter=target,
            number=target.version,
            name=target.name,
            description=target.description,
            rule=target.rule,
            enabled=target.enabled,
            actions=target.actions,
            options={
                "warn_message": target.warn_message,
                "throttle_count": target.throttle_count,
                "throttle_period": target.throttle_period,
                "block_duration": target.block_duration,
            },
            author=moderator,
        )
        log(
            actor=moderator,
            action=ModerationLog.Action.FILTER_CREATE
            if creating
            else ModerationLog.Action.FILTER_CHANGE,
            filter_id=target.pk,
            filter_name=target.name,
            version=target.version,
        )
        _record_baseline(target.pk, target.version)
        # Now, and again after commit in case another process re-read the old state.
        forget_definitions()
        transaction.on_commit(forget_definitions)
    return target


def _sentence(error: ValidationError) -> str:
    # Field names and Django's own (translated) messages, listed after one sentence.
    problems = [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
    return _("The filter is not valid. %(problems)s") % {"problems": "; ".join(problems)}


def syntax_errors(source: str) -> list[str]:
    """Problems with a rule, each a sentence with its line and column; [] when it parses."""
    try:
        compile_rule(source)
    except RuleSyntaxError as error:
        return [str(error)]
    return []


# --- running -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """An enabled filter as the guard needs it, cheap to cache."""

    pk: int
    version: int
    name: str
    description: str
    rule: str
    actions: tuple[str, ...]
    warn_message: str
    throttle_count: int
    throttle_period: int
    block_duration: int
    suspended: bool
    updated_at_ts: float


# This process's copy of the shared list, for a second: the guard runs on every message,
# and a filter change reaching every process a second later is soon enough.
_local: tuple[float, list[Definition]] | None = None
LOCAL_SECONDS = 1.0


def forget_definitions() -> None:
    global _local
    _local = None
    cache.delete(_DEFINITIONS_KEY)


def enabled_definitions() -> list[Definition]:
    """The enabled filters: from this process's copy, else the shared cache, else the
    database."""
    global _local
    now = time.monotonic()
    if _local is not None and _local[0] > now:
        return _local[1]
    definitions = _shared_definitions()
    _local = (now + LOCAL_SECONDS, definitions)
    return definitions


def _shared_definitions() -> list[Definition]:
    definitions = cache.get(_DEFINITIONS_KEY)
    if definitions is None:
        definitions = [
            Definition(
                pk=f.pk,
                version=f.version,
                name=f.name,
                description=f.description,
                rule=f.rule,
                actions=tuple(f.actions),
                warn_message=f.warn_message,
                throttle_count=f.throttle_count,
                throttle_period=f.throttle_period,
                block_duration=f.block_duration,
                suspended=f.suspended,
                updated_at_ts=f.updated_at.timestamp(),
            )
            for f in AbuseFilter.objects.filter(enabled=True).order_by("pk")
        ]
        cache.set(_DEFINITIONS_KEY, definitions, 300)
    return definitions


@lru_cache(maxsize=512)
def compiled(pk: int, version: int, source: str) -> Rule | None:
    """Each filter version is compiled once per process."""
    try:
        return compile_rule(source)
    except RuleSyntaxError:
        logger.exception("abuse filter %s v%s does not compile; skipped", pk, version)
        return None


class Variables(dict[str, Any]):
    """The variables a rule sees, computed only when some rule reads them. ``known``
    supplies values computed elsewhere (a trial run's values as of sending time).

    Each name of ``moderation.rules.VARIABLES`` has a ``_<name>`` method here; AbuseFilter's
    names mean what MediaWiki's mean, applied to a chat message (docs/abuse-filters.md)."""

    def __init__(self, attempt: WriteAttempt, known: dict[str, Any] | None = None) -> None:
        super().__init__(known or {})
        self.attempt = attempt
        self._profile: dict[str, Any] | None = None

    def prepare(self, names: frozenset[str]) -> dict[str, Any]:
        for name in names - self.keys():
            self[name] = getattr(self, f"_{name}")()
        return self

    def _text(self) -> str:
        return _nfc(self.attempt.text or "")

    def _old_text(self) -> str:
        return _nfc(self.attempt.old_text or "")

    def _action(self) -> str:
        return self.attempt.action

    def _room(self) -> str:
        return self.attempt.room.slug

    def _user_name(self) -> str:
        return self.attempt.user.get_username()

    def _user_age(self) -> int:
        return int((timezone.now() - self.attempt.user.date_joined).total_seconds())

    def _user_message_count(self) -> int:
        return Message.objects.filter(author=self.attempt.user).count()

    def _user_groups(self) -> list[str]:
        # ["*", "user", "mentor", "moderator"...]: see accounts.roles.filter_groups; then
        # the wiki account's own groups, so a pasted `"autoconfirmed" in user_groups` means
        # what it means on the wiki.
        groups = filter_groups(self.attempt.user)
        wiki_groups = self._wiki_profile().get("groups") or []
        return groups + [g for g in wiki_groups if isinstance(g, str) and g not in groups]

    def _added_links(self) -> list[str]:
        old = set(self._old_links())
        return [url for url in self._all_links() if url not in old]

    def _mention_count(self) -> int:
        # Every @Name and @[Name] (accounts.usernames), repeats included.
        return len(find_mentions(self._text()))

    # AbuseFilter's names (MediaWiki 1.39's VariableGenerator and LazyVariableComputer).

    def _new_wikitext(self) -> str:
        return self._text()

    def _old_wikitext(self) -> str:
        return self._old_text()

    def _added_lines(self) -> list[str]:
        return _changed_lines(self._old_text(), self._text(), "+")

    def _removed_lines(self) -> list[str]:
        return _changed_lines(self._old_text(), self._text(), "-")

    def _new_size(self) -> int:
        # AbuseFilter's `strlen`: bytes, not characters.
        return len(self._text().encode("utf-8"))

    def _old_size(self) -> int:
        return len(self._old_text().encode("utf-8"))

    def _edit_delta(self) -> int:
        return self._new_size() - self._old_size()

    def _all_links(self) -> list[str]:
        return _URL_RE.findall(self._text())

    def _old_links(self) -> list[str]:
        return _URL_RE.findall(self._old_text())

    def _removed_links(self) -> list[str]:
        new = set(self._all_links())
        return [url for url in self._old_links() if url not in new]

    def _user_editcount(self) -> int | None:
        count = self._wiki_profile().get("editcount")
        return count if isinstance(count, int) else None

    def _user_emailconfirm(self) -> str | None:
        email = EmailSettings.objects.filter(user=self.attempt.user).first()
        if email is None or not email.verified:
            return None
        return email.verified_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")

    def _page_title(self) -> str:
        return self.attempt.room.name

    def _timestamp(self) -> str:
        # As AbuseFilter sets it: wfTimestamp(TS_UNIX), a string; from the project's
        # clock, as every other time a write is judged by (core.clock).
        return str(int(clock.now().timestamp()))

    def _wiki_profile(self) -> dict[str, Any]:
        """The OAuth profile kept at the last sign-in with the wiki (accounts.wikiauth);
        {} for an account that never signed in with it. One query, only when read."""
        if self._profile is None:
            data = (
                SocialAccount.objects.filter(user=self.attempt.user, provider=WikiProvider.id)
                .values_list("extra_data", flat=True)
                .first()
            )
            self._profile = data if isinstance(data, dict) else {}
        return self._profile


def _nfc(text: str) -> str:
    """The text in Unicode NFC, as MediaWiki normalises every text its filters read, so a
    rule pasted from the wiki with a composed "é" matches a message typed with a decomposed
    one. (The message itself is stored as typed.)"""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _changed_lines(old: str, new: str, sign: str) -> list[str]:
    """The lines a diff of ``old`` to ``new`` marks with ``sign`` ("+" added, "-" removed),
    as AbuseFilter's ``added_lines``/``removed_lines`` split its diff. An empty text has
    no lines (a new message adds all of its own)."""
    old_lines = old.split("\n") if old else []
    new_lines = new.split("\n") if new else []
    return [line[2:] for line in difflib.ndiff(old_lines, new_lines) if line.startswith(sign + " ")]


@dataclass
class _Outcome:
    done: list[str] = field(default_factory=lambda: ["log"])
    refusal: tuple[int, Exception] | None = None
    entry: AbuseLog | None = None


def run_filters(attempt: WriteAttempt) -> Verdict | None:
    """Run every enabled filter on a send or edit. Every match is logged; the strongest
    refusing action answers; tags come back in the verdict. A filter that errors or runs
    out of budget is skipped and logged, never blocking chat for everyone."""
    if attempt.action not in FILTERED_ACTIONS:
        return None
    definitions = enabled_definitions()
    if not definitions:
        return None
    variables = Variables(attempt)
    messages_seen = _count_message() if _any_fresh(definitions) else 0
    tags: list[str] = []
    refusal: tuple[int, Exception] | None = None
    entries: list[AbuseLog] = []
    for definition in definitions:
        rule = compiled(definition.pk, definition.version, definition.rule)
        if rule is None or not _matches(definition, rule, variables):
            continue
        outcome = _act(definition, attempt, variables, messages_seen=messages_seen)
        if outcome.entry is not None:
            entries.append(outcome.entry)
        if "tag" in outcome.done:
            tags.append(f"filter:{definition.name}")
        if outcome.refusal and (refusal is None or outcome.refusal[0] > refusal[0]):
            refusal = outcome.refusal
    # One INSERT for all the matches of a message.
    AbuseLog.objects.bulk_create(entries)
    if refusal is not None:
        raise refusal[1]
    return Verdict(tags=tuple(tags)) if tags else None


def _matches(definition: Definition, rule: Rule, variables: Variables) -> bool:
    try:
        matched = rule.evaluate(
            variables.prepare(rule.variables),
            budget=settings.LIVECHAT_FILTER_CONDITION_BUDGET,
            regex_timeout=settings.LIVECHAT_FILTER_REGEX_TIMEOUT,
        )
    except RuleRuntimeError as error:  # BudgetExceeded included
        logger.warning("abuse filter %r skipped: %s", definition.name, error)
        return False
    return bool(matched)


def _act(
    definition: Definition, attempt: WriteAttempt, variables: Variables, *, messages_seen: int
) -> _Outcome:
    outcome = _Outcome()
    actions = set(definition.actions)
    if definition.throttle_count and not _past_throttle(definition, attempt.user.pk):
        outcome.done.append("throttled")
        actions = set()
    suspended = definition.suspended or _emergency_brake(definition, messages_seen=messages_seen)
    if suspended and actions & AbuseFilter.REFUSING:
        outcome.done.append("suspended")
        actions -= AbuseFilter.REFUSING
    if "tag" in actions:
        outcome.done.append("tag")
    if "block" in actions:
        outcome.done.append("block")
        outcome.refusal = (_SEVERITY["block"], _block(definition, attempt))
    elif "disallow" in actions:
        outcome.done.append("disallow")
        outcome.refusal = (
            _SEVERITY["disallow"],
            Filtered(
                _("This message was not posted: %(description)s")
                % {"description": definition.description},
                filter=definition.name,
            ),
        )
    elif "warn" in actions:
        if _warned_already(definition, attempt):
            outcome.done.append("warned-then-accepted")
        else:
            outcome.done.append("warn")
            outcome.refusal = (
                _SEVERITY["warn"],
                Filtered(
                    _warning(definition),
                    filter=definition.name,
                    warning=True,
                ),
            )
    outcome.entry = AbuseLog(
        filter_id=definition.pk,
        filter_version=definition.version,
        user=attempt.user,
        room=attempt.room,
        action=attempt.action,
        variables=_loggable(variables),
        outcome=outcome.done,
    )
    return outcome


def _warning(definition: Definition) -> str:
    if definition.warn_message:
        # The moderator's own words, in the language they wrote them in.
        return _("%(warning)s Send it again unchanged if you are sure.") % {
            "warning": definition.warn_message
        }
    return _(
        "Please check your message: %(description)s Send it again unchanged if you are sure."
    ) % {"description": definition.description}


def _loggable(variables: Variables) -> dict[str, Any]:
    return {key: value for key, value in variables.items() if key != "attempt"}


def _past_throttle(definition: Definition, user_id: int) -> bool:
    key = f"moderation:throttle:{definition.pk}:{definition.version}:{user_id}"
    return counters.incr(key, ttl=definition.throttle_period) > definition.throttle_count


def _text_key(definition: Definition, attempt: WriteAttempt) -> str:
    digest = hashlib.sha256((attempt.text or "").encode()).hexdigest()[:32]
    return f"moderation:warned:{definition.pk}:{attempt.user.pk}:{digest}"


def _warned_already(definition: Definition, attempt: WriteAttempt) -> bool:
    """Warn refuses the first attempt and remembers it; the same text again within
    LIVECHAT_FILTER_WARN_SECONDS goes through (still logged)."""
    key = _text_key(definition, attempt)
    if cache.get(key):
        cache.delete(key)
        return True
    cache.set(key, 1, settings.LIVECHAT_FILTER_WARN_SECONDS)
    return False


def _block(definition: Definition, attempt: WriteAttempt) -> Blocked:

    place_block(
        moderator=None,
        user=attempt.user,
        reason=_("Abuse filter: %(description)s") % {"description": definition.description},
        duration=timedelta(seconds=definition.block_duration),
        by_filter=definition.name,
    )
    return Blocked(
        _("This message was not posted and you are blocked for a while: %(description)s")
        % {"description": definition.description},
        filter=definition.name,
    )


# --- the emergency brake -------------------------------------------------------------------
#
# Checks are counted once per message on one shared counter, not once per filter: a
# filter's checks since its last save are the counter now minus the counter when it was
# saved (its baseline). Matches are counted per filter version, and only on a match.

_FILTERED_KEY = "moderation:emergency:filtered"


def _baseline_key(pk: int, version: int) -> str:
    return f"moderation:emergency:{pk}:{version}:baseline"


def _matches_key(definition: Definition) -> str:
    return f"moderation:emergency:{definition.pk}:{definition.version}:matches"


def _count_message() -> int:
    return counters.incr(_FILTERED_KEY, ttl=settings.LIVECHAT_FILTER_EMERGENCY_AGE * 2)


def _any_fresh(definitions: list[Definition]) -> bool:
    """Messages need counting only while some filter is within its watch period."""
    cutoff = timezone.now().timestamp() - settings.LIVECHAT_FILTER_EMERGENCY_AGE
    return any(d.updated_at_ts > cutoff for d in definitions)


def _record_baseline(pk: int, version: int) -> None:
    cache.set(
        _baseline_key(pk, version),
        cache.get(_FILTERED_KEY, 0),
        settings.LIVECHAT_FILTER_EMERGENCY_AGE,
    )


def _emergency_brake(definition: Definition, *, messages_seen: int) -> bool:
    """A freshly edited filter matching more than its share of messages is probably
    wrong: suspend its refusing actions and flag it, as MediaWiki's AbuseFilter does.
    Called on each match."""
    age = timezone.now().timestamp() - definition.updated_at_ts
    if age > settings.LIVECHAT_FILTER_EMERGENCY_AGE:
        return False
    matches = counters.incr(_matches_key(definition), ttl=settings.LIVECHAT_FILTER_EMERGENCY_AGE)
    if matches < settings.LIVECHAT_FILTER_EMERGENCY_COUNT:
        return False
    baseline = cache.get(_baseline_key(definition.pk, definition.version))
    checks = messages_seen - baseline if baseline is not None else matches
    if matches / max(checks, 1) <= settings.LIVECHAT_FILTER_EMERGENCY_THRESHOLD:
        return False
    suspend(definition, checks=checks, matches=matches)
    return True


def suspend(definition: Definition, *, checks: int, matches: int) -> None:

    note = ngettext(
        "Matched %(matches)d of the last %(checks)d message since its last edit; its refusing "
        "actions are suspended until someone reviews and saves it.",
        "Matched %(matches)d of the last %(checks)d messages since its last edit; its refusing "
        "actions are suspended until someone reviews and saves it.",
        checks,
    ) % {"matches": matches, "checks": checks}
    updated = AbuseFilter.objects.filter(
        pk=definition.pk, version=definition.version, suspended=False
    ).update(suspended=True, needs_attention=True, suspension_note=note)
    if updated:
        log(
            actor=None,
            action=ModerationLog.Action.FILTER_SUSPEND,
            reason=note,
            filter_id=definition.pk,
            filter_name=definition.name,
            version=definition.version,
        )
        forget_definitions()


# --- trying a rule -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialResult:
    message: Message
    matched: bool
    error: str = ""
    # The variables the rule read, as it saw them for this message (name -> value), in
    # the order of their names: what the editor shows under a match.
    variables: dict[str, Any] = field(default_factory=dict)


def try_rule(source: str, *, limit: int = 100) -> list[TrialResult]:
    """Run a rule against the last ``limit`` (≤ 1000) messages as each was when sent (the
    author's age and message count then), without logging or acting. Raises Invalid for a
    rule that does not parse. One query, whatever ``limit``."""
    if not 1 <= limit <= 1000:
        raise Invalid(_("Test against between 1 and 1000 messages."))
    try:
        rule = compile_rule(source)
    except RuleSyntaxError as error:
        raise Invalid(str(error)) from None
    earlier = (
        Message.objects.filter(author=OuterRef("author"), id__lt=OuterRef("id"))
        .order_by()
        .values("author")
        .annotate(n=Count("id"))
        .values("n")
    )
    messages = with_role_flags(
        Message.objects.select_related("author", "room"), user_field="author"
    ).annotate(earlier_count=Coalesce(Subquery(earlier), 0))
    results = []
    for message in messages.order_by("-id")[:limit]:
        adopt_role_flags(message.author, message, user_field="author")
        attempt = WriteAttempt(
            user=message.author, room=message.room, action="send", text=message.body
        )
        as_sent = {
            "user_age": int((message.created_at - message.author.date_joined).total_seconds()),
            "user_message_count": message.earlier_count,
        }
        variables = Variables(attempt, as_sent)
        try:
            matched = rule.evaluate(
                variables.prepare(rule.variables),
                budget=settings.LIVECHAT_FILTER_CONDITION_BUDGET,
                regex_timeout=settings.LIVECHAT_FILTER_REGEX_TIMEOUT,
            )
            error = ""
        except RuleRuntimeError as failure:
            matched, error = False, str(failure)
        seen = {name: variables[name] for name in sorted(rule.variables) if name in variables}
        results.append(
            TrialResult(message=message, matched=bool(matched), error=error, variables=seen)
        )
    return results
