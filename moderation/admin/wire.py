"""The logs' stored values in the reader's language: the moderation log's details, the
abuse log's action and outcome, an abuse filter's actions. They are stored as wire values
("hide", "warn", "site", "throttled"...) that scripts and exports read; the admin shows
each through a label table, keyed by the stored value. A value the table does not know
(an old log entry, a new outcome not yet named here) is shown as stored: never hidden."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import isolate

from ..models import AbuseFilter, Block, ModerationLog, Report
from ..rules.variables import VARIABLES

# What a filter can do, as its editor names them (AbuseFilter.Action), and the "log" every
# match gets.
FILTER_ACTIONS: Mapping[str, Promise] = {
    "log": pgettext_lazy("abuse filter action", "Log"),
    **{value: label for value, label in AbuseFilter.Action.choices},
}

# What was done on one match (AbuseLog.outcome; moderation.filters writes them).
ABUSE_OUTCOMES: Mapping[str, Promise] = {
    "log": pgettext_lazy("abuse log outcome", "logged"),
    "tag": pgettext_lazy("abuse log outcome", "tagged for review"),
    "warn": pgettext_lazy("abuse log outcome", "warned"),
    "warned-then-accepted": pgettext_lazy("abuse log outcome", "warned before, then let through"),
    "disallow": pgettext_lazy("abuse log outcome", "disallowed"),
    "block": pgettext_lazy("abuse log outcome", "author blocked"),
    "throttled": pgettext_lazy("abuse log outcome", "under the throttle: no action"),
    "suspended": pgettext_lazy("abuse log outcome", "actions suspended (emergency brake)"),
}

# What the person was doing when a filter matched (AbuseLog.action).
ABUSE_ACTIONS: Mapping[str, Promise] = {
    "send": pgettext_lazy("abuse log action", "sending a message"),
    "edit": pgettext_lazy("abuse log action", "editing a message"),
}

# The moderation log's details: each key's label (moderation.actions.log's keywords).
DETAIL_KEYS: Mapping[str, Promise] = {
    "block_id": pgettext_lazy("moderation log detail", "block"),
    "scope": pgettext_lazy("moderation log detail", "where"),
    "rooms": pgettext_lazy("moderation log detail", "rooms"),
    "expires_at": pgettext_lazy("moderation log detail", "expires"),
    "by_filter": pgettext_lazy("moderation log detail", "placed by the filter"),
    "filter_id": pgettext_lazy("moderation log detail", "filter"),
    "filter_name": pgettext_lazy("moderation log detail", "filter name"),
    "version": pgettext_lazy("moderation log detail", "version"),
    "report_id": pgettext_lazy("moderation log detail", "report"),
    "outcome": pgettext_lazy("moderation log detail", "outcome"),
    "since": pgettext_lazy("moderation log detail", "since"),
    "month": pgettext_lazy("moderation log detail", "month"),
}

# Values of those details that are wire values themselves.
DETAIL_VALUES: Mapping[str, Mapping[str, Promise]] = {
    "scope": dict(Block.Scope.choices),
    "outcome": dict(Report.Outcome.choices),
}

# Details that hold a moment (ISO 8601): shown in the reader's zone.
MOMENTS = frozenset({"expires_at", "since"})

NONE = _("none")
# How much of one detail the list's column shows.
VALUE_LENGTH = 40


def label(table: Mapping[str, Promise], value: Any) -> str:
    """``value``'s label from ``table``, or ``value`` as stored when it has none."""
    found = table.get(value) if isinstance(value, str) else None
    return str(found) if found is not None else str(value)


def labels(table: Mapping[str, Promise], values: Any) -> str:
    """A list of stored values, each by its label, comma separated."""
    if not isinstance(values, list):
        return label(table, values)
    return ", ".join(label(table, value) for value in values)


def review_tag(tag: str) -> str:
    """A message's review tag: ``filter:<name>`` (the filter that tagged it, as
    moderation.filters writes it) by its label; another as stored."""
    kind, separator, name = tag.partition(":")
    if separator and kind == "filter":
        return _("abuse filter “%(name)s”") % {"name": isolate.text(name)}
    return tag


def moderation_action(entry: ModerationLog) -> str:
    # The field's choices name the known actions; one not (or no longer) among them is
    # shown as stored.
    return label(dict(ModerationLog.Action.choices), entry.action)


def detail_value(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return str(NONE) if key == "expires_at" else "—"
    if key in MOMENTS and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "DATETIME_FORMAT") + " " + date_format(moment, "T")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    table = DETAIL_VALUES.get(key, {})
    if isinstance(value, list):
        return ", ".join(label(table, item) for item in value)
    return label(table, value)


def detail_items(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The details as (label, value) pairs, in the order stored; an unknown key as stored."""
    return [(label(DETAIL_KEYS, key), detail_value(key, value)) for key, value in details.items()]


def details_line(details: Mapping[str, Any]) -> str:
    """The details on one line (the list's column): the ones with a value, each cut short
    on its own (a cut through the whole line could cut a label in two)."""
    return "; ".join(
        f"{name}: {Truncator(value).chars(VALUE_LENGTH)}"
        for (name, value), raw in zip(detail_items(details), details.values(), strict=True)
        if raw not in (None, "", [])
    )


def details_list(details: Mapping[str, Any]) -> SafeString:
    """The details as a definition list (an entry's page)."""
    if not details:
        return format_html('<span class="mod-muted">{}</span>', "—")
    return format_html(
        '<dl class="mod-details">{}</dl>',
        format_html_join("", '<dt>{}</dt><dd dir="auto">{}</dd>', detail_items(details)),
    )


def rule_values(variables: Mapping[str, Any]) -> SafeString:
    """What a filter saw: each variable by its name in the rule language (code, the same in
    every language: ``lang="zxx"``), its value as the rule reads it (JSON, also code), and
    what it means, translated, as the row heading's title."""
    rows = format_html_join(
        "",
        '<tr><th scope="row" title="{}"><code lang="zxx" translate="no">{}</code></th>'
        '<td><code class="mod-json" lang="zxx" translate="no" dir="auto">{}</code></td></tr>',
        (
            (str(VARIABLES.get(name, "")), name, json.dumps(value, ensure_ascii=False))
            for name, value in variables.items()
        ),
    )
    return format_html(
        '<table class="mod-variables"><thead><tr><th scope="col">{}</th><th scope="col">{}'
        "</th></tr></thead><tbody>{}</tbody></table>",
        _("variable"),
        _("value"),
        rows,
    )
